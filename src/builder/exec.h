// What a build step does to the filesystem: RUN in a container, COPY/ADD through an overlay
// mount of the stage's layers, and turning the container's upper dir into a layer.
// Each step gets its own directory under ROOT/build/ (upper, work, merged…); a build killed
// half-way leaves one behind, and the next build removes those whose owner is gone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/context.h"
#include "builder/copy.h"
#include "containerfile/ignore.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace kiln::build {

// A fresh step directory, ROOT/build/<pid>-<random>, removed when the object goes.
class StepDir {
 public:
  static Expected<StepDir> Create(const std::string& store_root);
  StepDir(StepDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  StepDir& operator=(StepDir&&) = delete;
  ~StepDir();
  const std::string& path() const { return path_; }
  std::string upper() const { return path_ + "/upper"; }

 private:
  explicit StepDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Removes step directories left by builds that no longer run.
void RemoveStaleStepDirs(const std::string& store_root);

// Snapshot directories of layers, top first, as runtime::ContainerSpec::lowers wants them;
// an empty image gets an empty directory inside `dir`.
Expected<std::vector<std::string>> LowerDirs(const store::Store& store, const std::vector<store::LayerInfo>& layers,
                                             const std::string& dir);

struct RunOutcome {
  int exit_code = 0;   // the command's status (0 = success)
  std::string error;   // set when it never started (podman's text)
};

// Runs spec (whose dir is a StepDir) to completion with the build's stdout/stderr, then
// removes the runtime's own mount points from the upper dir.
Expected<RunOutcome> RunInContainer(const runtime::ContainerSpec& spec, int out_fd, int err_fd);

struct CopyRequest {
  std::string source_root;             // context dir, a download dir, or "" with source_lowers
  std::vector<std::string> source_lowers;  // --from an image or stage: its layers, top first
  std::vector<Source> sources;      // resolved; or, with resolve_in_child, the raw patterns in rel
  bool resolve_in_child = false;    // --from: globs are resolved inside the mounted image
  const IgnoreMatcher* ignore = nullptr;
  std::string dest;                    // absolute in the container
  CopyOptions options;
};

// A directory a build step makes sure of before it runs: WORKDIR's (owned by the USER of
// the time), or a VOLUME's.
struct DirToEnsure {
  std::string path;  // absolute in the container, as written
  std::string user;  // "" for root; resolved against the image (root when it is unknown)
};

// Creates the missing directories in the rootfs of spec (its upper dir gets them), symlinks
// followed inside it, and returns each of `resolve`'s paths with its symlinks resolved
// inside the rootfs (created too when missing). Runs in a child with its own mount namespace.
Expected<std::vector<std::string>> PrepareRootfs(const runtime::ContainerSpec& spec,
                                                 const std::vector<DirToEnsure>& dirs,
                                                 const std::vector<std::string>& resolve);

// Copies into the overlay of spec.lowers with spec.dir's upper, in a child process with a
// private mount namespace (nothing is ever mounted in the host's table).
Status CopyInContainer(const runtime::ContainerSpec& spec, const CopyRequest& req);

}  // namespace kiln::build
