#include "io/encoding.hpp"

#include <iconv.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "hotspot/error.hpp"
#include "io/incidents.hpp"

namespace hotspot {

namespace {

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::u16string to_utf16(std::string_view s) {
  std::u16string out(s.size() + 1, u'\0');
  int32_t len = 0;
  UErrorCode err = U_ZERO_ERROR;
  u_strFromUTF8WithSub(reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()),
                       &len, s.data(), static_cast<int32_t>(s.size()), 0xFFFD, nullptr, &err);
  out.resize(U_SUCCESS(err) ? static_cast<std::size_t>(len) : 0);
  return out;
}

std::string to_utf8(const std::u16string& s) {
  std::string out(s.size() * 3 + 1, '\0');
  int32_t len = 0;
  UErrorCode err = U_ZERO_ERROR;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &len,
              reinterpret_cast<const UChar*>(s.data()), static_cast<int32_t>(s.size()), &err);
  out.resize(U_SUCCESS(err) ? static_cast<std::size_t>(len) : 0);
  return out;
}

std::u16string normalize16(const std::u16string& in) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* n = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) throw InternalError("ICU has no NFC normaliser");
  // NFC of a string is at most 3x its length in UTF-16 code units (Unicode's stated bound).
  std::u16string out(in.size() * 3 + 1, u'\0');
  int32_t len = unorm2_normalize(n, reinterpret_cast<const UChar*>(in.data()),
                                 static_cast<int32_t>(in.size()),
                                 reinterpret_cast<UChar*>(out.data()),
                                 static_cast<int32_t>(out.size()), &err);
  if (U_FAILURE(err)) return in;
  out.resize(static_cast<std::size_t>(len));
  return out;
}

}  // namespace

bool is_utf8_name(const std::string& e) {
  std::string k;
  for (char c : e)
    if (c != '-' && c != '_') k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k.empty() || k == "utf8";
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

Decoder::Decoder(const std::string& encoding, const std::string& option) {
  cd_ = iconv_open("UTF-8", encoding.c_str());
  if (cd_ == reinterpret_cast<void*>(-1))
    throw UsageError(option + " '" + encoding +
                     "': not an encoding iconv knows (e.g. utf-8, cp1258, latin1; `iconv -l` "
                     "lists them)");
}

Decoder::~Decoder() { iconv_close(static_cast<iconv_t>(cd_)); }

bool Decoder::decode(std::string_view in, std::string& out) {
  out.clear();
  if (ascii(in)) return out.assign(in), true;
  iconv(static_cast<iconv_t>(cd_), nullptr, nullptr, nullptr, nullptr);  // reset the state
  out.resize(in.size() * 4 + 8);
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  std::size_t r = iconv(static_cast<iconv_t>(cd_), &src, &src_left, &dst, &dst_left);
  bool ok = r != static_cast<std::size_t>(-1);
  if (ok) ok = iconv(static_cast<iconv_t>(cd_), nullptr, nullptr, &dst, &dst_left) !=
               static_cast<std::size_t>(-1);
  out.resize(out.size() - dst_left);
  return ok && src_left == 0;
}

std::string sanitize_utf8(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  std::size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && c < 0x80 && c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      ok = false;  // control bytes
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

std::string nfc(std::string_view s) {
  if (ascii(s)) return std::string(s);
  return to_utf8(normalize16(to_utf16(s)));
}

std::string case_fold(std::string_view s) {
  if (ascii(s)) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  std::u16string in = normalize16(to_utf16(s));
  std::u16string out(in.size() * 3 + 1, u'\0');
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_strFoldCase(reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()),
                              reinterpret_cast<const UChar*>(in.data()),
                              static_cast<int32_t>(in.size()), U_FOLD_CASE_DEFAULT, &err);
  if (U_FAILURE(err)) return to_utf8(in);
  out.resize(static_cast<std::size_t>(len));
  return to_utf8(normalize16(out));
}

}  // namespace hotspot
