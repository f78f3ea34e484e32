#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hotspot {
// Hex SHA-256 of a file's bytes; throws IoError if it cannot be read.
std::string sha256_file(const std::string& path);
// Hex SHA-256 of a string.
std::string sha256_text(std::string_view text);

// SHA-256 fed piece by piece: a reader hashes exactly the bytes it parses, in the same pass.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t n);
  // The hex digest of everything fed so far (the hash can go on being fed).
  std::string hex() const;
  std::int64_t bytes() const { return bytes_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::int64_t bytes_ = 0;
};
}  // namespace hotspot
