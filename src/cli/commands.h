// Each command group registers its subcommands (and podman's aliases for them).
// A command's callback stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "cli/context.h"
#include "registry/client.h"
#include "store/store.h"
#include "util/version.h"

namespace kiln::containers {
struct IsolationRequest;
}  // namespace kiln::containers

namespace kiln::cli {

// kiln's version, as --version and the documents kiln writes (SBOMs) give it.
inline constexpr const char* kVersion = kKilnVersion;

struct Registry {
  CLI::App& root;
  CLI::App& image;   // `kiln image …`
  CLI::App& system;  // `kiln system …`
  Context& ctx;
  int& exit_code;
};

void RegisterImageListCommands(Registry& r);   // images, image ls/list, image exists
void RegisterTagCommands(Registry& r);         // tag, untag
void RegisterRemoveCommands(Registry& r);      // rmi, image rm, image prune
void RegisterInspectCommands(Registry& r);     // inspect, image inspect, history, image tree
void RegisterSystemCommands(Registry& r);      // system df/prune/reset
void RegisterCheckCommand(Registry& r);        // system check
void RegisterImportCommand(Registry& r);       // import, image import
void RegisterRegistryCommands(Registry& r);     // pull, push, login, logout, search --list-tags
void RegisterContainerCommands(Registry& r);   // run, create, start, stop, kill, wait, logs, ps, rm, export, commit, container …
void AddCommitCommand(CLI::App& parent, Registry& r);  // commit, container commit (commit_cmd.cc)
void AddExecCommand(CLI::App& parent, Registry& r);    // exec, container exec (exec_cmd.cc)
// What a RUN step or container asks of its isolation: --isolation, --runtime, containers.conf's
// [engine] runtime and the global --runtime-flag values (container_cmd.cc).
Expected<containers::IsolationRequest> IsolationRequestFor(Context& ctx, const std::string& isolation,
                                                          const std::string& runtime);
void RegisterUnshareCommand(Registry& r);      // unshare (rootless)
void RegisterInfoCommand(Registry& r);         // info, system info

// Pulls a build's base image (FROM) with podman's lines on stderr.
struct PullFlagsForBuild {
  std::string tls_verify, cert_dir, authfile, creds;
  bool quiet = false;
  std::string os, arch, variant;  // the platform a list's instance is chosen for
};
Expected<store::ImageRecord> PullForBuild(store::Store& store, const std::string& reference, const PullFlagsForBuild& f);
// The registry client options those flags give (the build's --cache-from/--cache-to use them too).
Expected<registry::ClientOptions> ClientOptionsForBuild(const PullFlagsForBuild& f);

void RegisterSaveLoadCommands(Registry& r);    // save, load, image save, image load
void RegisterImageMountCommands(Registry& r);  // image mount, image umount/unmount
void RegisterPodNetworkCommands(Registry& r);  // pod …, network prune (kiln has no networks)
void AddPodCommands(Registry& r);              // pod create/ps/inspect/exists/start/stop/rm/prune (pod_cmd.cc)
void RegisterVolumeCommands(Registry& r);      // volume create/ls/inspect/rm/prune/exists
void RegisterBuildCommands(Registry& r);      // build, image build
void RegisterLintCommand(Registry& r);        // lint
void RegisterDiffCommands(Registry& r);       // image diff, diff
void RegisterAnalyzeCommand(Registry& r);     // image analyze
void RegisterDocCommands(Registry& r);        // completion, __generate-man
void RegisterSecurityCommands(Registry& r);   // image sbom, image scan
void RegisterManifestCommands(Registry& r);   // manifest create/add/annotate/remove/inspect/push/rm/exists

// lint and build --check: lints a Containerfile, prints the findings at `level` and above
// in `format`; returns 1 when an error-level rule fired, 0 otherwise, 125 on bad input.
struct LintRequest {
  std::string context_dir;         // as given ("" as build: the directory of -f, else .)
  std::vector<std::string> files;  // -f as given (none: CONTEXT/Containerfile or Dockerfile)
  std::string format = "text", level, config;
  std::vector<std::pair<std::string, std::string>> build_args;
};
int LintContainerfile(Context& ctx, const LintRequest& req);

// The Containerfile(s) exactly as build finds and reads them (-f relative to the working
// directory, else to the context; "-" is stdin; without -f CONTEXT/Containerfile, else
// CONTEXT/Dockerfile), with build's errors. path is the first file's ("" for stdin).
struct ContainerfileSource {
  std::string context_dir, path, text;
};
Expected<ContainerfileSource> ReadContainerfileAsBuild(const std::vector<std::string>& files, const std::string& context);

// Every command registered, for the man page and completion generators (nothing runs).
inline constexpr char kAppDescription[] = "kiln: build and manage OCI container images, daemonless";
struct CommandTree {
  CLI::App app{kAppDescription, "kiln"};
  Context ctx;
  int exit_code = 0;
  std::unique_ptr<Registry> registry;
};
std::unique_ptr<CommandTree> FullCommandTree();

// A Register*Commands function and every name of a command it adds, at any level.
struct CommandGroup {
  void (*add)(Registry&);
  std::vector<std::string_view> words;
};
const std::vector<CommandGroup>& CommandGroups();
// The global flags (--root, --runroot, --log-level ...), before any command.
void AddGlobalFlags(CLI::App& app, GlobalOptions& options);

// `image tree` (also `images --tree`, which the tutorial still uses).
int PrintImageTree(Context& ctx, const std::string& ref, bool what_requires);
// image prune's --filter: until=, label=, label!= (podman's).
struct PruneFilter {
  int64_t until = 0;                    // created before, when non-zero
  std::vector<std::string> labels;      // every one must match
  std::vector<std::string> not_labels;  // none may match
};
// Removes dangling images (with all: every image no container uses) that pass the filter;
// returns the removed IDs.
Expected<std::vector<std::string>> PruneImages(store::Store& store, bool all, const PruneFilter& filter);

// Adds a subcommand under parent with podman's conventions (flags after positionals,
// -h/--help). Returns it for the caller to add options and a callback.
CLI::App* AddCommand(CLI::App& parent, const std::string& name, const std::string& description);
// The subcommand of parent with that name (another group's, registered earlier), or null.
CLI::App* FindCommand(CLI::App& parent, const std::string& name);
// A repeatable option taking one value per occurrence (--change, --filter, --build-arg…).
CLI::Option* AddRepeatable(CLI::App* cmd, const std::string& flags, std::vector<std::string>& values,
                          const std::string& description);
// A boolean option that takes a value, as pflag's "-H=false".
CLI::Option* AddBoolValue(CLI::App* cmd, const std::string& flags, bool& value, const std::string& description);

}  // namespace kiln::cli
