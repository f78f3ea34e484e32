// Analysts' spreadsheets: separate date and time columns, date-only rows, categories in mixed
// case and Unicode forms, aliases, a Windows-1258 file, pass-through columns and the reject gate.
#include <gtest/gtest.h>

#include <set>

#include "hotspot/error.hpp"
#include "io/encoding.hpp"
#include "io/incidents.hpp"
#include "jobs/load.hpp"
#include "support/fixtures.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

InputOptions inputs(const test::TempDir& dir, const std::string& incidents_path) {
  InputOptions o;
  o.communes.path = test::two_communes(dir);
  o.incidents.path = incidents_path;
  return o;
}

std::int64_t local(int y, unsigned m, unsigned d, int h = 0, int mi = 0) {
  return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 - 7 * 3600;
}

TEST(MessyIngest, DateAndTimeColumnsDateOnlyAndMissing) {
  test::TempDir dir;
  auto o = inputs(dir, dir.write("inc.csv",
                                 "\xEF\xBB\xBFSTT;Kinh do;Vi do;Ngay;Gio;Loai;Dia chi\r\n"
                                 "1;106,61;20,81;01/09/2025;00:10;Theft;12 Le Loi\r\n"
                                 "2;106,62;20,81;02/09/2025;;THEFT;3 Tran Phu\r\n"
                                 "3;106,63;20,81;;;theft;\r\n"
                                 "4;106,63;20,81;31/02/2025;10:00;theft;x\r\n"));
  auto& io = o.incidents;
  io.id_field = "STT", io.x_field = "Kinh do", io.y_field = "Vi do";
  io.date_field = "Ngay", io.time_field = "Gio", io.category_field = "Loai";
  io.time_format = "%d/%m/%Y %H:%M";
  auto in = load_inputs(o);
  const auto& r = in.report;
  EXPECT_EQ(r.read, 4);
  EXPECT_EQ(r.accepted, 4);
  EXPECT_EQ(r.read, r.accepted + static_cast<std::int64_t>(r.rejected.size()));
  const auto& inc = in.incidents;
  EXPECT_EQ(inc.time_utc[0], local(2025, 9, 1, 0, 10));
  EXPECT_EQ(inc.time_precision[0], TimePrecision::kSecond);
  EXPECT_EQ(inc.time_utc[1], local(2025, 9, 2));
  EXPECT_EQ(inc.time_precision[1], TimePrecision::kDay);
  EXPECT_TRUE(inc.date_only(1));
  EXPECT_EQ(inc.time_precision[2], TimePrecision::kMissing);
  EXPECT_EQ(inc.time_precision[3], TimePrecision::kMissing);  // 31 February
  EXPECT_EQ(r.date_only, 1);
  EXPECT_EQ(r.time_missing, 2);
  EXPECT_EQ(r.time_unparsed, 1);
  // Theft / THEFT / theft: one category, shown as the most frequent spelling.
  ASSERT_EQ(inc.categories.size(), 1u);
  EXPECT_EQ(inc.categories[0], "theft");
  // The address passes through.
  ASSERT_EQ(inc.extra_names, std::vector<std::string>{"Dia chi"});
  EXPECT_EQ(inc.extra[0][0], "12 Le Loi");
  EXPECT_EQ(inc.extra[0][2], "");
}

TEST(MessyIngest, CategoriesFoldNfcAndAliases) {
  test::TempDir dir;
  // "Trộm cắp" precomposed (NFC) and decomposed (NFD, as Windows-1258 text decodes), in two cases.
  const std::string nfc_text = "Tr\xe1\xbb\x99m c\xe1\xba\xaf" "p";
  const std::string nfd_text = "Tro\xcc\xa3\xcc\x82m ca\xcc\x86\xcc\x81p";
  const std::string lower = "tr\xe1\xbb\x99m c\xe1\xba\xaf" "p";
  ASSERT_EQ(nfc(nfd_text), nfc_text);
  std::string csv = "id,lon,lat,category\n";
  int k = 0;
  for (const std::string& c : {nfc_text, nfd_text, nfc_text, lower, std::string("  THEFT "),
                               std::string("trom cap"), std::string("")})
    csv += std::to_string(++k) + ",106.61,20.81," + c + "\n";
  auto o = inputs(dir, dir.write("inc.csv", csv));
  auto in = load_inputs(o);
  const auto& inc = in.incidents;
  std::set<std::string> labels(inc.categories.labels().begin(), inc.categories.labels().end());
  EXPECT_EQ(labels, (std::set<std::string>{nfc_text, "THEFT", "trom cap"}));
  EXPECT_EQ(inc.category[3], inc.category[0]);
  EXPECT_EQ(inc.category[6], Dictionary::kNone);

  o.incidents.category_case = CategoryCase::kKeep;
  auto kept = load_inputs(o);
  EXPECT_EQ(kept.incidents.categories.size(), 4u);  // NFC/NFD still one; the lower case apart

  o.incidents.category_case = CategoryCase::kFold;
  o.incidents.category_aliases = {{"Trộm cắp tài sản", {"trom cap", "theft", "trộm cắp"}}};
  auto aliased = load_inputs(o);
  ASSERT_EQ(aliased.incidents.categories.size(), 1u);
  EXPECT_EQ(aliased.incidents.categories[0], "Trộm cắp tài sản");
  EXPECT_EQ(aliased.incidents.category_spellings.at("Trộm cắp tài sản").size(), 5u);
}

TEST(MessyIngest, Windows1258File) {
  test::TempDir dir;
  // "Kinh độ" in Windows-1258: o + combining dot below (0xF2) + circumflex ... as cp1258 bytes.
  const std::string kinh_do = "Kinh \xf0\xf4\xf2";  // đ ô + U+0323 (dot below)
  const std::string theft = "Tr\xf4\xf2m c\xe3\xec" "p";  // Trộm cắp
  const std::string path = dir.write(
      "inc.csv", "id," + kinh_do + ",lat,category\n1,106.61,20.81," + theft + "\n");
  auto o = inputs(dir, path);
  o.incidents.x_field = "Kinh độ";
  try {
    load_inputs(o);
    ADD_FAILURE() << "read as UTF-8";
  } catch (const UsageError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no column named 'Kinh độ'"), std::string::npos) << m;
    EXPECT_NE(m.find("--encoding"), std::string::npos) << m;
    EXPECT_NE(m.find("line 1"), std::string::npos) << m;
  }
  o.incidents.encoding = "cp1258";
  auto in = load_inputs(o);
  ASSERT_EQ(in.report.accepted, 1);
  EXPECT_EQ(in.incidents.categories[0], "Trộm cắp");  // decoded, then NFC
  o.incidents.encoding = "no-such-encoding";
  EXPECT_THROW(load_inputs(o), UsageError);
}

TEST(MessyIngest, RejectGateNamesReasonExamplesAndFormat) {
  test::TempDir dir;
  std::string csv = "id,lon,lat,time\n";
  for (int i = 1; i <= 10; ++i)
    csv += std::to_string(i) + ",106.61,20.81," + std::to_string(i) + "/09/2025 00:10\n";
  auto o = inputs(dir, dir.write("inc.csv", csv));
  try {
    load_inputs(o);
    ADD_FAILURE() << "gate did not stop";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad_timestamp (10 rows)"), std::string::npos) << m;
    EXPECT_NE(m.find("line 2: 1,106.61,20.81,1/09/2025 00:10"), std::string::npos) << m;
    EXPECT_NE(m.find("line 3:"), std::string::npos) << m;
    EXPECT_NE(m.find("--time-format 'dmy'"), std::string::npos) << m;
  }
  o.incidents.time_format = "dmy";
  EXPECT_EQ(load_inputs(o).report.time_missing, 0);
  o.incidents.time_format = "iso";
  o.incidents.max_reject_share = 1;  // off: kept without times
  EXPECT_EQ(load_inputs(o).report.time_missing, 10);
}

}  // namespace
}  // namespace hotspot
