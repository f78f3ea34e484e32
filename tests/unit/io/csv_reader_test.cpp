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

// A quoted field never closed would take in every line to the end of the file: only the line on
// which it opened is flagged, and reading resumes on the next line.
TEST(CsvReader, UnterminatedQuoteFlagsItsLineAndReadingResumes) {
  test::TempDir dir;
  const std::string path = dir.write("u.csv", "id,x\n1,2\n2,\"oops\n3,4\n5,a\"\"b\n");
  std::vector<bool> open;
  std::vector<std::int64_t> lines;
  auto rows = read_all(path, &lines, &open);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(open, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "oops"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"5", "a\"\"b"}));
  CsvReader r(path);
  CsvRecord rec;
  ASSERT_TRUE(r.next(rec) && r.next(rec));
  EXPECT_EQ(rec.quote_open_line, 3);
  EXPECT_EQ(rec.quote_open_lines, 3);  // lines 3 to 5, the end of the file
  EXPECT_FALSE(rec.quote_open_at_limit);
  // A quote opened on the second line of a record (after a closed multi-line field).
  lines.clear(), open.clear();
  auto two = read_all(dir.write("v.csv", "id,a,b\n1,\"x\ny\",\"open\n2,c,d\n"), &lines, &open);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(open, (std::vector<bool>{true, false}));
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 4}));
}

// Only a quote that begins a field opens a quoted field; anywhere else it is a literal character
// (as Python's csv, Excel and GDAL read it), so one inch mark does not swallow the file.
TEST(CsvReader, QuoteInsideAnUnquotedFieldIsText) {
  test::TempDir dir;
  std::vector<bool> open;
  auto rows = read_all(
      dir.write("q.csv", "id,cat,n\n1,theft 12\"A,5\n2,b\"c\"d,6\n3,\"q\"\"x\"y,7\n4, \"s\",8\n"),
      nullptr, &open);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "theft 12\"A", "5"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "b\"c\"d", "6"}));
  EXPECT_EQ(rows[2],
            (std::vector<std::string>{"3", "q\"xy", "7"}));  // text after the closing quote
  EXPECT_EQ(rows[3], (std::vector<std::string>{"4", " \"s\"", "8"}));  // a space before the quote
  EXPECT_EQ(open, (std::vector<bool>{false, false, false, false}));
}

// The header and each record have a size limit: a file without line ends is refused with the
// limit and the line, instead of being read into memory whole.
TEST(CsvReader, HeaderAndRecordLongerThanTheirLimitsAreRefused) {
  test::TempDir dir;
  try {
    CsvReader r(dir.write("h.csv", std::string((1u << 20) + 10, 'a')));
    ADD_FAILURE() << "a 1 MiB header was read";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("the header (line 1) has no line end within 1 MiB"), std::string::npos) << m;
  }
  // A header just under the limit is read.
  EXPECT_NO_THROW(CsvReader(dir.write("ok.csv", std::string((1u << 20) - 1, 'a') + "\n1\n")));
  CsvLimits small;
  small.record_bytes = 1000;
  CsvReader r(dir.write("r.csv", "id,x\n1,2\n2," + std::string(5000, 'b')), true, small);
  CsvRecord rec;
  ASSERT_TRUE(r.next(rec));
  try {
    r.next(rec);
    ADD_FAILURE() << "a record over its limit was read";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("the record starting on line 3 has no line end within 1000 bytes, the limit "
                     "for one record"),
              std::string::npos)
        << m;
  }
  // A record within the limit is read whole.
  CsvReader fits(dir.write("f.csv", "id,x\n1," + std::string(900, 'b') + "\n"), true, small);
  ASSERT_TRUE(fits.next(rec));
  EXPECT_EQ(rec.fields[1].size(), 900u);
}

// A quoted field still open when its record reaches the limit: its line is flagged, as at the end
// of the file, and the lines after it are read.
TEST(CsvReader, QuoteOpenAtTheRecordLimitFlagsItsLine) {
  test::TempDir dir;
  std::string text = "id,x\n1,\"open\n";
  for (int i = 2; i < 200; ++i) text += std::to_string(i) + ",v\n";
  CsvLimits small;
  small.record_bytes = 256;
  CsvReader r(dir.write("l.csv", text), true, small);
  CsvRecord rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_TRUE(rec.unterminated_quote);
  EXPECT_TRUE(rec.quote_open_at_limit);
  EXPECT_EQ(rec.raw, "1,\"open");
  EXPECT_GT(rec.quote_open_lines, 10);
  int n = 0;
  while (r.next(rec)) {
    ++n;
    EXPECT_FALSE(rec.unterminated_quote);
  }
  EXPECT_EQ(n, 198);
}

// Rows of separators only (Excel's "used range": ";;;;;;") are skipped as blank lines are.
TEST(CsvReader, RecordsOfEmptyFieldsAreSkippedAsBlankLines) {
  test::TempDir dir;
  const std::string path = dir.write(
      "s.csv", "id;x;y\r\n1;2;3\r\n;;\r\n;;;;;;\r\n\"\" ; ;\t\r\n4;5;6\r\n\"\"\"\";;\r\n");
  std::vector<std::int64_t> lines;
  auto rows = read_all(path, &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 6, 7}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"\"", "", ""}));  // a quote is not empty
  CsvReader raw(path);
  CsvRecord rec;
  int n = 0;
  while (raw.next_raw(rec)) ++n;
  EXPECT_EQ(n, 3);
}

// Excel's first line "sep=;" declares the delimiter: it is skipped, and the header is line 2.
TEST(CsvReader, ExcelSepLineDeclaresTheDelimiter) {
  test::TempDir dir;
  CsvReader semi(dir.write("s.csv", "\xEF\xBB\xBFsep=;\r\nid;lon,x\r\n1;106,5\r\n"));
  EXPECT_EQ(semi.delimiter(), ';');
  EXPECT_TRUE(semi.delimiter_declared());
  EXPECT_EQ(semi.header(), (std::vector<std::string>{"id", "lon,x"}));
  CsvRecord rec;
  ASSERT_TRUE(semi.next(rec));
  EXPECT_EQ(rec.line, 3);
  EXPECT_EQ(rec.fields[1], "106,5");
  CsvReader tab(dir.write("t.csv", "sep=\t\nid\tlon\n1\t2"));
  EXPECT_EQ(tab.delimiter(), '\t');
  // Not a declaration: the first line is the header.
  CsvReader not_sep(dir.write("n.csv", "sep=;;\nid;lon\n"));
  EXPECT_FALSE(not_sep.delimiter_declared());
  EXPECT_EQ(not_sep.header().front(), "sep=");
}

// UTF-16 (Excel's "Unicode Text", with its byte order mark) is decoded to UTF-8 as it is read.
std::string utf16(const std::u16string& s, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t c : s) {
    const char lo = static_cast<char>(c & 0xFF), hi = static_cast<char>(c >> 8);
    out += little_endian ? std::string{lo, hi} : std::string{hi, lo};
  }
  return out;
}

TEST(CsvReader, Utf16WithByteOrderMarkIsDecoded) {
  test::TempDir dir;
  const std::u16string text = u"id\tcat\r\n1\tTr\u1ED9m c\u1EAFp \U0001F600\r\n2\t\"a\tb\"\r\n";
  for (bool le : {true, false}) {
    const std::string bytes = utf16(text, le);
    const std::string path = dir.write(le ? "le.csv" : "be.csv", bytes);
    CsvReader r(path);
    EXPECT_EQ(r.utf16(), le ? "utf-16le" : "utf-16be");
    EXPECT_EQ(r.delimiter(), '\t');
    EXPECT_EQ(r.header(), (std::vector<std::string>{"id", "cat"}));
    auto rows = read_all(path);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][1], "Trộm cắp \xF0\x9F\x98\x80");
    EXPECT_EQ(rows[1][1], "a\tb");
    CsvRecord rec;
    while (r.next(rec)) {
    }
    EXPECT_EQ(r.sha256(), sha256_text(bytes));  // the hash is of the file's bytes
  }
  // Longer than a read, with pairs and units split across reads; an odd last byte is U+FFFD.
  std::u16string big = u"id,cat\n";
  for (int i = 0; big.size() < (3u << 20); ++i)
    big += std::u16string(u"1,\u1ED9\U0001F600x") + (i % 7 ? u"" : u"\u00e9") + u"\n";
  const std::string path = dir.write("big.csv", utf16(big, true) + "\x41");
  auto rows = read_all(path);
  std::size_t n = 0;
  for (std::size_t i = 0; i < big.size(); ++i) n += big[i] == u'\n';
  ASSERT_EQ(rows.size(), n - 1 + 1);
  for (std::size_t i = 0; i + 1 < rows.size(); ++i)
    ASSERT_EQ(rows[i][1].substr(0, 8), "\xE1\xBB\x99\xF0\x9F\x98\x80x") << i;
  EXPECT_EQ(rows.back(), (std::vector<std::string>{"\xEF\xBF\xBD"}));
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
