// The container engine (what libpod is to podman's cmd/): a container made from an image,
// the runtime spec rebuilt from its row, stopping, killing, waiting, removing, pruning, and
// bringing a row up to date when the process that should have recorded its exit is gone.
// Starting and watching a container (foreground or under a detached monitor) is run.h; its
// log is logs.h. The CLI's container commands are flags and output over these functions, and
// rmi and system prune call them too.
//
//   ASSIGN_OR_RETURN(store::ContainerRecord c, containers::Create(store, options, warn));
//   ASSIGN_OR_RETURN(runtime::ContainerSpec spec, containers::SpecFor(store, c));
//   containers::RunForeground(...) or containers::StartDetached(...)   (run.h)
//   containers::Remove(store, c, /*force=*/true, 10, warn);
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "containers/security_opts.h"
#include "runtime/runtime.h"
#include "store/containers.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::containers {

// Where a warning goes (the CLI prints it logrus-style).
using WarnFn = std::function<void(const std::string&)>;

// --isolation/--runtime of run, create and build: "chroot" or "oci" (with the runtime's path),
// the default from KILN_ISOLATION or chroot; crun is swapped for runc on hybrid cgroup hosts.
// A --runtime or --runtime-flag asks for the OCI runtime; containers.conf's runtime names
// the one to use when no --runtime does (a missing one is podman's error either way), but
// does not by itself move RUN steps and containers off kiln's built-in isolation.
struct IsolationRequest {
  std::string isolation;                   // --isolation
  std::string runtime;                     // --runtime (the command's, else the global one)
  std::string configured_runtime;          // containers.conf [engine] runtime
  std::vector<std::string> runtime_flags;  // the global --runtime-flag values
};
struct IsolationChoice {
  std::string isolation;                   // "oci" | "chroot"
  std::string runtime;                     // path of the OCI runtime when isolation is "oci"
  std::vector<std::string> runtime_flags;  // global flags for it, as it takes them ("--debug")
};
Expected<IsolationChoice> ChooseIsolation(const IsolationRequest& request, const WarnFn& warn);
// The size of kiln's own terminal (stdin's, else stdout's); false when it has none.
bool TerminalSize(uint16_t* rows, uint16_t* cols);
// --network of run, create and build: host (default), none, private (bridge, slirp4netns).
Expected<runtime::Network> ParseNetwork(const std::string& name);
std::string NetworkName(runtime::Network network);

// What `run` and `create` are asked for.
struct CreateOptions {
  std::string image;                      // the reference as the user typed it
  std::vector<std::string> args;          // words after the image: replace the image's CMD
  std::optional<std::string> entrypoint;  // --entrypoint: a JSON array or one word; "" clears it
  std::string name, workdir, user, hostname;
  std::vector<std::string> env, env_files;  // -e K=V (or K: from kiln's environment), --env-file
  std::vector<std::string> volumes;         // -v [SRC:]DST[:OPTS]: host directory, named or anonymous volume
  std::vector<std::string> volumes_from;    // --volumes-from CTR[:ro|rw|z]
  std::vector<std::string> publish;         // -p [[IP:]HOST:]CONTAINER[/tcp]
  std::vector<std::string> mounts;          // --mount type=bind|image,… (mount_flags.h)
  std::string network, isolation, runtime;
  std::string configured_runtime;          // containers.conf [engine] runtime
  std::vector<std::string> runtime_flags;  // the global --runtime-flag values
  bool rm = false, tty = false;
  SecurityOptions security;               // --security-opt, parsed (ParseSecurityOpts)
  image::Platform platform = image::HostPlatform();  // the instance a manifest list gives
  std::string pod;     // the pod's ID: the container joins the namespaces its infra holds
  bool infra = false;  // the pod's infra container (made by CreatePod)
};
// Checks the options against the image, then makes the container's directory and its row.
Expected<store::ContainerRecord> Create(store::Store& store, const CreateOptions& options, const WarnFn& warn);

// The container's environment in podman's order: defaults, the image's Env, --env-file, -e;
// a later value of a variable replaces an earlier one in place.
Expected<std::vector<std::string>> MergeEnv(const nlohmann::ordered_json& image_env,
                                            const std::vector<std::string>& env_files,
                                            const std::vector<std::string>& env);
// -v SRC:DST[:ro|rw|z|Z|bind|rbind] of host directories only (build's RUN); SRC must exist.
Expected<std::vector<runtime::BindMount>> ParseVolumes(const std::vector<std::string>& volumes);

// ROOT/containers/<id>: upper/, work/, merged/, ctr.log, spec.json.
std::string ContainerDir(const std::string& root, const std::string& id);
std::string LogPath(const std::string& root, const std::string& id);
// RUNROOT/exits/<id>: how a container removed at its end (--rm) ended, as conmon leaves it.
std::string ExitFile(const std::string& runroot, const std::string& id);

// The runtime spec of a container, rebuilt from its row and its image's snapshots. A pod's
// container joins the namespaces of its running infra container.
Expected<runtime::ContainerSpec> SpecFor(store::Store& store, const store::ContainerRecord& c);
// Before a container of a pod starts: its infra container, when not running, is started
// (detached), as podman starts a container's dependencies. A no-op outside a pod.
Status StartInfraOf(store::Store& store, const store::ContainerRecord& c);
// Whether a container is its pod's infra container; rm refuses it (the pod goes with it).
bool IsInfra(const store::ContainerRecord& c);
Status CheckNotInfra(const store::ContainerRecord& c);

// Brings a "running" row up to date when its process ended and nobody recorded it (the
// monitor was killed): the monitor's own record if it appears in time, else exited with -1.
void Reconcile(store::Containers& rows, store::ContainerRecord& c);
// Waits until the row no longer says running (and, with through_created, no longer created);
// timeout_ms < 0 waits for ever. Returns the final row (kNotFound when it was removed).
Expected<store::ContainerRecord> AwaitExit(store::Containers& rows, const std::string& id, int timeout_ms,
                                           bool through_created = false);
// The exit code of a container once it has run (created ones are waited for), from the exit
// file when it was removed at its end (--rm); kNotFound when it is gone without one.
Expected<int64_t> WaitForExit(store::Store& store, const store::ContainerRecord& c);

// The most recently created container (podman's --latest); kNotFound "no such container".
Expected<store::ContainerRecord> Latest(store::Containers& rows);

// Stops a running container: its stop signal, then SIGKILL after timeout seconds (warned).
Status Stop(store::Containers& rows, store::ContainerRecord& c, int timeout, const WarnFn& warn);
// Sends sig to a running container (kInvalidArgument, podman's words, when it is not running).
Status Kill(store::Containers& rows, store::ContainerRecord& c, int sig);
// Removes a container: the row, then its files. A running one is stopped first with force,
// else refused (kInUse).
Status Remove(store::Store& store, store::ContainerRecord c, bool force, int timeout, const WarnFn& warn);
// rmi -f: stops and removes the containers made from an image (rows and files).
Status RemoveContainersOfImage(store::Store& store, const std::string& image_id, const WarnFn& warn);

// container prune, system prune: removes every container that is not running; their IDs,
// sorted, and the bytes of their own changes. Also sweeps old directories no row names.
struct PrunedContainers {
  std::vector<std::string> ids;
  int64_t bytes = 0;
};
Expected<PrunedContainers> Prune(store::Store& store);

// ps --filter: ancestor=, status=, name= (a regexp), id= (a prefix), exited=, volume= (a
// volume's name, or NAME:DESTINATION); one key's
// values OR together, different keys AND (podman's rule).
Expected<std::vector<store::ContainerRecord>> Filter(store::Store& store, std::vector<store::ContainerRecord> list,
                                                     const std::vector<std::string>& filters);

// export: the container's root filesystem (without /proc, /sys, /dev mounts) as a tar on fd.
Status Export(store::Store& store, store::ContainerRecord c, int fd);

}  // namespace kiln::containers
