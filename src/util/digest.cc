#include "util/digest.h"

#include <openssl/evp.h>

namespace kiln {

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) { EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr); }
Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) { EVP_DigestUpdate(ctx_->md, data, size); }

Digest Sha256::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 15];
  }
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);  // ready for reuse
  return *Digest::FromHex(hex);
}

bool Digest::IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Expected<Digest> Digest::FromHex(std::string_view hex) {
  if (!IsHex64(hex)) return InvalidArgument("invalid checksum digest format");
  return Digest(std::string(hex));
}

Expected<Digest> Digest::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    if (text.find(':') == std::string_view::npos) return InvalidArgument("invalid checksum digest format");
    return InvalidArgument("unsupported digest algorithm");
  }
  return FromHex(text.substr(kPrefix.size()));
}

Digest Digest::OfBytes(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.Finish();
}

}  // namespace kiln
