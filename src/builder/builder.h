// `kiln build`: runs a Containerfile's stages against the store and commits the result.
//
//   build::BuildOptions opts = ...;
//   build::BuildFailure failure;
//   auto result = build::Build(store, opts, failure);   // prints podman's build output
//   if (!result.ok()) { Fail(result.status(), failure.exit_code); }
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "builder/image_state.h"
#include "builder/registry_cache.h"
#include "image/index.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::build {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct BuildOptions {
  std::string context_dir;          // absolute
  std::string containerfile_path;   // labels errors, finds <file>.containerignore; "" for stdin
  std::string containerfile_text;
  std::string ignore_file;          // --ignorefile: replaces .containerignore/.dockerignore
  std::vector<std::string> tags;    // normalised names, in the order given
  std::string commit_name;          // the first -t as typed, for podman's "COMMIT name" line
  KeyValues build_args;
  KeyValues labels;                 // --label: LABEL steps after the target stage's last instruction
  KeyValues annotations;            // --annotation: the final image's manifest only
  FinalConfigFlags final_config;    // --env, --unsetenv, --omit-history
  KeyValues secrets;                // --secret id=ID,src=PATH: id → host file, for RUN --mount=type=secret
  std::string target;               // stage name or index; "" = last
  bool no_cache = false;
  std::optional<int64_t> cache_ttl_ns;  // --cache-ttl: cached images created longer ago are not used
  RegistryCacheOptions registry_cache;  // --cache-to, --cache-from
  bool layers = true;
  bool squash_all = false;          // --squash-all: the final image is one layer, base included
  bool quiet = false;
  int jobs = 0;                     // stages run at once; 0 = the number of CPUs
  bool docker_format = false;
  bool identity_label = true;       // --identity-label: io.buildah.version on every image the build commits
  std::string pull = "missing";     // missing | always | never | newer
  runtime::Network network = runtime::Network::kHost;
  runtime::Isolation isolation = runtime::Isolation::kChroot;
  std::string oci_runtime;          // path, when isolation is kOci
  std::vector<std::string> runtime_flags;  // its global flags (--runtime-flag)
  std::string runtime_state_root;
  std::optional<int64_t> timestamp;  // seconds: --timestamp or SOURCE_DATE_EPOCH
  // SOURCE_DATE_EPOCH / --source-date-epoch only move later file times back (BuildKit);
  // --timestamp sets every file time (podman 4.3.1).
  bool timestamp_clamps = false;
  // What RUN steps get, not part of any cache key (as in buildah): --add-host, --no-hosts,
  // --cap-add/--cap-drop, --ulimit, -v/--volume.
  std::vector<std::string> add_hosts;
  bool no_hosts = false;
  std::vector<int> capabilities = runtime::DefaultCapabilities();
  std::vector<runtime::Rlimit> rlimits;
  std::vector<runtime::BindMount> volumes;
  std::string seccomp_profile;     // --security-opt seccomp=…: the profile's path, "" for none
  bool no_new_privileges = false;  // --security-opt no-new-privileges
  // The platform built for (stages without FROM --platform); no architecture: the host's.
  // Base images are this platform's (a list's instance), RUN of another architecture runs
  // through the host's binfmt_misc emulator, and the cache keys include it.
  image::Platform platform;
  std::string log_prefix;  // before each STEP and COMMIT line: "[linux/arm64] " when several are built
  // Pulls a base image that is not in the store, for that platform (the CLI wires the
  // registry client in).
  std::function<Expected<store::ImageRecord>(const std::string& reference, const image::Platform& platform)>
      pull_image;
  std::function<void(const std::string&)> warn;  // logrus-style warning line
  FILE* out = stdout;
  FILE* err = stderr;  // RUN programs' stderr
  bool print_id = true;  // the built image's ID as the last line on `out`
};

struct BuildResult {
  std::string image_id;
};

struct BuildFailure {
  int exit_code = 125;  // a RUN step's own status when it failed
};

Expected<BuildResult> Build(store::Store& store, const BuildOptions& options, BuildFailure& failure);

}  // namespace kiln::build
