// One stage of a build: FROM, then each instruction as a step that either changes the
// config (metadata) or the filesystem (RUN, COPY, ADD), each committed as an intermediate
// image and recorded in the layer cache under its key.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "builder/builder.h"
#include "containerfile/containerfile.h"
#include "builder/exec.h"
#include "store/layer_tar.h"
#include "containerfile/expand.h"
#include "containerfile/ignore.h"
#include "builder/image_state.h"
#include "builder/stat_cache.h"
#include "store/build_cache.h"

namespace kiln::build {

// Build args every RUN sees when given with --build-arg, without an ARG (and never in history).
inline constexpr const char* kProxyArgs[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                             "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

// The build's stat cache behind the build's store mutex: stages hash their sources in
// parallel (file contents are read without the lock), one entry at a time under it.
class LockedStatCache final : public StatCache {
 public:
  LockedStatCache(StatCache& inner, std::mutex& mu) : inner_(inner), mu_(mu) {}
  std::optional<Digest> Lookup(const std::string& abs_path, const FileStamp& stamp) override {
    std::lock_guard<std::mutex> lock(mu_);
    return inner_.Lookup(abs_path, stamp);
  }
  void Record(const std::string& abs_path, const FileStamp& stamp, const Digest& content) override {
    std::lock_guard<std::mutex> lock(mu_);
    inner_.Record(abs_path, stamp, content);
  }

 private:
  StatCache& inner_;
  std::mutex& mu_;
};

// What every stage of one build shares. Stages may run in parallel threads: store_mu guards
// the store (one SQLite connection), the layer cache, the stat cache and consumed_args;
// out_mu keeps output lines whole. stage_results[i] is written once, before any stage that
// needs stage i starts.
struct BuildRun {
  store::Store& store;
  const BuildOptions& opts;
  BuildFailure& failure;
  Containerfile file;
  IgnoreMatcher ignore;
  StoreStatCache stat_cache;
  store::BuildCache cache;
  RegistryCache registry_cache;  // --cache-to/--cache-from: Find, Commit and Abandon under store_mu
  std::map<std::string, std::optional<std::string>> global_args;  // ARGs before the first FROM
  std::set<std::string> consumed_args;                            // --build-arg names some ARG declared
  std::vector<std::optional<ImageState>> stage_results;           // by stage index
  std::string commit_name;  // the first -t as typed, for "COMMIT name"
  image::Platform platform;  // the build's target platform
  image::Platform host;      // the platform kiln runs on
  std::string lease;
  std::mutex store_mu;
  LockedStatCache locked_stat_cache;  // stat_cache under store_mu, for the stages
  mutable std::mutex out_mu;

  BuildRun(store::Store& s, const BuildOptions& o, BuildFailure& f)
      : store(s), opts(o), failure(f), stat_cache(s, o.context_dir), cache(s),
        registry_cache(s, o.registry_cache, o.warn), locked_stat_cache(stat_cache, store_mu) {}
  std::optional<std::string> BuildArg(const std::string& name) const;
  int64_t CreatedNanos() const;
  store::TarOptions LayerTarOptions() const;  // the mtime rule of --timestamp / SOURCE_DATE_EPOCH
  void Print(const std::string& line) const;  // a line on the build's output unless -q
};

class StageBuilder {
 public:
  StageBuilder(BuildRun& run, const Stage& stage, bool final_stage)
      : run_(run), stage_(stage), final_(final_stage) {}
  ~StageBuilder();
  StageBuilder(const StageBuilder&) = delete;
  StageBuilder& operator=(const StageBuilder&) = delete;
  Expected<ImageState> Build();
  // The exit code of the step that failed (a RUN step's own status), 125 otherwise.
  int exit_code() const { return exit_code_; }
  // Build failed because a --cache-from hit could not be downloaded after later steps went
  // on from it; its repository is off now, and building the stage again gives the result.
  bool restart() const { return restart_; }

 private:
  // stage.cc: FROM, variables, metadata instructions, commits and the cache.
  std::string StagePrefix() const;
  Status From();
  Expected<std::string> BaseName() const;
  Expected<image::Platform> StagePlatform() const;  // FROM --platform, else the build's
  Expected<store::ImageRecord> BaseImage(const std::string& base);
  // The image of `found` for the stage's platform: a list's instance, or the image itself
  // when it is that platform's.
  Expected<store::ImageRecord> ForPlatform(const store::ImageRecord& found, const std::string& base);
  Status UseBaseImage(const store::ImageRecord& found, const std::string& base);
  Status StartFromBase();
  Status RunOnBuildTriggers();
  Status EmptyStage();
  Status Step(const Instruction& ins, bool last);
  Status MetadataStep(const Instruction& ins, bool last);
  Status UnlayeredStep(const std::string& created_by, bool changes_files, bool last);
  Expected<std::string> ApplyMetadata(const Instruction& ins);  // returns history created_by
  Status ApplyArg(const Instruction& ins);
  std::optional<std::string> Var(std::string_view name) const;
  VarLookup Vars() const;
  Expected<std::string> Expand(const std::string& word) const;
  KeyValues VisibleArgs() const;  // declared ARGs with values, not shadowed by ENV, sorted
  // What buildah lists before a RUN in history: declared ARGs with values, sorted, an ENV of
  // the same name giving the value.
  KeyValues HistoryArgs() const;
  std::string StepKey(const std::string& descriptor) const;
  // Looks the key up; on a hit moves the state to the cached image and prints podman's lines.
  Expected<bool> UseCache(const std::string& key, bool last);
  Expected<bool> LoadCached(const std::string& key);
  // LoadCached, else the --cache-from registries: a hit there becomes a local cache entry.
  Expected<bool> FindCached(const std::string& key);
  // A --cache-from hit: the step's result is its config at once; its layers keep
  // downloading until SettlePulls.
  Expected<bool> PullCached(const std::string& key);
  // Waits for the hits' layers and commits their images (in step order), before anything
  // that reads the state's layers or commits on top of them.
  Status SettlePulls();
  // The state becomes the cached image `id` after the step with this key.
  void AdoptCached(const image::Json& config, std::vector<store::LayerInfo> layers, const std::string& id,
                   const std::string& name, const std::string& key);
  bool Expired(int64_t created) const;  // older than --cache-ttl
  // Pushes the images committed since the last call to the --cache-to registries.
  void PushCommitted();
  bool HasFinalEdits() const;  // final-image flags that need a commit after the last step
  Status CommitFinalImage();
  // Commits the current state plus this step as an image, records it in the cache.
  Status CommitStep(const std::string& key, image::HistoryEntry entry, const std::optional<store::LayerInfo>& layer,
                    bool last);
  Status Finish(bool last, bool cached);
  Status CommitStageLayer();  // --layers=false: the stage's one container as one new layer
  Status SquashAll();         // --squash-all: base and container flattened into one layer
  Expected<std::string> CommitImage(const std::vector<std::string>& names, bool final_image);
  std::string HistoryComment() const;
  Status StepError(const Instruction& ins, const Status& st, int exit_code = 125);
  bool layered() const { return run_.opts.layers; }

  // stage_fs.cc: RUN, COPY, ADD.
  Status RunStep(const Instruction& ins, bool last);
  Status CopyStep(const Instruction& ins, bool last);
  Expected<runtime::ContainerSpec> ContainerFor(const std::string& dir) const;
  Expected<runtime::BindMount> ContainerEnvFile(const std::string& dir) const;
  Expected<std::vector<std::string>> RunArgv(const Instruction& ins, std::string& shown) const;
  Expected<std::vector<runtime::BindMount>> RunMounts(const Instruction& ins, std::string& key_part,
                                                      const std::string& step_dir);
  Expected<store::LayerInfo> CommitLayer(const Digest& parent, const std::string& upper);
  Expected<std::vector<store::LayerInfo>> LayersOf(const std::string& name);
  Expected<runtime::BindMount> BindMountSource(std::map<std::string, std::string>& m, const std::string& target,
                                               std::string& key_part, const std::string& step_dir, size_t n);
  Expected<const StepDir*> DirForStep(std::unique_ptr<StepDir>& own);
  Status FilesystemChange(const std::string& key, const std::string& created_by, const StepDir& dir, bool last);
  // WORKDIR and VOLUME directories (stage_fs.cc).
  void AfterStep(const Instruction& ins);
  bool RunFollows(const Instruction& ins) const;
  void Preserve(const std::string& volume);
  std::string DirsKey() const;
  // Creates the pending directories in the step's rootfs; returns the preserved volumes'
  // paths resolved inside it (for RUN's discard_writes).
  Expected<std::vector<std::string>> EnsureDirs(const runtime::ContainerSpec& spec);
  void DirsEnsured();
  std::vector<std::string> RunEnv() const;

  BuildRun& run_;
  const Stage& stage_;
  bool final_;
  image::Platform platform_;  // this stage's
  ImageState state_;
  std::string base_name_;     // full name of the base image ("" for scratch or a stage)
  Digest base_digest_;        // its manifest digest
  std::map<std::string, std::optional<std::string>> args_;  // this stage's declared ARGs
  std::vector<std::string> shell_;
  std::string key_;
  bool committed_any_ = false;
  std::string parent_name_;  // the first name of the image last taken from the cache, if any
  std::vector<std::pair<std::string, std::string>> to_push_;  // (key, image ID) committed, not yet pushed
  std::vector<std::pair<std::string, std::shared_ptr<RegistryCache::Hit>>> pulling_;  // (key, hit) not settled
  bool state_pulling_ = false;  // the state is the last hit of pulling_: its layers' sizes are unknown
  bool restart_ = false;
  std::string pending_comment_;  // comment of the next history entry
  // --layers=false: one container for the whole stage, one layer at the end.
  std::unique_ptr<StepDir> work_;
  std::vector<store::LayerInfo> base_layers_;
  size_t base_history_ = 0;  // history entries that came with the base (--squash-all drops them)
  bool work_changed_ = false;
  int exit_code_ = 125;
  // buildah makes the WORKDIR exist after every step (owned by the USER of the time) and a
  // VOLUME's directory when a RUN follows; here they are made before the next RUN/COPY/ADD,
  // in its layer.
  std::vector<DirToEnsure> pending_dirs_;
  std::set<std::string> ensured_dirs_;   // made in this stage already
  std::vector<std::string> volume_set_;  // imagebuilder's VolumeSet of the stage's VOLUMEs
  std::vector<std::string> preserved_;   // volumes whose RUN writes are discarded, as written
  std::vector<std::string> stage_env_;   // names the stage's ENV set, in first-set order
};

// A --from=/FROM value that names a stage: its index, or -1.
int FindStage(const Containerfile& file, const std::string& name, int before);

}  // namespace kiln::build
