#pragma once
// Text as analysts' files hold it: a declared encoding (cp1258, latin1, any iconv name) decoded to
// UTF-8, and Unicode normalisation (NFC) and case folding, so "Trộm cắp" typed on a Windows-1258
// keyboard (base letter + combining tone mark) and the same word typed precomposed are one value.
#include <memory>
#include <string>
#include <string_view>

namespace hotspot {

// True for names meaning UTF-8 (utf-8, UTF8, utf_8) or empty.
bool is_utf8_name(const std::string& encoding);

// True when `s` is valid UTF-8 (no control bytes check).
bool valid_utf8(std::string_view s);

// Decodes text in one encoding to UTF-8 with glibc's iconv. Throws UsageError naming
// `option` when iconv does not know the encoding.
class Decoder {
 public:
  Decoder(const std::string& encoding, const std::string& option);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  // False when `in` is not valid in the encoding; `out` then holds what decoded so far.
  bool decode(std::string_view in, std::string& out);

 private:
  void* cd_;
};

// NFC-normalised text (valid UTF-8 in, UTF-8 out); ASCII passes through untouched.
std::string nfc(std::string_view utf8);

// Full Unicode case folding of NFC text ("THEFT" and "Theft" -> "theft"; "TRỘM" -> "trộm").
std::string case_fold(std::string_view utf8);

}  // namespace hotspot
