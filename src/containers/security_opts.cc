#include "containers/security_opts.h"

#include "runtime/limits.h"
#include "runtime/seccomp.h"
#include "util/fs.h"

namespace kiln::containers {
namespace {

Expected<bool> ParseBool(const std::string& opt, const std::string& value) {
  if (value == "true" || value == "1" || value == "t" || value == "T" || value == "TRUE" || value == "True") return true;
  if (value == "false" || value == "0" || value == "f" || value == "F" || value == "FALSE" || value == "False") return false;
  return InvalidArgument("invalid --security-opt 2: \"" + opt + "\"");
}

}  // namespace

Expected<SecurityOptions> ParseSecurityOpts(const std::vector<std::string>& opts,
                                            const std::function<void(const std::string&)>& debug) {
  SecurityOptions out;
  bool seccomp_given = false;
  for (const auto& opt : opts) {
    if (opt == "no-new-privileges") {
      out.no_new_privileges = true;
      continue;
    }
    const size_t eq = opt.find('=');
    if (eq == std::string::npos) return InvalidArgument("invalid --security-opt 1: \"" + opt + "\"");
    const std::string key = opt.substr(0, eq), value = opt.substr(eq + 1);
    if (key == "seccomp") {
      seccomp_given = true;
      out.seccomp_profile = value == "unconfined" ? "" : value;
    } else if (key == "no-new-privileges") {
      ASSIGN_OR_RETURN(out.no_new_privileges, ParseBool(opt, value));
    } else if (key == "label" || key == "apparmor") {
      continue;  // no labelling in kiln (docs/compat.md)
    } else if (key == "mask" || key == "unmask" || key == "proc-opts") {
      return Unsupported("--security-opt " + key + " is not supported by kiln");
    } else {
      return InvalidArgument("invalid --security-opt 2: \"" + opt + "\"");
    }
  }
  if (!seccomp_given) {
    if (PathExists(runtime::kDefaultSeccompProfile)) {
      out.seccomp_profile = runtime::kDefaultSeccompProfile;
    } else if (debug) {
      debug(std::string("Seccomp profile ") + runtime::kDefaultSeccompProfile +
            " not found: running containers without a seccomp filter");
    }
  }
  ASSIGN_OR_RETURN(auto filter, runtime::ReadSeccompFilter(out.seccomp_profile, runtime::DefaultCapabilities()));
  (void)filter;
  return out;
}

}  // namespace kiln::containers
