#pragma once
// Streaming RFC 4180 reader: quoted fields (with embedded delimiters, quotes and newlines), a UTF-8
// BOM, LF, CRLF or CR record ends (mixed too), and ',', ';' or tab delimiters detected from the
// header. It holds one buffer of a few MiB, never the whole file.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.hpp"

namespace hotspot {

struct CsvRecord {
  std::vector<std::string_view> fields;  // unquoted; valid until the next call to next()
  std::string_view raw;                  // the record as in the file, without its line end
  std::int64_t line = 0;                 // physical line of its first character (header = 1)
  bool unterminated_quote = false;       // a quote was still open at the end of the file
};

class CsvReader {
 public:
  // hash: keep the SHA-256 of the bytes read (sha256()); a second pass over a file already
  // hashed does without.
  explicit CsvReader(const std::string& path, bool hash = true);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::vector<std::string>& header() const { return header_; }
  char delimiter() const { return delim_; }
  // About how many records the file holds (header included), from its size and the line ends in
  // the first buffer read; for sizing columns only.
  std::size_t estimated_records() const { return estimated_records_; }
  // Reads the next non-blank record; false at the end of the file.
  bool next(CsvRecord& rec);
  // As next(), but rec.fields is left empty: for finding records by line (rec.raw, rec.line).
  bool next_raw(CsvRecord& rec);
  // SHA-256 and length of every byte read from the file so far. Once next() has returned false
  // these are exactly the bytes parsed (a file appended to while it is read: up to where the
  // reading stopped), so the provenance hash and the rows analysed come from the same pass.
  std::string sha256() const { return digest_.hex(); }
  std::int64_t bytes_read() const { return digest_.bytes(); }

 private:
  bool fill();  // reads more bytes after the unparsed tail
  bool find_record_end(std::size_t* end, bool* open_quote, std::size_t* term, bool* quoted);
  void split(std::string_view raw, CsvRecord& rec);
  bool advance(CsvRecord& rec, bool split_fields);

  std::FILE* file_ = nullptr;
  std::string path_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;  // unparsed bytes are buf_[begin_, end_)
  bool eof_ = false;
  std::int64_t line_ = 1;
  char delim_ = ',';
  std::size_t estimated_records_ = 0;
  std::vector<std::string> header_;
  std::string scratch_;  // unescaped quoted fields
  Sha256 digest_;
  bool hash_ = true;
};

}  // namespace hotspot
