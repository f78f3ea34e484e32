#include "util/hash.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "hotspot/error.hpp"

namespace hotspot {

namespace {

using DigestPtr = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)>;

DigestPtr new_digest() {
  DigestPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  return ctx;
}

std::string hex_digest(EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += kHex[md[i] >> 4], out += kHex[md[i] & 15];
  return out;
}

}  // namespace

std::string sha256_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw IoError("cannot read '" + path + "' to hash it");
  DigestPtr ctx = new_digest();
  std::vector<unsigned char> buf(1 << 20);
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) EVP_DigestUpdate(ctx.get(), buf.data(), n);
  return hex_digest(ctx.get());
}

struct Sha256::Impl {
  DigestPtr ctx = new_digest();
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t n) {
  EVP_DigestUpdate(impl_->ctx.get(), data, n);
  bytes_ += static_cast<std::int64_t>(n);
}

std::string Sha256::hex() const {
  DigestPtr copy(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_MD_CTX_copy_ex(copy.get(), impl_->ctx.get());
  return hex_digest(copy.get());
}

std::string sha256_text(std::string_view text) {
  DigestPtr ctx = new_digest();
  EVP_DigestUpdate(ctx.get(), text.data(), text.size());
  return hex_digest(ctx.get());
}

}  // namespace hotspot
