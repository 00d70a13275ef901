#include "runtime/limits.h"

#include <linux/capability.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iterator>

namespace kiln::runtime {
namespace {

// Capability names by number (linux/capability.h, up to CAP_CHECKPOINT_RESTORE).
constexpr const char* kCapabilityNames[] = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",         "CAP_FSETID",
    "CAP_KILL",            "CAP_SETGID",       "CAP_SETUID",          "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",      "CAP_NET_RAW",        "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",       "CAP_SYS_MODULE",   "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",     "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",    "CAP_SYS_BOOT",        "CAP_SYS_NICE",       "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",         "CAP_LEASE",          "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",
    "CAP_WAKE_ALARM",      "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",     "CAP_PERFMON",        "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};
constexpr int kCapabilityCount = static_cast<int>(std::size(kCapabilityNames));

struct UlimitType {
  const char* flag;
  int resource;
  const char* oci_name;
};
constexpr UlimitType kUlimits[] = {
    {"core", RLIMIT_CORE, "RLIMIT_CORE"},         {"cpu", RLIMIT_CPU, "RLIMIT_CPU"},
    {"data", RLIMIT_DATA, "RLIMIT_DATA"},         {"fsize", RLIMIT_FSIZE, "RLIMIT_FSIZE"},
    {"locks", RLIMIT_LOCKS, "RLIMIT_LOCKS"},      {"memlock", RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
    {"msgqueue", RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"}, {"nice", RLIMIT_NICE, "RLIMIT_NICE"},
    {"nofile", RLIMIT_NOFILE, "RLIMIT_NOFILE"},   {"nproc", RLIMIT_NPROC, "RLIMIT_NPROC"},
    {"rss", RLIMIT_RSS, "RLIMIT_RSS"},            {"rtprio", RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
    {"rttime", RLIMIT_RTTIME, "RLIMIT_RTTIME"},   {"sigpending", RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {"stack", RLIMIT_STACK, "RLIMIT_STACK"},      {"as", RLIMIT_AS, "RLIMIT_AS"}};

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "net_admin" → CAP_NET_ADMIN's number; -1 for ALL.
Expected<int> CapabilityNumber(const std::string& given) {
  std::string name = Upper(given);
  if (name == "ALL") return -1;
  if (name.rfind("CAP_", 0) != 0) name = "CAP_" + name;
  for (int i = 0; i < kCapabilityCount; ++i)
    if (name == kCapabilityNames[i]) return i;
  return InvalidArgument("\"" + name + "\": unknown capability");
}

// Go's strconv.ParseInt words for a bad number.
Expected<uint64_t> UlimitValue(const std::string& text) {
  if (text == "-1") return static_cast<uint64_t>(RLIM_INFINITY);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || text[0] == '-')
    return InvalidArgument("strconv.ParseInt: parsing \"" + text + "\": invalid syntax");
  return static_cast<uint64_t>(v);
}

Expected<Rlimit> ParseUlimitFields(const std::string& value) {
  const size_t eq = value.find('=');
  if (eq == std::string::npos) return InvalidArgument("invalid ulimit argument: " + value);
  const std::string type = value.substr(0, eq), limits = value.substr(eq + 1);
  const UlimitType* found = nullptr;
  for (const auto& u : kUlimits)
    if (type == u.flag) found = &u;
  if (!found) return InvalidArgument("invalid ulimit type: " + type);
  const size_t colon = limits.find(':');
  Rlimit r{found->resource, found->oci_name, 0, 0};
  ASSIGN_OR_RETURN(r.soft, UlimitValue(limits.substr(0, colon)));
  r.hard = r.soft;
  if (colon != std::string::npos) {
    ASSIGN_OR_RETURN(r.hard, UlimitValue(limits.substr(colon + 1)));
  }
  if (r.soft > r.hard)
    return InvalidArgument("ulimit soft limit must be less than or equal to hard limit: " + std::to_string(r.soft) +
                           " > " + std::to_string(r.hard));
  return r;
}

}  // namespace

std::vector<int> DefaultCapabilities() {
  std::vector<int> caps = {CAP_AUDIT_WRITE, CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FOWNER,  CAP_FSETID,
                           CAP_KILL,        CAP_MKNOD,  CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SETFCAP,
                           CAP_SETGID,      CAP_SETPCAP, CAP_SETUID,      CAP_SYS_CHROOT};
  std::sort(caps.begin(), caps.end());
  return caps;
}

Expected<std::vector<int>> Capabilities(const std::vector<std::string>& add, const std::vector<std::string>& drop) {
  std::vector<bool> on(kCapabilityCount, false);
  for (int c : DefaultCapabilities()) on[c] = true;
  for (const auto& a : add) {
    ASSIGN_OR_RETURN(int c, CapabilityNumber(a));
    if (c < 0) std::fill(on.begin(), on.end(), true);
    else on[c] = true;
  }
  for (const auto& d : drop) {
    ASSIGN_OR_RETURN(int c, CapabilityNumber(d));
    if (c < 0) std::fill(on.begin(), on.end(), false);
    else on[c] = false;
  }
  std::vector<int> caps;
  for (int i = 0; i < kCapabilityCount; ++i)
    if (on[i]) caps.push_back(i);
  return caps;
}

std::string CapabilityName(int cap) {
  return cap >= 0 && cap < kCapabilityCount ? kCapabilityNames[cap] : "";
}

Expected<Rlimit> ParseUlimit(const std::string& value) {
  auto r = ParseUlimitFields(value);
  if (!r.ok())
    return InvalidArgument("ulimit option \"" + value + "\" requires name=SOFT:HARD, failed to be parsed: " +
                           r.status().message());
  return r;
}

}  // namespace kiln::runtime
