// The flags that every command talking to a registry shares (pull, push, login, manifest …),
// parsed as podman parses them.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "registry/client.h"
#include "registry/transfer.h"
#include "util/status.h"

namespace kiln::cli {

struct RemoteFlags {
  std::string tls_verify;  // "" unset, else the value given
  std::string cert_dir;
  std::string authfile;
  std::string creds;
  int retry = 3;
  std::string retry_delay;
};

// pflag's bool: "--tls-verify" or "--tls-verify=false"; never a separate value.
void AddTriBool(CLI::App* cmd, const std::string& flag, std::string& raw, const std::string& desc);
Expected<std::optional<bool>> ParseTriBool(const std::string& flag, const std::string& raw);
void AddRemoteFlags(CLI::App* cmd, RemoteFlags& f, bool creds = true);
void AddRetryFlags(CLI::App* cmd, RemoteFlags& f);
// Go's time.ParseDuration, for the units podman's flags take; milliseconds.
Expected<int> ParseDurationMs(const std::string& s);
Expected<registry::ClientOptions> ClientOptionsFrom(const RemoteFlags& f, bool authfile_must_exist = true);
// podman's progress lines on stderr (none when quiet).
registry::ProgressFn StderrProgress(bool quiet);

}  // namespace kiln::cli
