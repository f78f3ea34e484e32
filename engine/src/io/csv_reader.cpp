#include "io/csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {
constexpr std::size_t kChunk = 4 << 20;

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Line ends inside a record (in quoted fields): LF, CRLF and a lone CR each count once.
std::int64_t line_ends(std::string_view s) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) ++n;
  return n;
}
}  // namespace

CsvReader::CsvReader(const std::string& path, bool hash) : path_(path), buf_(kChunk), hash_(hash) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw IoError("cannot open incidents file '" + path + "': " + std::strerror(errno));
  fill();
  {
    const std::string_view first(buf_.data(), end_);
    auto lf = static_cast<std::size_t>(std::count(first.begin(), first.end(), '\n'));
    if (lf == 0) lf = static_cast<std::size_t>(std::count(first.begin(), first.end(), '\r'));
    struct stat st;
    if (!first.empty() && ::fstat(fileno(file_), &st) == 0 && st.st_size > 0)
      estimated_records_ = static_cast<std::size_t>(
          static_cast<double>(lf + 1) *
          (static_cast<double>(st.st_size) / static_cast<double>(first.size())));
  }
  if (end_ - begin_ >= 3 && std::memcmp(buf_.data() + begin_, "\xEF\xBB\xBF", 3) == 0) begin_ += 3;
  // The delimiter is whichever of , ; TAB occurs most often in the header line outside quotes.
  std::size_t hdr_end, term;
  bool open_quote, quoted;
  if (!find_record_end(&hdr_end, &open_quote, &term, &quoted))
    throw InputError("incidents file '" + path + "' is empty: no header line");
  std::string_view hdr(buf_.data() + begin_, hdr_end - begin_);
  std::size_t best = 0;
  for (char c : {',', ';', '\t'}) {
    auto n = static_cast<std::size_t>(std::count(hdr.begin(), hdr.end(), c));
    if (n > best) best = n, delim_ = c;
  }
  CsvRecord rec;
  if (!next(rec)) throw InputError("incidents file '" + path + "' is empty: no header line");
  for (auto f : rec.fields) {
    while (!f.empty() && (f.front() == ' ')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ')) f.remove_suffix(1);
    header_.emplace_back(f);
  }
}

CsvReader::~CsvReader() {
  if (file_) std::fclose(file_);
}

bool CsvReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a record longer than the buffer
  std::size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
  if (n == 0) {
    if (std::ferror(file_)) throw IoError("read error in '" + path_ + "': " + std::strerror(errno));
    eof_ = true;
    return false;
  }
  if (hash_) digest_.update(buf_.data() + end_, n);
  end_ += n;
  return true;
}

// Finds the line end (LF, CRLF or a lone CR, outside quotes) ending the record that starts at
// begin_, reading more as needed; *term is the length of that line end (0 at the end of the file).
// A record runs to the end of the file when no line end follows (a truncated last line is still a
// record). A CR that ends the buffer waits for the next byte, so a CRLF split across reads is one
// end.
//
// The common record (under 1 KiB, no quote, no lone CR) is found with memchr, which libc
// vectorises; anything else goes through the byte loop. *quoted says whether the record holds a quote (only
// then can it hold line ends).
bool CsvReader::find_record_end(std::size_t* end, bool* open_quote, std::size_t* term, bool* quoted) {
  std::size_t scanned = begin_;
  bool in_quote = false;
  *quoted = false;
  for (;;) {
    const char* p = buf_.data();
    std::size_t i = scanned;
    if (!in_quote) {  // a window, so a file without LF (CR line ends) is not scanned to its end
      if (const void* lf = std::memchr(p + i, '\n', std::min<std::size_t>(end_ - i, 1024))) {
        const auto j = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
        if (!std::memchr(p + i, '"', j - i)) {
          const void* cr = std::memchr(p + i, '\r', j - i);
          if (!cr || cr == p + j - 1) {  // LF or CRLF, no lone CR before it
            *end = cr ? j - 1 : j;
            *open_quote = false;
            *term = cr ? 2 : 1;
            return true;
          }
        }
      }
    }
    for (; i < end_; ++i) {
      const char c = p[i];
      if (c == '"') {
        in_quote = !in_quote;
        *quoted = true;
      } else if ((c == '\n' || c == '\r') && !in_quote) {
        if (c == '\r' && i + 1 == end_ && !eof_) break;  // is it CRLF? read on to see
        *end = i;
        *open_quote = false;
        *term = c == '\r' && i + 1 < end_ && p[i + 1] == '\n' ? 2 : 1;
        return true;
      }
    }
    const std::size_t consumed = i - begin_;
    const bool more = fill();  // may move the unparsed bytes to the front of the buffer
    scanned = begin_ + consumed;
    if (!more && scanned >= end_) {
      *end = end_;
      *open_quote = in_quote;
      *term = 0;
      return end_ > begin_;
    }
  }
}

void CsvReader::split(std::string_view raw, CsvRecord& rec) {
  rec.fields.clear();
  scratch_.clear();
  scratch_.reserve(raw.size());  // never reallocates below, so views into it stay valid
  std::size_t i = 0;
  for (;;) {
    if (i < raw.size() && raw[i] == '"') {
      std::size_t start = scratch_.size();
      ++i;
      for (; i < raw.size(); ++i) {
        if (raw[i] == '"') {
          if (i + 1 < raw.size() && raw[i + 1] == '"') {
            scratch_.push_back('"');
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          scratch_.push_back(raw[i]);
        }
      }
      // Text between the closing quote and the delimiter is kept, as most readers do.
      while (i < raw.size() && raw[i] != delim_) scratch_.push_back(raw[i++]);
      rec.fields.emplace_back(scratch_.data() + start, scratch_.size() - start);
    } else {
      std::size_t start = i;
      while (i < raw.size() && raw[i] != delim_) ++i;
      rec.fields.push_back(raw.substr(start, i - start));
    }
    if (i >= raw.size()) break;
    ++i;  // the delimiter
  }
}

bool CsvReader::next(CsvRecord& rec) { return advance(rec, true); }

bool CsvReader::next_raw(CsvRecord& rec) { return advance(rec, false); }

bool CsvReader::advance(CsvRecord& rec, bool split_fields) {
  for (;;) {
    std::size_t end, term;
    bool open_quote, quoted;
    if (!find_record_end(&end, &open_quote, &term, &quoted)) return false;
    std::string_view raw(buf_.data() + begin_, end - begin_);
    rec.line = line_;
    line_ += 1 + (quoted ? line_ends(raw) : 0);
    begin_ = std::min(end + term, end_);
    if (blank(raw)) continue;
    rec.raw = raw;
    rec.unterminated_quote = open_quote;
    if (split_fields) {
      split(raw, rec);
    } else {
      rec.fields.clear();
    }
    return true;
  }
}

}  // namespace hotspot
