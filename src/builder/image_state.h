// A stage's image as the build changes it step by step: the OCI config JSON (runtime config,
// rootfs, history) and the layers under it. Pure data and pure edits, no I/O, so that every
// metadata instruction (ENV, LABEL, WORKDIR…) is a unit-testable function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/config.h"
#include "store/store.h"

namespace kiln::build {

using image::Json;

// buildah's default when the base image has no PATH.
inline constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// The label podman 4.3.1 (buildah 1.28.2) puts on every image it builds.
inline constexpr const char* kBuildahVersionLabel = "io.buildah.version";
inline constexpr const char* kBuildahVersion = "1.28.2";

struct ImageState {
  Json config = Json::object();           // the whole image config
  std::vector<store::LayerInfo> layers;   // bottom to top
  std::string image_id;                   // the image this state was last committed as ("" for scratch)
  bool cmd_set_in_stage = false;          // ENTRYPOINT resets an inherited CMD unless CMD was set here
  bool path_defaulted = false;            // the base had no PATH: buildah's default was added
  std::string cache_key;                  // the key of the stage's last step (a later FROM keys on it)

  Json& Runtime();  // config["config"], created as an object if missing
  const Json& Runtime() const;

  // Env as KEY=VALUE strings; Set replaces a key in place or appends.
  std::vector<std::string> Env() const;
  std::optional<std::string> GetEnv(const std::string& key) const;
  void SetEnv(const std::string& key, const std::string& value);
  void UnsetEnv(const std::string& key);
  // Moves these variables (those present) to the end of Env, in this order.
  void MoveEnvToEnd(const std::vector<std::string>& keys);

  std::string WorkingDir() const;  // "/" when unset
  std::string User() const;
  std::vector<std::string> Shell(const std::vector<std::string>& stage_shell) const;

  // Appends a history entry (and a diff ID for a layer step).
  void AddHistory(const image::HistoryEntry& entry, const std::optional<Digest>& diff_id);
  // Puts the runtime config's keys in the order Go marshals them (the struct field order;
  // maps sorted), so that the config bytes — and the image ID — match podman's form.
  void Normalize();
};

// The build flags that change only the final image's config (--env, --unsetenv,
// --omit-history, --os-version, --os-feature, --variant). They are applied after the last
// step's cache lookup, as podman applies them in its final commit, so that a cached last
// step still gets them.
struct FinalConfigFlags {
  struct Env {
    std::string name;
    std::string value;
    bool expand = true;  // "--env K=$OTHER" names the image's variables; "--env K" (host value) does not
  };
  std::vector<Env> env;                // set in order, after the steps' ENV
  std::vector<std::string> unset_env;  // removed last
  std::vector<std::string> unset_labels;  // --unsetlabel: removed from the final image
  bool omit_history = false;
  std::string os_version;                // "" leaves the base's
  std::vector<std::string> os_features;  // "F" adds F, "F-" removes it, in order
  std::string variant;                   // "" leaves the base's

  bool empty() const {
    return env.empty() && unset_env.empty() && unset_labels.empty() && !omit_history && os_version.empty() && os_features.empty() &&
           variant.empty();
  }
  // The flags as text, for the final image's cache key.
  std::string Describe() const;
};

// Applies the flags to a state, as buildah's commit does: each --env value expanded with Go's
// os.Expand against the image's variables at that point (an unset one becomes its own name,
// reported through `warn`), then --unsetenv, then --omit-history drops the history; the
// OS version, features and the variant go to the config's "os.version", "os.features" and
// "variant".
void ApplyFinalConfig(ImageState& state, const FinalConfigFlags& flags,
                      const std::function<void(const std::string&)>& warn);

// Go's os.Expand: $NAME, ${NAME} and the one-character special names ($1, $$, …) replaced
// by lookup(name); "${}" and an unterminated "${" are dropped, a lone '$' is kept.
std::string GoOsExpand(const std::string& s, const std::function<std::string(const std::string&)>& lookup);

// The state a FROM starts from: the base image's config with buildah's defaults (PATH).
ImageState StateFromBase(const image::ImageConfig& base, std::vector<store::LayerInfo> layers, std::string image_id);
ImageState StateFromScratch();

// Joins WORKDIR/COPY destinations: absolute stays, relative goes under base; cleaned,
// keeping a trailing '/' when `keep_slash`.
std::string JoinContainerPath(const std::string& base, const std::string& path, bool keep_slash = false);

// Adds path to a set of volumes as imagebuilder's VolumeSet does: false when it is in the
// set or below one; a new parent replaces the paths below it. "/" stands for everything.
bool VolumeSetAdd(std::vector<std::string>& set, const std::string& path);

// "8080" → "8080/tcp"; "53/udp" stays.
std::string NormalizePort(const std::string& port);

// The history text of a metadata step: "/bin/sh -c #(nop) ENV A=b".
std::string NopCreatedBy(const std::string& text);

// The history text of a RUN step, as buildah writes it: "/bin/sh -c " and the line after
// "RUN " as written (flags such as --mount=… and trailing blanks kept, whatever SHELL says).
std::string RunCommandText(const std::string& original);
// That text after "|N K=V… " when build args are visible (N counts the space-separated
// words of the "K=V" list, as buildah counts them, so a value with a space counts twice).
std::string RunCreatedBy(const std::string& command, const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace kiln::build
