// The one digest type of kiln: "sha256:<64 hex>", with streaming SHA-256 (nettle,
// which uses SHA-NI where the CPU has it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln {

class Digest {
 public:
  Digest() = default;
  // Accepts "sha256:<64 lowercase hex>" only.
  static Expected<Digest> Parse(std::string_view text);
  // From a bare 64-hex string.
  static Expected<Digest> FromHex(std::string_view hex);
  static Digest OfBytes(std::string_view bytes);
  static bool IsHex64(std::string_view s);

  bool empty() const { return hex_.empty(); }
  const std::string& hex() const { return hex_; }
  std::string str() const { return empty() ? std::string() : "sha256:" + hex_; }
  // The 12-hex short form podman prints in tables.
  std::string short_id() const { return hex_.substr(0, 12); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  Digest Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace kiln
