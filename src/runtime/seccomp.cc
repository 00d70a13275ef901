#include "runtime/seccomp.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "runtime/limits.h"
#include "util/fs.h"

namespace kiln::runtime {
namespace {

Expected<uint32_t> ActionOf(const std::string& action, std::optional<uint32_t> errno_ret) {
  const uint32_t err = errno_ret.value_or(EPERM);
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (action == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return InvalidArgument("seccomp action " + action + " is not supported by kiln's isolation");
}

scmp_compare OpOf(const std::string& op) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(op);
  return it == kOps.end() ? _SCMP_CMP_MIN : it->second;
}

struct CtxFree {
  void operator()(void* c) const { seccomp_release(c); }
};
using Ctx = std::unique_ptr<void, CtxFree>;

Status Errno(const std::string& what, int rc) { return ErrnoError(what, rc < 0 ? -rc : rc); }

Status AddArches(scmp_filter_ctx ctx, const std::vector<std::string>& arches) {
  for (const auto& name : arches) {
    std::string lower = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
    if (arch == 0) return InvalidArgument("unknown seccomp architecture " + name);
    int rc = seccomp_arch_add(ctx, arch);
    if (rc != 0 && rc != -EEXIST) return Errno("adding seccomp architecture " + name, rc);
  }
  return Status::Ok();
}

// One rule for a syscall; as runc, conditions on the same argument become a rule each
// (libseccomp takes one comparison per argument in a rule).
Status AddRule(scmp_filter_ctx ctx, uint32_t action, int nr, const std::vector<SeccompArg>& args) {
  std::vector<scmp_arg_cmp> cmps;
  std::set<unsigned> seen;
  bool repeated = false;
  for (const auto& a : args) {
    cmps.push_back({a.index, OpOf(a.op), a.value, a.value_two});
    repeated |= !seen.insert(a.index).second;
  }
  if (!repeated) {
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()), cmps.data());
    return rc == 0 ? Status::Ok() : Errno("adding a seccomp rule", rc);
  }
  for (const auto& c : cmps) {
    int rc = seccomp_rule_add_array(ctx, action, nr, 1, &c);
    if (rc != 0) return Errno("adding a seccomp rule", rc);
  }
  return Status::Ok();
}

}  // namespace

Expected<std::optional<SeccompFilter>> ReadSeccompFilter(const std::string& path, const std::vector<int>& capabilities) {
  if (path.empty()) return std::optional<SeccompFilter>();
  if (access(path.c_str(), R_OK) != 0)  // Go's os.Open words, as podman prints them
    return InvalidArgument("opening seccomp profile failed: open " + path + ": " + GoErrnoText(errno));
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().Wrap("opening seccomp profile failed");
  SeccompHost host = ThisHost();
  for (int c : capabilities) host.capabilities.push_back(CapabilityName(c));
  auto filter = ResolveSeccompProfile(*text, host);
  if (!filter.ok()) return filter.status().Wrap("loading seccomp profile (" + path + ") failed");
  return std::optional<SeccompFilter>(std::move(*filter));
}

Expected<SeccompProgram> CompileSeccompFilter(const SeccompFilter& f) {
  ASSIGN_OR_RETURN(uint32_t def, ActionOf(f.default_action, f.default_errno_ret));
  Ctx ctx(seccomp_init(def));
  if (!ctx) return Internal("seccomp_init failed");
  // no_new_privs is the caller's to set (runc's order); libseccomp would set it on load.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc != 0) return Errno("seccomp_attr_set", rc);
  RETURN_IF_ERROR(AddArches(ctx.get(), f.architectures));
  for (const auto& r : f.syscalls) {
    ASSIGN_OR_RETURN(uint32_t action, ActionOf(r.action, r.errno_ret));
    if (action == def) continue;  // libseccomp refuses a rule that repeats the default
    for (const auto& name : r.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: left out, as runc does
      RETURN_IF_ERROR(AddRule(ctx.get(), action, nr, r.args));
    }
  }
  // libseccomp 2.5 exports to a descriptor only.
  UniqueFd mem(memfd_create("kiln-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) return ErrnoError("memfd_create", errno);
  if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc != 0) return Errno("exporting the seccomp filter", rc);
  ASSIGN_OR_RETURN(std::string bytes, ReadFile("/proc/self/fd/" + std::to_string(mem.get())));
  SeccompProgram prog;
  prog.instructions.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(prog.instructions.data(), bytes.data(), prog.instructions.size() * sizeof(sock_filter));
  if (prog.instructions.empty()) return Internal("exporting the seccomp filter: empty program");
  return prog;
}

int InstallSeccompProgram(const SeccompProgram& p) {
  if (p.instructions.empty()) return 0;
  sock_fprog prog{static_cast<unsigned short>(p.instructions.size()), const_cast<sock_filter*>(p.instructions.data())};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

}  // namespace kiln::runtime
