// Seccomp profiles as containers-common writes them (/usr/share/containers/seccomp.json,
// or --security-opt seccomp=FILE), resolved into the filter one container gets: the
// architectures of the host, and the rules whose includes/excludes (capabilities, GOARCH
// names, minKernel) hold for it. The same resolution podman does (containers/common
// pkg/seccomp) before it writes the OCI spec's linux.seccomp; kiln's chroot isolation loads
// the result with libseccomp (seccomp_load.h). Pure parsing, no I/O.
//
//   ASSIGN_OR_RETURN(SeccompFilter f, ResolveSeccompProfile(text, {"amd64", caps, {6, 1}}));
//   json["linux"]["seccomp"] = SeccompFilterToOci(f);
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::runtime {

// containers.conf's default profile, installed with podman's containers-common.
inline constexpr const char kDefaultSeccompProfile[] = "/usr/share/containers/seccomp.json";

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0, value_two = 0;
  std::string op;  // SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, _LE, _GE, _GT, SCMP_CMP_MASKED_EQ
};

struct SeccompRule {
  std::vector<std::string> names;
  std::string action;                 // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, …
  std::optional<uint32_t> errno_ret;  // for SCMP_ACT_ERRNO / SCMP_ACT_TRACE
  std::vector<SeccompArg> args;
};

// The filter of one container (the OCI spec's linux.seccomp).
struct SeccompFilter {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_X86_64, …
  std::vector<SeccompRule> syscalls;
};

// What the conditional rules are checked against.
struct SeccompHost {
  std::string goarch;                      // "amd64", "arm64", … (Go's names, as the profile's arches)
  std::vector<std::string> capabilities;   // the container's bounding set, "CAP_SYS_ADMIN", …
  int kernel_major = 0, kernel_minor = 0;  // for includes.minKernel
};

// The running machine: its GOARCH and kernel version (capabilities left empty).
SeccompHost ThisHost();

// Parses a profile and resolves it for host. Errors in podman's words ("decoding seccomp
// profile failed: …", "'name' and 'names' were specified…").
Expected<SeccompFilter> ResolveSeccompProfile(const std::string& profile_json, const SeccompHost& host);

// The filter as the OCI runtime spec's linux.seccomp object (runc and crun read it).
nlohmann::ordered_json SeccompFilterToOci(const SeccompFilter& filter);
// And back (for a spec handed to a re-executed kiln): kCorrupt on a malformed object.
Expected<SeccompFilter> SeccompFilterFromOci(const nlohmann::ordered_json& j);

// The SCMP_ARCH_* name of a GOARCH ("amd64" → "SCMP_ARCH_X86_64"); "" when unknown.
std::string SeccompArchOf(const std::string& goarch);

}  // namespace kiln::runtime
