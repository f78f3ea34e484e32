#include "io/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "hotspot/error.hpp"
#include "support/temp_dir.hpp"
#include "util/hash.hpp"

namespace hotspot {
namespace {

std::vector<std::vector<std::string>> read_all(const std::string& path,
                                               std::vector<std::int64_t>* lines = nullptr,
                                               std::vector<bool>* open_quotes = nullptr) {
  CsvReader r(path);
  std::vector<std::vector<std::string>> rows;
  CsvRecord rec;
  while (r.next(rec)) {
    rows.emplace_back(rec.fields.begin(), rec.fields.end());
    if (lines) lines->push_back(rec.line);
    if (open_quotes) open_quotes->push_back(rec.unterminated_quote);
  }
  return rows;
}

TEST(CsvReader, BomCrlfAndTruncatedLastLine) {
  test::TempDir dir;
  auto path = dir.write("a.csv", "\xEF\xBB\xBFid,lon,lat\r\n1,106.5,20.8\r\n2,106.6,20.9");
  CsvReader r(path);
  EXPECT_EQ(r.header(), (std::vector<std::string>{"id", "lon", "lat"}));
  auto rows = read_all(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "106.5", "20.8"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "106.6", "20.9"}));
}

TEST(CsvReader, CrOnlyAndMixedLineEndsAreAllRecordEnds) {
  test::TempDir dir;
  std::vector<std::int64_t> lines;
  auto cr = read_all(dir.write("cr.csv", "id,lon\r1,106.5\r2,106.6\r"), &lines);
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_EQ(cr[1], (std::vector<std::string>{"2", "106.6"}));
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3}));
  lines.clear();
  auto mixed =
      read_all(dir.write("mixed.csv", "id,lon\r\n1,a\r2,b\n3,c\r\n\r\r4,\"x\ry\"\r5,e"), &lines);
  ASSERT_EQ(mixed.size(), 5u);
  EXPECT_EQ(mixed[2], (std::vector<std::string>{"3", "c"}));
  EXPECT_EQ(mixed[3], (std::vector<std::string>{"4", "x\ry"}));  // a CR inside quotes is data
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3, 4, 7, 9}));
}

// A CRLF whose CR is the last byte of a buffer read is one record end, not a record end and a blank
// line; a CR that is the last byte of the file ends the record.
TEST(CsvReader, CrlfSplitAcrossBufferReads) {
  test::TempDir dir;
  const std::size_t chunk = 4 << 20;
  std::string text = "id,v\r\n";
  std::int64_t n = 0;
  while (text.size() + 32 < chunk) text += std::to_string(n++) + ",x\r\n";
  text += "pad," + std::string(chunk - 1 - text.size() - 4, 'b') + "\r\n" + "last,c\r";
  ASSERT_EQ(text[chunk - 1], '\r');
  ASSERT_EQ(text[chunk], '\n');
  std::vector<std::int64_t> lines;
  auto rows = read_all(dir.write("big.csv", text), &lines);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(n + 2));
  EXPECT_EQ(rows[rows.size() - 2][0], "pad");
  EXPECT_EQ(rows.back(), (std::vector<std::string>{"last", "c"}));
  EXPECT_EQ(lines.back(), n + 3);
}

TEST(CsvReader, QuotedFieldsWithDelimitersQuotesAndNewlines) {
  test::TempDir dir;
  auto path = dir.write(
      "q.csv",
      "id,cat,lon\n1,\"theft, attempted\",1\n2,\"say \"\"hi\"\"\",2\n3,\"two\nlines\",3\n4,x,4\n");
  std::vector<std::int64_t> lines;
  auto rows = read_all(path, &lines);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][1], "theft, attempted");
  EXPECT_EQ(rows[1][1], "say \"hi\"");
  EXPECT_EQ(rows[2][1], "two\nlines");
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3, 4, 6}));  // physical line of each record
}

TEST(CsvReader, SemicolonAndTabDelimitersAreDetected) {
  test::TempDir dir;
  CsvReader semi(dir.write("s.csv", "id;lon;lat\n1;106,5;20,8\n"));
  EXPECT_EQ(semi.delimiter(), ';');
  CsvReader tab(dir.write("t.csv", "id\tlon\tlat\n1\t106.5\t20.8\n"));
  EXPECT_EQ(tab.delimiter(), '\t');
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  test::TempDir dir;
  std::vector<std::int64_t> lines;
  auto rows = read_all(dir.write("b.csv", "id,x\n\n1,2\r\n   \n3,4\n\n"), &lines);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(lines, (std::vector<std::int64_t>{3, 5}));
}

TEST(CsvReader, UnterminatedQuoteRunsToTheEndAndIsFlagged) {
  test::TempDir dir;
  std::vector<bool> open;
  auto rows = read_all(dir.write("u.csv", "id,x\n1,2\n2,\"oops\n3,4\n"), nullptr, &open);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(open[0]);
  EXPECT_TRUE(open[1]);
}

TEST(CsvReader, RecordsLongerThanTheBufferAndManyRows) {
  test::TempDir dir;
  std::string big(9 << 20, 'a');  // longer than the 4 MiB read buffer
  std::string content = "id,text\n1," + big + "\n";
  for (int i = 2; i <= 200000; ++i) content += std::to_string(i) + ",t\n";
  auto rows = read_all(dir.write("big.csv", content));
  ASSERT_EQ(rows.size(), 200000u);
  EXPECT_EQ(rows[0][1].size(), big.size());
  EXPECT_EQ(rows.back()[0], "200000");
}

TEST(CsvReader, EmptyAndMissingFilesAreClearErrors) {
  test::TempDir dir;
  EXPECT_THROW(CsvReader(dir.write("e.csv", "")), InputError);
  EXPECT_THROW(CsvReader(dir.file("missing.csv")), IoError);
}

// The provenance hash covers exactly the bytes parsed, in the same pass: rows appended while the
// file is read are in both the rows and the hash; rows appended after the end are in neither.
TEST(CsvReader, HashCoversExactlyTheBytesParsed) {
  test::TempDir dir;
  std::string text = "id,lon,lat\n";
  for (int i = 0; text.size() < (5u << 20); ++i)  // more than the 4 MiB first read
    text += std::to_string(i) + ",106.5,20.8\n";
  const std::string path = dir.write("grow.csv", text);
  CsvReader r(path);
  CsvRecord rec;
  ASSERT_TRUE(r.next(rec));
  std::int64_t rows = 1;
  const std::string appended = "x1,106.6,20.9\nx2,106.7,21.0\n";
  {
    std::FILE* f = std::fopen(path.c_str(), "ab");
    std::fwrite(appended.data(), 1, appended.size(), f);
    std::fclose(f);
  }
  std::string last;
  while (r.next(rec)) ++rows, last = std::string(rec.fields[0]);
  EXPECT_EQ(last, "x2");  // the appended rows were parsed ...
  EXPECT_EQ(r.sha256(), sha256_text(text + appended));  // ... and hashed
  EXPECT_EQ(r.bytes_read(), static_cast<std::int64_t>(text.size() + appended.size()));
  {
    std::FILE* f = std::fopen(path.c_str(), "ab");
    std::fputs("late,1,2\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(r.sha256(), sha256_text(text + appended));  // a row never parsed is never hashed
  EXPECT_EQ(sha256_file(path), sha256_text(text + appended + "late,1,2\n"));
  EXPECT_GT(rows, 2);
}

}  // namespace
}  // namespace hotspot

namespace hotspot {
namespace {

TEST(CsvReader, EstimatesItsRecordsFromTheFirstBuffer) {
  test::TempDir dir;
  std::string text = "id,lon,lat\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",106.5,20.8\n";
  CsvReader r(dir.write("a.csv", text));
  EXPECT_NEAR(static_cast<double>(r.estimated_records()), 1001.0, 2.0);
  CsvReader empty(dir.write("b.csv", "id,lon,lat"));
  EXPECT_LE(empty.estimated_records(), 1u);
}

}  // namespace
}  // namespace hotspot

namespace hotspot {
namespace {

TEST(CsvReader, NextRawFindsTheSameRecordsAsNext) {
  test::TempDir dir;
  const std::string path = dir.write(
      "a.csv", "id,lon,note\r\n1,106.5,\"two\nlines\"\r\n\r\n2,106.6,plain\r3,106.7,\"a \"\"q\"\"\"\n4,1,\"open");
  CsvReader a(path), b(path, /*hash=*/false);
  CsvRecord ra, rb;
  int n = 0;
  while (a.next(ra)) {
    ASSERT_TRUE(b.next_raw(rb));
    EXPECT_EQ(ra.raw, rb.raw);
    EXPECT_EQ(ra.line, rb.line);
    EXPECT_EQ(ra.unterminated_quote, rb.unterminated_quote);
    EXPECT_TRUE(rb.fields.empty());
    ++n;
  }
  EXPECT_FALSE(b.next_raw(rb));
  EXPECT_EQ(n, 4);
  EXPECT_EQ(b.sha256(), Sha256().hex());  // the second pass hashes nothing
}

}  // namespace
}  // namespace hotspot
