#include "runtime/seccomp_profile.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "image/index.h"

namespace kiln::runtime {
namespace {

using Json = nlohmann::ordered_json;

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

const std::vector<std::string>& ValidActions() {
  static const std::vector<std::string> kActions = {
      "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
      "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY"};
  return kActions;
}

const std::vector<std::string>& ValidOps() {
  static const std::vector<std::string> kOps = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                                "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  return kOps;
}

// runc's words for an action or operator it does not know.
Status CheckAction(const std::string& action) {
  if (!Contains(ValidActions(), action)) return InvalidArgument("string " + action + " is not a valid action for seccomp");
  return Status::Ok();
}

// "4.8" or "5.10.0-18-amd64": major and minor; false when it does not start that way.
bool ParseKernel(const std::string& text, int* major, int* minor) {
  return std::sscanf(text.c_str(), "%d.%d", major, minor) == 2;
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return out;
  for (const auto& v : j[key])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// Whether a rule's includes and excludes hold for the host (containers/common's order).
Expected<bool> Applies(const Json& call, const SeccompHost& host) {
  const Json inc = call.value("includes", Json::object()), exc = call.value("excludes", Json::object());
  std::vector<std::string> arches = Strings(inc, "arches");
  if (!arches.empty() && !Contains(arches, host.goarch)) return false;
  for (const auto& cap : Strings(inc, "caps"))
    if (!Contains(host.capabilities, cap)) return false;
  if (inc.is_object() && inc.contains("minKernel") && inc["minKernel"].is_string() &&
      !inc["minKernel"].get<std::string>().empty()) {
    int maj = 0, min = 0;
    const std::string mk = inc["minKernel"].get<std::string>();
    if (!ParseKernel(mk, &maj, &min)) return InvalidArgument("parsing minKernel \"" + mk + "\" of the seccomp profile");
    if (std::pair(host.kernel_major, host.kernel_minor) < std::pair(maj, min)) return false;
  }
  arches = Strings(exc, "arches");
  if (!arches.empty() && Contains(arches, host.goarch)) return false;
  for (const auto& cap : Strings(exc, "caps"))
    if (Contains(host.capabilities, cap)) return false;
  return true;
}

Expected<SeccompArg> ArgFrom(const Json& a) {
  SeccompArg arg;
  arg.index = a.value("index", 0u);
  arg.value = a.value("value", uint64_t{0});
  arg.value_two = a.value("valueTwo", uint64_t{0});
  arg.op = a.value("op", std::string());
  if (!Contains(ValidOps(), arg.op)) return InvalidArgument("string " + arg.op + " is not a valid operator for seccomp");
  if (arg.index > 5) return InvalidArgument("seccomp argument index " + std::to_string(arg.index) + " is out of range");
  return arg;
}

std::optional<uint32_t> ErrnoRet(const Json& j, const char* key) {
  if (j.contains(key) && j[key].is_number_unsigned()) return j[key].get<uint32_t>();
  return std::nullopt;
}

Expected<SeccompRule> RuleFrom(const Json& call) {
  SeccompRule rule;
  std::string name = call.value("name", std::string());
  rule.names = Strings(call, "names");
  if (!name.empty() && !rule.names.empty())
    return InvalidArgument("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
  if (!name.empty()) rule.names = {name};
  rule.action = call.value("action", std::string());
  RETURN_IF_ERROR(CheckAction(rule.action));
  rule.errno_ret = ErrnoRet(call, "errnoRet");
  if (call.contains("args") && call["args"].is_array())
    for (const auto& a : call["args"]) {
      ASSIGN_OR_RETURN(SeccompArg arg, ArgFrom(a));
      rule.args.push_back(arg);
    }
  return rule;
}

// The profile's architectures for the host: archMap's entry of the host's arch with its
// sub-architectures, or the legacy "architectures" list as it is.
Expected<std::vector<std::string>> Architectures(const Json& p, const SeccompHost& host) {
  std::vector<std::string> legacy = Strings(p, "architectures");
  bool has_map = p.contains("archMap") && p["archMap"].is_array() && !p["archMap"].empty();
  if (!legacy.empty() && has_map)
    return InvalidArgument("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  if (!has_map) return legacy;
  std::vector<std::string> out;
  const std::string native = SeccompArchOf(host.goarch);
  for (const auto& m : p["archMap"]) {
    if (!m.is_object() || m.value("architecture", std::string()) != native) continue;
    out.push_back(native);
    for (const auto& sub : Strings(m, "subArchitectures")) out.push_back(sub);
  }
  return out;
}

}  // namespace

std::string SeccompArchOf(const std::string& goarch) {
  static const std::map<std::string, std::string> kArches = {
      {"386", "SCMP_ARCH_X86"},           {"amd64", "SCMP_ARCH_X86_64"},        {"amd64p32", "SCMP_ARCH_X32"},
      {"arm", "SCMP_ARCH_ARM"},           {"arm64", "SCMP_ARCH_AARCH64"},       {"mips", "SCMP_ARCH_MIPS"},
      {"mips64", "SCMP_ARCH_MIPS64"},     {"mips64le", "SCMP_ARCH_MIPSEL64"},   {"mips64p32", "SCMP_ARCH_MIPS64N32"},
      {"mips64p32le", "SCMP_ARCH_MIPSEL64N32"}, {"mipsle", "SCMP_ARCH_MIPSEL"}, {"ppc", "SCMP_ARCH_PPC"},
      {"ppc64", "SCMP_ARCH_PPC64"},       {"ppc64le", "SCMP_ARCH_PPC64LE"},     {"s390", "SCMP_ARCH_S390"},
      {"s390x", "SCMP_ARCH_S390X"},       {"riscv64", "SCMP_ARCH_RISCV64"}};
  auto it = kArches.find(goarch);
  return it == kArches.end() ? "" : it->second;
}

SeccompHost ThisHost() {
  SeccompHost h;
  h.goarch = image::HostPlatform().architecture;
  struct utsname u;
  if (::uname(&u) == 0) ParseKernel(u.release, &h.kernel_major, &h.kernel_minor);
  return h;
}

Expected<SeccompFilter> ResolveSeccompProfile(const std::string& text, const SeccompHost& host) {
  Json p;
  try {  // the parser's own words after podman's prefix
    p = Json::parse(text);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("decoding seccomp profile failed: ") + e.what());
  }
  if (!p.is_object()) return InvalidArgument("decoding seccomp profile failed: not a JSON object");
  SeccompFilter f;
  try {
    f.default_action = p.value("defaultAction", std::string());
    RETURN_IF_ERROR(CheckAction(f.default_action));
    f.default_errno_ret = ErrnoRet(p, "defaultErrnoRet");
    ASSIGN_OR_RETURN(f.architectures, Architectures(p, host));
    if (p.contains("syscalls") && p["syscalls"].is_array())
      for (const auto& call : p["syscalls"]) {
        if (!call.is_object()) return InvalidArgument("decoding seccomp profile failed: a syscalls entry is not an object");
        ASSIGN_OR_RETURN(bool applies, Applies(call, host));
        if (!applies) continue;
        ASSIGN_OR_RETURN(SeccompRule rule, RuleFrom(call));
        f.syscalls.push_back(std::move(rule));
      }
  } catch (const std::exception& e) {  // a value of the wrong type
    return InvalidArgument(std::string("decoding seccomp profile failed: ") + e.what());
  }
  return f;
}

Json SeccompFilterToOci(const SeccompFilter& f) {
  Json j = {{"defaultAction", f.default_action}};
  if (f.default_errno_ret) j["defaultErrnoRet"] = *f.default_errno_ret;
  j["architectures"] = f.architectures;
  Json calls = Json::array();
  for (const auto& r : f.syscalls) {
    Json c = {{"names", r.names}, {"action", r.action}};
    if (r.errno_ret) c["errnoRet"] = *r.errno_ret;
    Json args = Json::array();
    for (const auto& a : r.args)
      args.push_back({{"index", a.index}, {"value", a.value}, {"valueTwo", a.value_two}, {"op", a.op}});
    if (!args.empty()) c["args"] = args;
    calls.push_back(c);
  }
  j["syscalls"] = calls;
  return j;
}

Expected<SeccompFilter> SeccompFilterFromOci(const Json& j) {
  SeccompFilter f;
  try {
    f.default_action = j.at("defaultAction").get<std::string>();
    f.default_errno_ret = ErrnoRet(j, "defaultErrnoRet");
    f.architectures = j.at("architectures").get<std::vector<std::string>>();
    for (const auto& c : j.at("syscalls")) {
      SeccompRule r;
      r.names = c.at("names").get<std::vector<std::string>>();
      r.action = c.at("action").get<std::string>();
      r.errno_ret = ErrnoRet(c, "errnoRet");
      for (const auto& a : c.value("args", Json::array()))
        r.args.push_back({a.at("index").get<unsigned>(), a.at("value").get<uint64_t>(), a.at("valueTwo").get<uint64_t>(),
                          a.at("op").get<std::string>()});
      f.syscalls.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    return Corrupt(std::string("seccomp filter: ") + e.what());
  }
  return f;
}

}  // namespace kiln::runtime
