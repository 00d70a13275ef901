// The SHA-1 of the files packages own, for the SPDX file records (where SHA-1 is the
// checksum every consumer accepts) and the CycloneDX file components.
#include <fcntl.h>
#include <nettle/sha1.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "security/catalog.h"

namespace kiln::security {
namespace {

Expected<std::string> Sha1OfFile(const std::string& host_path) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("opening " + host_path + ": " + std::strerror(errno));
  sha1_ctx ctx;
  sha1_init(&ctx);
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) sha1_update(&ctx, static_cast<size_t>(n), reinterpret_cast<uint8_t*>(buf));
  const int err = errno;
  ::close(fd);
  if (n < 0) return Internal("reading " + host_path + ": " + std::strerror(err));
  uint8_t out[SHA1_DIGEST_SIZE];
  sha1_digest(&ctx, sizeof out, out);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : out) hex += kHex[b >> 4], hex += kHex[b & 15];
  return hex;
}

}  // namespace

Status DigestOwnedFiles(const LayeredFs& fs, Sbom& sbom) {
  for (const auto& p : sbom.packages) {
    for (const auto& f : p.files) {
      if (sbom.file_sha1.count(f)) continue;
      auto entry = fs.Lookup(f);
      if (!entry || !S_ISREG(entry->st.st_mode)) continue;
      ASSIGN_OR_RETURN(std::string sha1, Sha1OfFile(entry->host_path));
      sbom.file_sha1.emplace(f, std::move(sha1));
    }
  }
  return Status::Ok();
}

}  // namespace kiln::security
