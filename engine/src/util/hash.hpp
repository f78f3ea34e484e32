#pragma once
#include <string>
#include <string_view>

namespace hotspot {
// Hex SHA-256 of a file's bytes; throws IoError if it cannot be read.
std::string sha256_file(const std::string& path);
// Hex SHA-256 of a string.
std::string sha256_text(std::string_view text);
}  // namespace hotspot
