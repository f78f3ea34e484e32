#pragma once
#include <string>

namespace hotspot {
// Hex SHA-256 of a file's bytes; throws IoError if it cannot be read.
std::string sha256_file(const std::string& path);
}  // namespace hotspot
