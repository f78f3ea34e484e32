// Fuzz target: the ISO 8601 parser. Property: whatever it accepts formats back (in UTC) to a
// string that parses to the same instant.
#include <string>
#include <string_view>

#include "util/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 1) return 0;
  const int offset = (static_cast<int>(data[0]) - 128) * 7;  // -896 .. +889 minutes
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string why;
  auto t = hotspot::parse_iso8601(text, offset, &why);
  if (!t) {
    if (why.empty()) __builtin_trap();  // a rejection always says why
    return 0;
  }
  std::string again = hotspot::format_utc(*t);
  auto t2 = hotspot::parse_iso8601(again, 0, &why);
  if (!t2 || *t2 != *t) __builtin_trap();
  return 0;
}
