#pragma once
// Streaming RFC 4180 reader: quoted fields (with embedded delimiters, quotes and newlines), a UTF-8
// BOM, LF, CRLF or CR record ends (mixed too), and ',', ';' or tab delimiters detected from the
// header, or declared by Excel's first line `sep=X`. A file with a UTF-16 byte order mark (Excel's
// "Unicode Text") is decoded to UTF-8 as it is read. Only a field that begins with a quote is
// quoted; a quote anywhere else is a literal character, as Python's csv, Excel and GDAL read it.
// It holds one buffer of a few MiB, never the whole file: the header line and each record have a
// size limit (CsvLimits).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.hpp"

namespace hotspot {

// The longest header line and record read. A header longer than its limit, or a record without a
// line end within its limit (a binary file, /dev/zero), refuses the file (InputError): neither is
// a CSV an analyst made, and reading on would hold the whole file in memory.
struct CsvLimits {
  std::size_t header_bytes = std::size_t{1} << 20;   // DEFAULT: 1 MiB
  std::size_t record_bytes = std::size_t{64} << 20;  // DEFAULT: 64 MiB
};

// "64 MiB", "1 MiB", "1,000 bytes": a limit as messages name it.
std::string byte_size_text(std::size_t bytes);

struct CsvRecord {
  std::vector<std::string_view> fields;  // unquoted; valid until the next call to next()
  std::string_view raw;                  // the record as in the file, without its line end
  std::int64_t line = 0;                 // physical line of its first character (header = 1)
  // A quoted field opened in this record is not closed before the end of the file, or within the
  // record limit. The record then ends with the physical line on which that field opened, and
  // reading resumes on the next line (rather than taking in everything to the end of the file).
  bool unterminated_quote = false;
  bool quote_open_at_limit = false;   // ... the search stopped at the record limit, not the end
  std::int64_t quote_open_line = 0;   // ... the physical line on which the open field began
  std::int64_t quote_open_lines = 0;  // ... the lines it would have taken in, its own included
};

class CsvReader {
 public:
  // hash: keep the SHA-256 of the bytes read (sha256()); a second pass over a file already
  // hashed does without.
  explicit CsvReader(const std::string& path, bool hash = true, CsvLimits limits = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::vector<std::string>& header() const { return header_; }
  char delimiter() const { return delim_; }
  // True when the first line was Excel's `sep=X` (then the header is on line 2).
  bool delimiter_declared() const { return sep_line_; }
  // "utf-16le" or "utf-16be" when the file starts with a UTF-16 byte order mark (and is decoded to
  // UTF-8 as it is read); empty otherwise.
  const std::string& utf16() const { return utf16_; }
  const CsvLimits& limits() const { return limits_; }
  // About how many records the file holds (header included), from its size and the line ends in
  // the first buffer read; for sizing columns only.
  std::size_t estimated_records() const { return estimated_records_; }
  // Reads the next record that is not blank (nor made of empty fields only); false at the end of
  // the file.
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
  void grow();  // room for a record longer than the buffer, up to the record limit
  bool decode_utf16();  // decodes raw_ into buf_ after end_; false when nothing was added
  std::size_t limit() const { return in_header_ ? limits_.header_bytes : limits_.record_bytes; }
  [[noreturn]] void too_long() const;
  struct RecordEnd {
    std::size_t end = 0, term = 0;  // the record is buf_[begin_, end); its line end is term bytes
    bool quoted = false;            // it holds a quoted field (and so may hold line ends)
    bool open_quote = false;        // as CsvRecord::unterminated_quote
    bool at_limit = false;          // as CsvRecord::quote_open_at_limit
    std::int64_t open_lines = 0;    // as CsvRecord::quote_open_lines
  };
  bool find_record_end(RecordEnd* r);
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
  CsvLimits limits_;
  bool in_header_ = true;
  bool sep_line_ = false;
  // UTF-16 input: bytes read from the file and not yet decoded, and the iconv state.
  std::string utf16_;
  std::vector<char> raw_;
  std::size_t raw_len_ = 0;
  bool raw_eof_ = false;
  void* iconv_ = nullptr;
};

}  // namespace hotspot
