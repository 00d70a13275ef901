// What every command shares: the global options and the store, opened on first use.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "runtime/layer_mount.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::cli {

// podman's global flags. Those kiln has no use for are accepted and ignored (docs/compat.md):
// kiln has one storage layout, no events, no networks and no conmon.
struct GlobalOptions {
  std::string root;
  std::string runroot;
  std::string log_level = "warn";
  std::string runtime;                     // default of build/run/create --runtime
  std::vector<std::string> runtime_flags;  // global flags for the OCI runtime
  std::string storage_driver;              // "overlay" or "vfs" (runtime/layer_mount.h)
  std::vector<std::string> storage_opts;   // overlay.mount_program=PATH used; others ignored
  std::string cgroup_manager, events_backend, tmpdir, network_cmd_path, network_config_dir, conmon, volumepath;
  std::vector<std::string> hooks_dirs;
  bool syslog = false, noout = false;
};

class Context {
 public:
  GlobalOptions options;
  // A rootless kiln started outside `kiln unshare`: its mounts are in a namespace the
  // caller cannot see, so mount commands refuse (as podman's do).
  bool outside_unshare = false;

  // The one way commands open the store.
  Expected<store::Store*> Store();
  // A store of the caller's own (run and start -a close it while a container runs).
  Expected<std::unique_ptr<store::Store>> OpenStore() const;
  // How snapshots are mounted: --storage-driver and --storage-opt overlay.mount_program,
  // else storage.conf, else probed (once per run root).
  Expected<runtime::LayerMount> LayerMount() const;
  // logrus-style debug line on stderr with --log-level debug (or trace).
  void Debug(const std::string& message) const;

 private:
  std::unique_ptr<store::Store> store_;
};

// Podman's exit codes: 1 "image not known" (rmi), 2 "image in use", 125 otherwise.
int ExitCodeFor(const Status& st);
// Prints "Error: <message>" to stderr and returns the exit code (125 unless given).
int Fail(const Status& st);
int Fail(const Status& st, int exit_code);
// Podman's y/N prompt on stdout. Podman asks even without a terminal, and end of
// input is an error ("EOF").
Expected<bool> Confirm(const std::string& warning);
// logrus-style warning on stderr: time="…" level=warning msg="…".
void Warn(const std::string& message);

}  // namespace kiln::cli
