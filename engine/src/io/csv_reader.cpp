#include "io/csv_reader.hpp"

#include <iconv.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {
constexpr std::size_t kChunk = 4 << 20;

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Where a quote stands in a record: only a quote at the start of a field opens a quoted field.
enum class QuoteState { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

// The length of the line end at p[i] (a CR or an LF): 2 for CRLF, else 1.
std::size_t line_end_length(const char* p, std::size_t i, std::size_t end) {
  return p[i] == '\r' && i + 1 < end && p[i + 1] == '\n' ? 2 : 1;
}

// Line ends inside a record (in quoted fields): LF, CRLF and a lone CR each count once.
std::int64_t line_ends(std::string_view s) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) ++n;
  return n;
}
}  // namespace

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

CsvReader::CsvReader(const std::string& path, bool hash, CsvLimits limits)
    : path_(path), buf_(kChunk), hash_(hash), limits_(limits) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw IoError("cannot open incidents file '" + path + "': " + std::strerror(errno));
  fill();
  // Excel's "Unicode Text" and "CSV UTF-16": decoded to UTF-8 as the file is read, so every
  // record, field and message below is UTF-8.
  if (end_ >= 2 &&
      ((buf_[0] == '\xFF' && buf_[1] == '\xFE') || (buf_[0] == '\xFE' && buf_[1] == '\xFF'))) {
    utf16_ = buf_[0] == '\xFF' ? "utf-16le" : "utf-16be";
    iconv_ = iconv_open("UTF-8", utf16_ == "utf-16le" ? "UTF-16LE" : "UTF-16BE");
    if (iconv_ == reinterpret_cast<void*>(-1)) {
      iconv_ = nullptr;
      throw InputError("incidents file '" + path +
                       "' is UTF-16, which this system's iconv cannot " +
                       "decode: save it as \"CSV UTF-8\"");
    }
    raw_.assign(buf_.begin() + 2, buf_.begin() + static_cast<std::ptrdiff_t>(end_));
    raw_len_ = raw_.size();
    raw_.resize(std::max(raw_.size(), kChunk));
    raw_eof_ = eof_;
    eof_ = false;
    begin_ = end_ = 0;
    fill();
  }
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
  // Excel writes "sep=;" as the first line to declare the delimiter (and skips it when it opens
  // the file): the line is no header, and its character is the delimiter.
  {
    const std::string_view head(buf_.data() + begin_, end_ - begin_);
    if (head.size() >= 5 && head.substr(0, 4) == "sep=" && head[4] != '"' && head[4] != '\r' &&
        head[4] != '\n' && (head.size() == 5 || head[5] == '\r' || head[5] == '\n')) {
      delim_ = head[4];
      sep_line_ = true;
      begin_ += head.size() == 5 ? 5 : 5 + line_end_length(head.data(), 5, head.size());
      line_ = 2;
    }
  }
  // Otherwise the delimiter is whichever of , ; TAB occurs most often in the header line. The
  // line is found first with plain quote pairing, as the delimiter is not known yet.
  if (!sep_line_) {
    std::size_t i = begin_;
    bool in_quote = false;
    for (;; ++i) {
      if (i == end_) {
        const std::size_t at = i - begin_;
        if (at > limit() || !fill()) break;
        i = begin_ + at;
      }
      if (i - begin_ > limit()) too_long();
      const char c = buf_[i];
      if (c == '"') in_quote = !in_quote;
      if ((c == '\n' || c == '\r') && !in_quote) break;
    }
    if (i - begin_ > limit()) too_long();
    std::string_view hdr(buf_.data() + begin_, i - begin_);
    std::size_t best = 0;
    for (char c : {',', ';', '\t'}) {
      auto n = static_cast<std::size_t>(std::count(hdr.begin(), hdr.end(), c));
      if (n > best) best = n, delim_ = c;
    }
  }
  CsvRecord rec;
  if (!next(rec)) throw InputError("incidents file '" + path + "' is empty: no header line");
  in_header_ = false;
  for (auto f : rec.fields) {
    while (!f.empty() && (f.front() == ' ')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ')) f.remove_suffix(1);
    header_.emplace_back(f);
  }
}

CsvReader::~CsvReader() {
  if (iconv_) iconv_close(static_cast<iconv_t>(iconv_));
  if (file_) std::fclose(file_);
}

void CsvReader::too_long() const {
  const std::string what = in_header_ ? "the header (line " + std::to_string(line_) + ")"
                                      : "the record starting on line " + std::to_string(line_);
  throw InputError("incidents file '" + path_ + "': " + what + " has no line end within " +
                   byte_size_text(limit()) + ", the limit for " +
                   (in_header_ ? "the header line" : "one record") +
                   ": is it a CSV file? (a binary file, or text without line ends)");
}

void CsvReader::grow() {
  // Never much more than a record at its limit: a file without line ends (/dev/zero) is refused
  // when the limit is reached, not read into memory whole.
  const std::size_t most = std::max(limit(), limits_.header_bytes) + kChunk + 16;
  buf_.resize(std::max(std::min(buf_.size() * 2, most), buf_.size() + 16));
}

// Decodes the UTF-16 bytes read so far (reading more when they are used up) into buf_ after end_.
// A unit or surrogate pair split across reads waits for the next; an unpaired surrogate, or an odd
// byte at the end of the file, becomes U+FFFD, as invalid UTF-8 does.
bool CsvReader::decode_utf16() {
  for (;;) {
    if (!raw_eof_ && raw_len_ < raw_.size()) {
      const std::size_t n = std::fread(raw_.data() + raw_len_, 1, raw_.size() - raw_len_, file_);
      if (n == 0 && std::ferror(file_))
        throw IoError("read error in '" + path_ + "': " + std::strerror(errno));
      if (n == 0) raw_eof_ = true;
      if (hash_ && n > 0) digest_.update(raw_.data() + raw_len_, n);
      raw_len_ += n;
    }
    char* src = raw_.data();
    std::size_t src_left = raw_len_;
    char* dst = buf_.data() + end_;
    std::size_t dst_left = buf_.size() - end_;
    auto replacement = [&](std::size_t skip) {
      std::memcpy(dst, "\xEF\xBF\xBD", 3);
      dst += 3, dst_left -= 3;
      src += skip, src_left -= skip;
    };
    while (src_left > 0 && dst_left >= 4) {
      if (iconv(static_cast<iconv_t>(iconv_), &src, &src_left, &dst, &dst_left) !=
          static_cast<std::size_t>(-1))
        break;
      if (errno == EILSEQ) {
        replacement(std::min<std::size_t>(2, src_left));
      } else if (errno == EINVAL && raw_eof_) {
        replacement(src_left);  // a truncated last unit
      } else {
        break;  // E2BIG: buf_ is full; EINVAL: the rest of a unit or pair is still to be read
      }
    }
    const auto produced = static_cast<std::size_t>(dst - (buf_.data() + end_));
    std::memmove(raw_.data(), src, src_left);
    raw_len_ = src_left;
    end_ += produced;
    if (produced > 0) return true;
    if (raw_eof_) return false;
  }
}

bool CsvReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < 16) grow();  // a record longer than the buffer
  if (iconv_) {
    if (decode_utf16()) return true;
    eof_ = true;
    return false;
  }
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
// begin_, reading more as needed; r->term is the length of that line end (0 at the end of the
// file). A record runs to the end of the file when no line end follows (a truncated last line is
// still a record). A CR that ends the buffer waits for the next byte, so a CRLF split across reads
// is one end.
//
// Only a quote at the start of a field opens a quoted field (`theft 12"A` is text). A quoted field
// still open at the end of the file, or when the record reaches its limit, would take in every
// line after it: the record ends instead with the line on which that field opened, and is flagged
// (r->open_quote). Past that quote every run of quotes is doubled (else the field would have
// closed), so no later field can stay open: the file is still read once.
//
// The common record (under 1 KiB, no quote, no lone CR) is found with memchr, which libc
// vectorises; anything else goes through the byte loop. r->quoted says whether the record holds a
// quoted field (only then can it hold line ends).
bool CsvReader::find_record_end(RecordEnd* r) {
  std::size_t scanned = begin_;
  QuoteState state = QuoteState::kFieldStart;
  std::size_t open_at = 0;  // the quote that opened the current quoted field, from begin_
  *r = RecordEnd{};
  // Ends the record with the line on which the open quoted field began, when a line end follows
  // it before `stop`.
  auto end_at_open_line = [&](std::size_t stop) {
    const char* p = buf_.data();
    const std::size_t from = begin_ + open_at;
    for (std::size_t k = from; k < stop; ++k) {
      if (p[k] != '\n' && p[k] != '\r') continue;
      const std::string_view rest(p + from, stop - from);
      const bool ends_with_line_end = rest.back() == '\n' || rest.back() == '\r';
      r->open_lines = line_ends(rest) + (ends_with_line_end ? 0 : 1);
      r->end = k;
      r->term = line_end_length(p, k, end_);
      r->open_quote = true;
      return true;
    }
    return false;
  };
  for (;;) {
    const char* p = buf_.data();
    std::size_t i = scanned;
    const std::size_t stop = std::min(end_, begin_ + limit() + 1);  // one byte past the limit
    if (state != QuoteState::kQuoted && i < stop) {
      // A window, so a file without LF (CR line ends) is not scanned to its end.
      if (const void* lf = std::memchr(p + i, '\n', std::min<std::size_t>(stop - i, 1024))) {
        const auto j = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
        if (!std::memchr(p + i, '"', j - i)) {
          const void* cr = std::memchr(p + i, '\r', j - i);
          if (!cr || cr == p + j - 1) {  // LF or CRLF, no lone CR before it
            r->end = cr ? j - 1 : j;
            r->term = cr ? 2 : 1;
            return true;
          }
        }
      }
    }
    for (; i < stop; ++i) {
      const char c = p[i];
      if (state == QuoteState::kQuoted) {
        if (c == '"') state = QuoteState::kQuoteInQuoted;
        continue;
      }
      if (c == '"') {
        if (state == QuoteState::kFieldStart) {
          state = QuoteState::kQuoted;
          open_at = i - begin_;
          r->quoted = true;
        } else if (state == QuoteState::kQuoteInQuoted) {
          state = QuoteState::kQuoted;  // "" in a quoted field: a quote
        }  // else a quote inside an unquoted field: a literal character
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 == end_ && !eof_) break;  // is it CRLF? read on to see
        r->end = i;
        r->term = line_end_length(p, i, end_);
        return true;
      }
      state = c == delim_ ? QuoteState::kFieldStart : QuoteState::kUnquoted;
    }
    if (i - begin_ > limit()) {  // no line end within the limit
      if (state == QuoteState::kQuoted && end_at_open_line(i)) {
        r->at_limit = true;
        return true;
      }
      too_long();
    }
    const std::size_t consumed = i - begin_;
    const bool more = fill();  // may move the unparsed bytes to the front of the buffer
    scanned = begin_ + consumed;
    if (!more && scanned >= end_) {
      if (state == QuoteState::kQuoted && end_at_open_line(end_)) return true;
      r->end = end_;
      r->open_quote = state == QuoteState::kQuoted;
      if (r->open_quote) r->open_lines = 1;
      r->term = 0;
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
    RecordEnd r;
    if (!find_record_end(&r)) return false;
    std::string_view raw(buf_.data() + begin_, r.end - begin_);
    rec.line = line_;
    line_ += 1 + (r.quoted ? line_ends(raw) : 0);
    begin_ = std::min(r.end + r.term, end_);
    if (blank(raw)) continue;
    rec.raw = raw;
    rec.unterminated_quote = r.open_quote;
    rec.quote_open_at_limit = r.at_limit;
    rec.quote_open_lines = r.open_lines;
    rec.quote_open_line = r.open_quote ? rec.line + (r.quoted ? line_ends(raw) : 0) : 0;
    // A record of empty fields only (";;;;;;", the rows of Excel's "used range") is no more a
    // row than a blank line is.
    const bool separators_only = std::all_of(raw.begin(), raw.end(), [&](char c) {
      return c == delim_ || c == ' ' || c == '\t' || c == '"';
    });
    if (separators_only || split_fields) split(raw, rec);
    if (separators_only && std::all_of(rec.fields.begin(), rec.fields.end(),
                                       [](std::string_view f) { return blank(f); }))
      continue;
    if (!split_fields) rec.fields.clear();
    return true;
  }
}

}  // namespace hotspot
