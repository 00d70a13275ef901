#include "util/digest.h"

#include <nettle/sha2.h>

namespace kiln {

// Nettle's SHA-256 (SHA-NI where the CPU has it: Debian builds nettle "fat"). Not OpenSSL's:
// linking libcrypto puts OPENSSL_cpuid_setup in the program's .init, six CPUID instructions
// at every start (each a VM exit, ~10 us on a virtual machine), and nettle is linked anyway
// (libarchive uses it), so its three are paid regardless.
struct Sha256::Ctx {
  sha256_ctx md;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) { sha256_init(&ctx_->md); }
Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) {
  sha256_update(&ctx_->md, size, static_cast<const uint8_t*>(data));
}

Digest Sha256::Finish() {
  uint8_t out[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx_->md, sizeof out, out);  // also starts the context anew, ready for reuse
  static const char kHex[] = "0123456789abcdef";
  std::string hex(2 * sizeof out, '0');
  for (size_t i = 0; i < sizeof out; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 15];
  }
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
