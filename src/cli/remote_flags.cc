// The flags that every command talking to a registry shares (pull, push, login, manifest …).
#include "cli/remote_flags.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>

namespace kiln::cli {


// pflag's bool: "--tls-verify" or "--tls-verify=false"; never a separate value, so
// `--tls-verify IMAGE` leaves IMAGE a positional argument.
void AddTriBool(CLI::App* cmd, const std::string& flag, std::string& raw, const std::string& desc) {
  cmd->add_flag(flag + "{true}", raw, desc);
}

Expected<std::optional<bool>> ParseTriBool(const std::string& flag, const std::string& raw) {
  if (raw.empty()) return std::optional<bool>();
  if (raw == "true" || raw == "1" || raw == "t" || raw == "TRUE" || raw == "True") return std::optional<bool>(true);
  if (raw == "false" || raw == "0" || raw == "f" || raw == "FALSE" || raw == "False") return std::optional<bool>(false);
  return InvalidArgument("invalid argument \"" + raw + "\" for \"" + flag + "\" flag: strconv.ParseBool: parsing \"" +
                         raw + "\": invalid syntax");
}

void AddRemoteFlags(CLI::App* cmd, RemoteFlags& f, bool creds) {
  AddTriBool(cmd, "--tls-verify", f.tls_verify, "Require HTTPS and verify certificates when contacting registries");
  cmd->add_option("--cert-dir", f.cert_dir, "Path to a directory containing TLS certificates and keys");
  cmd->add_option("--authfile", f.authfile, "Path of the authentication file");
  if (creds) cmd->add_option("--creds", f.creds, "Use `[username[:password]]` for accessing the registry");
}

void AddRetryFlags(CLI::App* cmd, RemoteFlags& f) {
  cmd->add_option("--retry", f.retry, "number of times to retry in case of failure when performing pull/push");
  cmd->add_option("--retry-delay", f.retry_delay, "delay between retries in case of pull/push failures (e.g. 1s, 500ms)");
}

Expected<int> ParseDurationMs(const std::string& s) {
  if (s.empty()) return 0;
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  double v = 0;
  try {
    v = std::stod(s.substr(0, i));
  } catch (...) {
    return InvalidArgument("time: invalid duration \"" + s + "\"");
  }
  std::string unit = s.substr(i);
  if (unit == "ms") return static_cast<int>(v);
  if (unit == "s" || unit.empty()) return static_cast<int>(v * 1000);
  if (unit == "m") return static_cast<int>(v * 60000);
  return InvalidArgument("time: invalid duration \"" + s + "\"");
}

Expected<registry::ClientOptions> ClientOptionsFrom(const RemoteFlags& f, bool authfile_must_exist) {
  registry::ClientOptions o;
  ASSIGN_OR_RETURN(o.tls_verify, ParseTriBool("--tls-verify", f.tls_verify));
  o.cert_dir = f.cert_dir;
  o.authfile = f.authfile;
  o.retries = f.retry;
  ASSIGN_OR_RETURN(o.retry_delay_ms, ParseDurationMs(f.retry_delay));
  if (!f.creds.empty()) {
    auto colon = f.creds.find(':');
    registry::Credentials c;
    c.username = f.creds.substr(0, colon);
    if (colon != std::string::npos) c.password = f.creds.substr(colon + 1);
    if (c.username.empty()) return InvalidArgument("username can't be empty");
    o.creds = c;
  }
  if (authfile_must_exist && !f.authfile.empty() && ::access(f.authfile.c_str(), F_OK) != 0)
    return InvalidArgument("credential file is not accessible: stat " + f.authfile + ": no such file or directory");
  return o;
}

registry::ProgressFn StderrProgress(bool quiet) {
  return [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
}

}  // namespace kiln::cli
