// The container engine: everything between "these snapshots, this command" and "exit status".
// The CLI's run/start and the build's RUN steps both go through it:
//
//   runtime::ContainerSpec spec = ...;                 // lowers (top first), dir, process, mounts
//   RETURN_IF_ERROR(runtime::PrepareBundle(spec));     // upper/work/merged, hosts, config.json
//   ASSIGN_OR_RETURN(runtime::Process p, runtime::Start(spec, {in, out, err}));
//   ASSIGN_OR_RETURN(runtime::ExitResult r, p.Wait());
//
// The overlay rootfs is mounted only inside a private mount namespace of the process that
// runs the container (a child of the caller), never in the host's mount table: when the
// container's last process dies the mount goes with its namespace, so nothing is left
// mounted after any command, even after `kill -9` of kiln or of the container.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/fs.h"
#include "runtime/layer_mount.h"
#include "runtime/limits.h"
#include "runtime/user_network.h"
#include "util/status.h"

namespace kiln::runtime {

enum class Isolation { kOci, kChroot };
enum class Network { kHost, kNone, kPrivate };

struct BindMount {
  std::string source;       // absolute host path
  std::string destination;  // absolute container path
  bool readonly = false;
};

// --mount type=image: an image's layers as an overlay at destination, read-only, or (rw)
// writable over a private upper dir, dir/image-mount-N/, emptied at every start.
struct ImageMount {
  std::vector<std::string> lowers;  // the image's snapshot directories, top layer first
  std::string destination;          // absolute container path
  bool rw = false;
};

// A namespace of another process that a container joins instead of making its own (a pod's
// containers join its infra container's): type is the OCI name ("network", "ipc", "uts"),
// path /proc/PID/ns/X as the host sees it.
struct NamespacePath {
  std::string type;
  std::string path;
};

struct ContainerSpec {
  std::string id;
  std::vector<std::string> lowers;  // snapshot directories, top layer first
  std::string dir;                  // the container's directory: upper/, work/, merged/, files
  std::vector<std::string> args;    // argv; args[0] looked up in the container's PATH
  std::vector<std::string> env;     // KEY=VALUE
  std::string cwd = "/";
  std::string user;                 // "", "name", "uid", "uid:gid", "name:group"
  std::string hostname;
  Network network = Network::kHost;
  std::vector<BindMount> binds;
  std::vector<ImageMount> image_mounts;  // mounted before the binds
  // Directories (absolute in the container, no symlink on the way) whose changes are thrown
  // away when the container ends: each gets an overlay of itself over a scratch upper dir,
  // dir/discard-N/ (a build's RUN after VOLUME, as buildah does with its "O" mounts).
  std::vector<std::string> discard_writes;
  Isolation isolation = Isolation::kChroot;
  std::string oci_runtime;  // path of runc/crun when isolation is kOci
  std::string state_root;   // the OCI runtime's --root (under kiln's runroot)
  std::vector<std::string> runtime_flags;  // global flags for the OCI runtime (--runtime-flag)
  // -t: the process's stdin/stdout/stderr are a pseudo-terminal (see StartTerminal), of
  // this size when known (0: the kernel's default).
  bool terminal = false;
  uint16_t terminal_rows = 0, terminal_cols = 0;
  std::vector<std::string> extra_hosts;  // --add-host NAME:IP, first in /etc/hosts
  bool no_hosts = false;                 // --no-hosts: the image's own /etc/hosts, none made
  std::vector<int> capabilities = DefaultCapabilities();  // --cap-add/--cap-drop applied
  std::vector<Rlimit> rlimits;           // --ulimit
  // --security-opt seccomp=…: the profile file (containers-common's format) whose filter the
  // process gets, resolved for its capabilities at start; "" for none (unconfined).
  std::string seccomp_profile;
  bool no_new_privileges = false;        // --security-opt no-new-privileges
  // Joined, not made: chroot: setns before anything else in the container's init (no
  // sethostname when the uts namespace is joined); oci: "path" in config.json.
  std::vector<NamespacePath> join_namespaces;
  bool Joins(const std::string& type) const {
    for (const auto& n : join_namespaces)
      if (n.type == type) return true;
    return false;
  }
  LayerMount layer_mount;                // how lowers/upper become the rootfs (the store's driver)
};

struct Stdio {
  int in = 0, out = 1, err = 2;
};

// How a container ended. `code` is what `run` exits with and `ps` shows: the process's
// status, 128+signal when killed, or podman's 125/126/127 when it never started (then
// `error` holds podman-style text).
struct ExitResult {
  int code = 0;
  bool started = true;
  std::string error;
};

class Process {
 public:
  Process() = default;
  Process(pid_t waiter, pid_t init, int64_t init_start, Isolation iso, std::string dir, std::string runtime_name)
      : waiter_(waiter), init_(init), init_start_(init_start), iso_(iso), dir_(std::move(dir)), runtime_name_(std::move(runtime_name)) {}
  pid_t init_pid() const { return init_; }        // the container's pid 1, as the host sees it
  int64_t init_start() const { return init_start_; }
  pid_t waiter_pid() const { return waiter_; }
  // Waits for the container to end (the caller must be its parent); with the vfs driver,
  // then writes the container's changes to its upper dir.
  Expected<ExitResult> Wait();
  // The layers Wait finishes (see FinishLayers).
  void SetLayers(const ContainerSpec& spec) {
    layer_mount_ = spec.layer_mount;
    lowers_ = spec.lowers;
  }
  // The rootless private network's helpers, which Wait ends.
  void SetNetwork(const UserNetwork& net) { net_ = net; }
  // Set by Start when the container never ran (or already ended): Wait returns it.
  bool done = false;
  bool reaped = false;  // the waiter already ended; result.code holds its status
  ExitResult result;

 private:
  pid_t waiter_ = -1;
  pid_t init_ = -1;
  int64_t init_start_ = 0;
  Isolation iso_ = Isolation::kChroot;
  std::string dir_;
  std::string runtime_name_;
  LayerMount layer_mount_;
  std::vector<std::string> lowers_;
  UserNetwork net_;
};

// A spec as JSON (and back), for a monitor process that re-executes kiln: SQLite and other
// library state must not cross a fork, so the monitor starts from a fresh exec.
std::string SpecToJson(const ContainerSpec& spec);
Expected<ContainerSpec> SpecFromJson(const std::string& text);

// Creates upper/, work/, merged/ and writes hosts, hostname, resolv.conf (and config.json
// for an OCI runtime) into spec.dir. Resolves the user from the image's /etc/passwd.
Status PrepareBundle(const ContainerSpec& spec);
// The host path of container path `path` under rootfs `root`, its symlinks followed as the
// container would (absolute targets from root, ".." not above it): mount points through an
// image's symlinks land inside the container, never on the host's own directories.
std::string PathInRoot(const std::string& root, const std::string& path);
// For a build's RUN step: removes from spec.dir/upper the mount points the runtime itself
// created (/proc, /dev, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf, bind targets)
// when the image did not have them and they are still empty, so that the upper dir holds
// only what the command changed. Call after the container has ended.
Status CleanMountPoints(const ContainerSpec& spec);
// Starts the container with the given stdio. Returns once the container's process exists
// (chroot: once exec succeeded). A start failure is returned as an error whose code maps to
// the ExitResult below via StartFailure().
Expected<Process> Start(const ContainerSpec& spec, const Stdio& stdio);
// Start for a spec.terminal container: its stdin, stdout and stderr are the slave of a new
// pseudo-terminal, allocated in the container's own /dev/pts (so `tty` names it) and its
// controlling terminal (it runs in a session of its own); *master receives the master side,
// through which the caller reads the output and writes the input. When it is invalid after
// a successful return, the container ended before it had a terminal (Wait tells why).
//   chroot: the container's init opens /dev/pts/ptmx, sends the master over a socket pair
//           and makes the slave its controlling terminal (setsid + TIOCSCTTY) before exec.
//   oci:    config.json says "terminal": true and the runtime runs detached (`run -d
//           --console-socket`), which is the only mode in which runc hands the master to
//           its caller; the child that holds the rootfs mount is a subreaper that receives
//           the master, waits for the container's init and exits with its status, then
//           deletes the runtime's state. (Giving runc a slave of kiln's with terminal:false
//           does not work: a foreground runc copies stdio through pipes of its own, and the
//           slave would not exist in the container's /dev/pts.)
Expected<Process> StartTerminal(const ContainerSpec& spec, UniqueFd* master);

// `exec`: starts spec.args (with spec.env, spec.user and spec.cwd) in the running container
// whose pid 1 the host sees as init, in its namespaces and root, with the container's limits
// and capabilities. Wait() on the result gives the command's exit as for Start (125/126/127
// with the reason when it never ran).
//   chroot: a child joins the container's namespaces (setns) and forks the command inside
//           its pid namespace; the child waits for it and exits with its status.
//   oci:    the runtime's own `exec`, in the foreground.
// spec.terminal (-t): chroot: the command gets a new terminal of the container's /dev/pts as
// stdio and controlling terminal, whose master *master receives (as StartTerminal); oci: the
// runtime's `exec -t`, which relays the caller's stdio to the terminal itself (*master stays
// invalid).
Expected<Process> StartExec(const ContainerSpec& spec, pid_t init, const Stdio& stdio, UniqueFd* master);

// The path of a program: name itself when it holds a '/', else the first executable on
// $PATH, else in the usual system directories. "" when there is none.
std::string FindProgram(const std::string& name);

// The OCI runtime to use: `name` (a name on PATH or a path), else crun when the host's
// cgroups let it run (crun refuses cgroup v1 hybrid hosts), else runc. "" when none.
Expected<std::string> FindOciRuntime(const std::string& name);
// Whether the host has cgroup v1 controllers mounted next to a v2 hierarchy (or v1 only).
bool CgroupV1OrHybrid();

// The OCI runtime spec (config.json) for a container.
// seccomp: linux.seccomp (SeccompFilterToOci), null for none.
std::string OciConfig(const ContainerSpec& spec, uint32_t uid, uint32_t gid, const std::vector<uint32_t>& groups,
                      const std::vector<std::string>& env, const nlohmann::ordered_json& seccomp = nullptr);

// User resolution against the image's files (layers top first): "name", "uid", "uid:gid"…
struct User {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  std::string home = "/";
};
Expected<User> ResolveUser(const std::vector<std::string>& lowers, const std::string& user);
// Reads a file from the layered image (top first), honouring whiteouts; kNotFound if absent.
Expected<std::string> ReadImageFile(const std::vector<std::string>& lowers, const std::string& path);

// Mounts the overlay of lowers/upper/work at target in the calling process's namespace
// (read-only, without upper and work, when upper is "": then lowers needs two at least).
// Lowerdirs are passed as /proc/self/fd/N of O_PATH descriptors, so 120+ layers fit the
// one-page limit of mount options.
Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper, const std::string& work,
                    const std::string& target);
// Mounts a container's rootfs (lowers, dir/upper, dir/work) at dir/merged in the calling
// process's namespace, unless a `kiln mount` of it is there already (this namespace's copy
// of the host's mount): then that one is used, so that both see one overlay.
Status MountRootfs(const ContainerSpec& spec);
// Attaches the root filesystem of a running container (whose pid 1 the host sees as pid) at
// target in the calling process's namespace: the same overlay, cloned (open_tree) from the
// container's mount namespace, for `kiln mount` of a running container.
Status AttachRunningRootfs(pid_t pid, const std::string& target);
// Runs fn in a child process with a private mount namespace in which the container's rootfs
// is mounted at dir/merged (for export of a stopped container). Returns fn's status.
Status WithRootfs(const ContainerSpec& spec, int (*fn)(const std::string& rootfs, void* arg), void* arg);

// Runs fn in a child process on the root filesystem of a running container (whose pid 1 the
// host sees as pid), without the mounts on top of it (/proc, /sys, /dev, binds): a detached
// clone (open_tree) of the container's overlay mount, taken inside its mount namespace and
// read from the host's as /proc/self/fd/N. Nothing is mounted anywhere.
Status WithRunningRootfs(pid_t pid, int (*fn)(const std::string& rootfs, void* arg), void* arg);

// Signals a process if it is still the one that started at start_ticks (0: don't check).
// Returns false when it is gone.
bool SignalProcess(pid_t pid, int64_t start_ticks, int sig);
bool ProcessAlive(pid_t pid, int64_t start_ticks);
int64_t ProcessStartTicks(pid_t pid);
// podman's signal names: "TERM", "SIGTERM", "15", "KILL"…; -1 when unknown.
int ParseSignal(const std::string& text);

// The built-in isolation starts a container by re-executing kiln (/proc/self/exe) with
// kInitArg first, inside the new namespaces; main() hands such a call to ChrootInitMain,
// which sets the container up and executes its command (it returns only on bad arguments).
inline constexpr const char kInitArg[] = "__kiln-container-init";
int ChrootInitMain(int argc, char** argv);

}  // namespace kiln::runtime
