#include "builder/stage.h"

#include <algorithm>

#include "builder/flags.h"
#include "image/reference.h"
#include "store/layer_commit.h"
#include "manifest/manifest.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::build {
namespace {

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Json ToJsonArray(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// podman reports a base image it cannot find or pull without the step, as buildah words it.
Status BaseImageError(const Status& st) {
  return Status(st.code(), "creating build container: " + st.message());
}

}  // namespace

int FindStage(const Containerfile& file, const std::string& name, int before) {
  std::string n = Lower(name);
  for (int i = 0; i < before && i < static_cast<int>(file.stages.size()); ++i)
    if (!file.stages[i].name.empty() && file.stages[i].name == n) return i;
  if (IsDigits(n)) {
    int idx = std::stoi(n);
    if (idx < before) return idx;
  }
  return -1;
}

std::optional<std::string> BuildRun::BuildArg(const std::string& name) const {
  for (const auto& [k, v] : opts.build_args)
    if (k == name) return v;
  return std::nullopt;
}

store::TarOptions BuildRun::LayerTarOptions() const {
  store::TarOptions t;
  t.clamp_mtime = opts.timestamp;
  t.exact_mtime = !opts.timestamp_clamps;
  return t;
}

int64_t BuildRun::CreatedNanos() const { return opts.timestamp ? *opts.timestamp * 1000000000LL : NowNanos(); }

void BuildRun::Print(const std::string& line) const {
  if (opts.quiet) return;
  std::lock_guard<std::mutex> lock(out_mu);
  std::fputs(line.c_str(), opts.out);
  std::fputc('\n', opts.out);
  std::fflush(opts.out);
}

// ---- variables ----

std::optional<std::string> StageBuilder::Var(std::string_view name) const {
  if (auto env = state_.GetEnv(std::string(name))) return env;
  auto it = args_.find(std::string(name));
  if (it != args_.end()) return it->second;
  return std::nullopt;
}

VarLookup StageBuilder::Vars() const {
  return [this](std::string_view name) { return Var(name); };
}

Expected<std::string> StageBuilder::Expand(const std::string& word) const {
  return ExpandWord(word, Vars(), run_.file.escape);
}

KeyValues StageBuilder::VisibleArgs() const {
  KeyValues out;
  for (const auto& [name, value] : args_)  // std::map: sorted by name
    if (value && !state_.GetEnv(name)) out.emplace_back(name, *value);
  return out;
}

KeyValues StageBuilder::HistoryArgs() const {
  KeyValues out;
  for (const auto& [name, value] : args_) {
    if (!value) continue;
    auto env = state_.GetEnv(name);
    out.emplace_back(name, env ? *env : *value);
  }
  return out;
}

// ---- FROM ----

// FROM: the base (an earlier stage, scratch or an image), then the base's ONBUILD triggers.
// Its errors come out as they are reported: at the FROM step, except a base image that
// cannot be found or pulled (podman: "creating build container: …") and a trigger's own step.
Status StageBuilder::From() {
  RETURN_IF_ERROR(StartFromBase());
  return RunOnBuildTriggers();
}

// The FROM line's image name, expanded with the global ARGs, and its flags checked.
Expected<std::string> StageBuilder::BaseName() const {
  VarLookup globals = [this](std::string_view name) -> std::optional<std::string> {
    auto it = run_.global_args.find(std::string(name));
    return it == run_.global_args.end() ? std::nullopt : it->second;
  };
  ASSIGN_OR_RETURN(std::string base, ExpandWord(stage_.base, globals, run_.file.escape));
  if (base.empty()) return InvalidArgument("FROM requires an image name");
  RETURN_IF_ERROR(CheckFlags(stage_.from));
  return base;
}

Expected<image::Platform> StageBuilder::StagePlatform() const {
  if (stage_.platform.empty()) return run_.platform;
  VarLookup globals = [this](std::string_view name) -> std::optional<std::string> {
    auto it = run_.global_args.find(std::string(name));
    return it == run_.global_args.end() ? std::nullopt : it->second;
  };
  ASSIGN_OR_RETURN(std::string platform, ExpandWord(stage_.platform, globals, run_.file.escape));
  return image::ParsePlatform(platform);
}

// The base image in the store, pulled first as --pull says.
Expected<store::ImageRecord> StageBuilder::BaseImage(const std::string& base) {
  std::lock_guard<std::mutex> lock(run_.store_mu);
  auto found = run_.store.LookupImage(base);
  const std::string& policy = run_.opts.pull;
  bool pull = policy == "always" || policy == "newer" || (!found.ok() && policy != "never");
  if (!found.ok() && found.status().code() != Code::kNotFound) return found.status();
  if (pull && run_.opts.pull_image) {
    auto pulled = run_.opts.pull_image(base, platform_);
    // "newer" keeps the local image when the registry cannot be asked; "always" must pull.
    if (!pulled.ok() && (policy == "always" || !found.ok())) return pulled.status();
    if (pulled.ok()) found = std::move(pulled);
  }
  if (!found.ok()) return found;
  return manifest::ImageForPlatform(run_.store, *found, platform_);
}

Status StageBuilder::UseBaseImage(const store::ImageRecord& found, const std::string& base) {
  std::lock_guard<std::mutex> lock(run_.store_mu);
  ASSIGN_OR_RETURN(image::ImageConfig cfg, run_.store.ReadConfig(found));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, run_.store.ImageLayers(found.id));
  state_ = StateFromBase(cfg, std::move(layers), found.id);
  base_digest_ = found.manifest_digest;
  // The name the lookup matched ("alpine" → docker.io/library/alpine:latest even when the
  // image has other names), as podman records it.
  base_name_ = found.names.empty() ? base : found.names.front();
  if (auto q = image::ParseQuery(base); q.ok()) {
    auto hit = std::find_if(q->candidates.begin(), q->candidates.end(), [&](const std::string& c) {
      return std::find(found.names.begin(), found.names.end(), c) != found.names.end();
    });
    if (hit != q->candidates.end()) base_name_ = *hit;
  }
  key_ = Digest::OfBytes("image:" + found.id).hex();
  return Status::Ok();
}

Status StageBuilder::StartFromBase() {
  auto base = BaseName();
  if (!base.ok()) return StepError(stage_.from, base.status());
  auto platform = StagePlatform();
  if (!platform.ok()) return StepError(stage_.from, platform.status());
  platform_ = *platform;
  int dep = FindStage(run_.file, *base, stage_.index);
  if (dep >= 0) {
    state_ = *run_.stage_results[dep];
    // The stage's own key, not its image ID: that image's config holds the time it was built,
    // and keys must not depend on when or where a build ran.
    key_ = Digest::OfBytes("stage:" + state_.cache_key).hex();
  } else if (Lower(*base) == "scratch") {
    state_ = StateFromScratch();
    key_ = Digest::OfBytes("scratch").hex();
  } else {
    auto found = BaseImage(*base);
    if (!found.ok()) return BaseImageError(found.status());
    if (Status st = UseBaseImage(*found, *base); !st.ok()) return StepError(stage_.from, st);
  }
  // Each platform has its own images, even of the same steps (FROM scratch, COPY).
  key_ = Digest::OfBytes(key_ + " platform " + platform_.String()).hex();
  // Fixed timestamps make different layers and configs: never mix them with normal ones.
  // Nor the other flags that change every image the build commits.
  if (run_.opts.timestamp)
    key_ = Digest::OfBytes(key_ + (run_.opts.timestamp_clamps ? " clamp " : " timestamp ") +
                           std::to_string(*run_.opts.timestamp)).hex();
  if (run_.opts.docker_format) key_ = Digest::OfBytes(key_ + " format docker").hex();
  if (!run_.opts.identity_label) key_ = Digest::OfBytes(key_ + " identity-label=false").hex();
  // The default PATH counts as set by this stage (buildah sets it with the stage's ENVs).
  stage_env_.clear();
  if (dep < 0 && state_.path_defaulted) stage_env_.push_back("PATH");
  pending_comment_ = base_name_.empty() ? "" : "FROM " + base_name_;
  if (dep >= 0) pending_comment_ = "FROM " + state_.image_id.substr(0, 12);  // buildah names the stage's image
  return Status::Ok();
}

// The base's OnBuild triggers run first, each as a step of its own, then are gone from
// this image.
Status StageBuilder::RunOnBuildTriggers() {
  Json onbuild = state_.Runtime().value("OnBuild", Json());
  state_.Runtime().erase("OnBuild");
  base_layers_ = state_.layers;
  base_history_ = state_.config.value("history", Json::array()).size();
  if (!onbuild.is_array()) return Status::Ok();
  for (const auto& t : onbuild) {
    if (!t.is_string()) continue;
    auto trig = ParseInstructionLine(t.get<std::string>(), run_.file.escape);
    if (!trig.ok()) return StepError(stage_.from, trig.status());
    RETURN_IF_ERROR(Step(*trig, false));
  }
  return Status::Ok();
}

// ---- steps ----

// "[2/3] " before a multi-stage build's lines, nothing for one stage; after the platform's
// "[linux/arm64] " when the build makes several.
std::string StageBuilder::StagePrefix() const {
  const size_t total = run_.file.stages.size();
  return run_.opts.log_prefix +
         (total > 1 ? "[" + std::to_string(stage_.index + 1) + "/" + std::to_string(total) + "] " : "");
}

Expected<ImageState> StageBuilder::Build() {
  const int steps = static_cast<int>(stage_.instructions.size()) + 1;
  const std::string prefix = StagePrefix();
  run_.Print(prefix + "STEP 1/" + std::to_string(steps) + ": " + stage_.from.original);
  RETURN_IF_ERROR(From());
  if (stage_.instructions.empty()) RETURN_IF_ERROR(EmptyStage());
  for (size_t i = 0; i < stage_.instructions.size(); ++i) {
    const Instruction& ins = stage_.instructions[i];
    run_.Print(prefix + "STEP " + std::to_string(i + 2) + "/" + std::to_string(steps) + ": " + ins.original);
    RETURN_IF_ERROR(Step(ins, i + 1 == stage_.instructions.size()));
  }
  RETURN_IF_ERROR(SettlePulls());
  state_.cache_key = key_;
  return state_;
}

// A stage that is only FROM: an image (or stage) is used as it is; scratch becomes an image
// of one empty layer, history "/bin/sh", as buildah commits its empty container.
Status StageBuilder::EmptyStage() {
  if (!state_.image_id.empty()) return Finish(true, false);
  std::string key = StepKey("EMPTY");
  ASSIGN_OR_RETURN(bool hit, UseCache(key, true));
  if (hit) return Status::Ok();
  ASSIGN_OR_RETURN(StepDir dir, StepDir::Create(run_.store.root()));
  image::HistoryEntry h;
  h.created_by = "/bin/sh";
  if (!layered()) {
    work_changed_ = true;  // Finish commits the stage's container, empty here, as its layer
    work_ = std::make_unique<StepDir>(std::move(dir));
    h.empty_layer = true;
    h.created = run_.CreatedNanos();
    state_.AddHistory(h, std::nullopt);
    return Finish(true, false);
  }
  return FilesystemChange(key, h.created_by, dir, true);
}

Status StageBuilder::Step(const Instruction& ins, bool last) {
  Status st = CheckFlags(ins);
  if (!st.ok()) {
    // reported below with the step, like every other error of the step
  } else if (ins.keyword == "RUN") {
    st = RunStep(ins, last);
  } else if (ins.keyword == "COPY" || ins.keyword == "ADD") {
    st = CopyStep(ins, last);
  } else {
    st = MetadataStep(ins, last);
  }
  if (st.ok()) AfterStep(ins);
  if (st.ok() || st.message().rfind("building at STEP", 0) == 0) return st;
  return StepError(ins, st);
}

Status StageBuilder::StepError(const Instruction& ins, const Status& st, int exit_code) {
  exit_code_ = exit_code;
  return Status(st.code(), "building at STEP \"" + ins.original + "\": " + st.message());
}

Status StageBuilder::ApplyArg(const Instruction& ins) {
  for (size_t i = 0; i + 1 < ins.args.size(); i += 2) {
    const std::string& name = ins.args[i];
    bool has_default = i / 2 < ins.arg_has_default.size() && ins.arg_has_default[i / 2];
    std::optional<std::string> value;
    if (auto given = run_.BuildArg(name)) {
      value = given;
      std::lock_guard<std::mutex> lock(run_.store_mu);
      run_.consumed_args.insert(name);
    } else if (has_default) {
      ASSIGN_OR_RETURN(std::string v, Expand(ins.args[i + 1]));
      value = v;
    } else if (auto g = run_.global_args.find(name); g != run_.global_args.end()) {
      value = g->second;
    }
    args_[name] = value;
  }
  return Status::Ok();
}

Expected<std::string> StageBuilder::ApplyMetadata(const Instruction& ins) {
  const std::string& kw = ins.keyword;
  Json& rt = state_.Runtime();
  if (kw == "ARG") {
    RETURN_IF_ERROR(ApplyArg(ins));
    // buildah lists every ARG of the stage so far that has a value, sorted (not this line's).
    std::string names;
    for (const auto& [name, value] : args_)
      if (value) names += (names.empty() ? "" : " ") + name;
    return NopCreatedBy("ARG " + names);
  }
  if (kw == "ENV") {
    for (size_t i = 0; i + 1 < ins.args.size(); i += 2) {
      ASSIGN_OR_RETURN(std::string k, Expand(ins.args[i]));
      ASSIGN_OR_RETURN(std::string v, Expand(ins.args[i + 1]));
      state_.SetEnv(k, v);
      if (std::find(stage_env_.begin(), stage_env_.end(), k) == stage_env_.end()) stage_env_.push_back(k);
    }
    // buildah commits the stage's ENV names after the base's, in the order first set here.
    state_.MoveEnvToEnd(stage_env_);
  } else if (kw == "LABEL") {
    for (size_t i = 0; i + 1 < ins.args.size(); i += 2) {
      ASSIGN_OR_RETURN(std::string k, Expand(ins.args[i]));
      ASSIGN_OR_RETURN(std::string v, Expand(ins.args[i + 1]));
      rt["Labels"][k] = v;
    }
  } else if (kw == "WORKDIR") {
    ASSIGN_OR_RETURN(std::string dir, Expand(ins.rest));
    rt["WorkingDir"] = JoinContainerPath(state_.WorkingDir(), dir);
  } else if (kw == "EXPOSE") {
    for (const auto& a : ins.args) {
      ASSIGN_OR_RETURN(std::vector<std::string> ports, ExpandWords(a, Vars(), run_.file.escape));
      for (const auto& p : ports) rt["ExposedPorts"][NormalizePort(p)] = Json::object();
    }
  } else if (kw == "USER") {
    ASSIGN_OR_RETURN(std::string user, Expand(ins.rest));
    rt["User"] = user;
  } else if (kw == "VOLUME") {
    for (const auto& a : ins.args) {
      ASSIGN_OR_RETURN(std::string v, Expand(a));
      if (v.empty()) return InvalidArgument("VOLUME specified can not be an empty string");
      rt["Volumes"][v] = Json::object();
      if (VolumeSetAdd(volume_set_, v) && RunFollows(ins)) Preserve(v);
    }
  } else if (kw == "ENTRYPOINT" || kw == "CMD") {
    std::vector<std::string> cmd = ins.json ? ins.args : state_.Shell(shell_);
    if (!ins.json) cmd.push_back(ins.rest);
    if (kw == "CMD") {
      rt["Cmd"] = ToJsonArray(cmd);
      state_.cmd_set_in_stage = true;
    } else {
      rt["Entrypoint"] = ToJsonArray(cmd);
      if (!state_.cmd_set_in_stage) rt.erase("Cmd");  // an inherited CMD does not survive a new ENTRYPOINT
    }
  } else if (kw == "SHELL") {
    if (!ins.json || ins.args.empty()) return InvalidArgument("SHELL requires the arguments to be in JSON form");
    shell_ = ins.args;  // RUN uses it either way; only a docker-format config records it
    if (run_.opts.docker_format) {
      rt["Shell"] = ToJsonArray(shell_);
    } else if (run_.opts.warn) {
      run_.opts.warn("SHELL is not supported for OCI image format, [" + JoinWords(shell_) +
                     "] will be ignored. Must use `docker` format");
    }
  } else if (kw == "STOPSIGNAL") {
    ASSIGN_OR_RETURN(std::string sig, Expand(ins.rest));
    rt["StopSignal"] = sig;
  } else if (kw == "HEALTHCHECK") {
    if (!run_.opts.docker_format) {
      if (run_.opts.warn) run_.opts.warn("HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format");
    } else if (!ins.args.empty() && ins.args[0] == "NONE") {
      rt["Healthcheck"] = Json{{"Test", Json::array({"NONE"})}};
    } else {
      Json test = Json::array();
      if (ins.json) {
        test.push_back("CMD");
        for (size_t i = 1; i < ins.args.size(); ++i) test.push_back(ins.args[i]);
      } else {
        test = Json::array({"CMD-SHELL", ins.args.size() > 1 ? ins.args[1] : ""});
      }
      Json hc = Json{{"Test", test}};
      for (const auto& f : ins.flags) {
        if (f.name == "retries") {
          hc["Retries"] = std::atoi(f.value.c_str());
          continue;
        }
        static const std::pair<const char*, const char*> kDurations[] = {
            {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"},
            {"start-interval", "StartInterval"}};
        for (const auto& [flag, key] : kDurations) {
          if (f.name != flag) continue;
          ASSIGN_OR_RETURN(int64_t ns, ParseGoDuration(f.value));
          hc[key] = ns;
        }
      }
      rt["Healthcheck"] = hc;
    }
  } else if (kw == "ONBUILD") {
    if (!run_.opts.docker_format) {
      if (run_.opts.warn) run_.opts.warn("ONBUILD is not supported for OCI image format, " + ins.rest + " will be ignored. Must use `docker` format");
    } else {
      rt["OnBuild"].push_back(ins.args.empty() ? ins.rest : ins.args[0]);
    }
  } else if (kw == "MAINTAINER") {
    state_.config["author"] = ins.rest;
  } else {
    return InvalidArgument("unknown instruction: " + kw);
  }
  return NopCreatedBy(ins.original);
}

// --layers=false: a step only adds its history entry; the stage's one container collects
// the files and becomes one layer at the end (Finish). As in podman, only the last entry,
// the one committed, names the base.
Status StageBuilder::UnlayeredStep(const std::string& created_by, bool changes_files, bool last) {
  if (changes_files) work_changed_ = true;
  image::HistoryEntry h;
  h.created = run_.CreatedNanos();
  h.created_by = created_by;
  h.comment = last ? pending_comment_ : "";
  h.empty_layer = true;
  state_.AddHistory(h, std::nullopt);
  return last ? Finish(true, false) : Status::Ok();
}

Status StageBuilder::MetadataStep(const Instruction& ins, bool last) {
  ASSIGN_OR_RETURN(std::string created_by, ApplyMetadata(ins));
  if (!layered()) return UnlayeredStep(created_by, /*changes_files=*/false, last);
  state_.Normalize();
  std::string key = StepKey("META\n" + created_by + "\n" + JsonText(state_.Runtime()) + "\n" +
                            state_.config.value("author", ""));
  ASSIGN_OR_RETURN(bool hit, UseCache(key, last));
  if (hit) return Status::Ok();
  image::HistoryEntry h;
  h.created_by = created_by;
  h.empty_layer = true;
  return CommitStep(key, h, std::nullopt, last);
}

// ---- cache and commits ----

std::string StageBuilder::StepKey(const std::string& descriptor) const {
  return Digest::OfBytes(key_ + "\n" + descriptor).hex();
}

// Moves the state to the image the cache has under this key, if it has one and may be used.
Expected<bool> StageBuilder::LoadCached(const std::string& key) {
  if (!layered() || run_.opts.no_cache) return false;
  std::unique_lock<std::mutex> lock(run_.store_mu);
  ASSIGN_OR_RETURN(std::optional<std::string> id, run_.cache.Lookup(key));
  if (!id) return false;
  ASSIGN_OR_RETURN(store::ImageRecord rec, run_.store.GetImage(*id));
  if (Expired(rec.created)) return false;
  ASSIGN_OR_RETURN(image::ImageConfig cfg, run_.store.ReadConfig(rec));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, run_.store.ImageLayers(rec.id));
  lock.unlock();
  AdoptCached(cfg.json, std::move(layers), rec.id, rec.names.empty() ? "" : rec.names.front(), key);
  return true;
}

void StageBuilder::AdoptCached(const image::Json& config, std::vector<store::LayerInfo> layers, const std::string& id,
                               const std::string& name, const std::string& key) {
  bool cmd_set = state_.cmd_set_in_stage;
  state_.config = config;
  state_.layers = std::move(layers);
  state_.image_id = id;
  state_.cmd_set_in_stage = cmd_set;
  parent_name_ = name;
  key_ = key;
  committed_any_ = true;
  state_pulling_ = false;
}

// buildah compares the image's creation time (its config's "created") with --cache-ttl.
bool StageBuilder::Expired(int64_t created) const {
  return run_.opts.cache_ttl_ns && created + *run_.opts.cache_ttl_ns < NowNanos();
}

// The hit's config is all the next step's key needs, so the build goes on at once; the
// layers' chain IDs are known from the config, their sizes once SettlePulls commits.
Expected<bool> StageBuilder::PullCached(const std::string& key) {
  if (!layered() || run_.opts.no_cache || !run_.registry_cache.pulls()) return false;
  std::shared_ptr<RegistryCache::Hit> hit;
  {
    std::lock_guard<std::mutex> lock(run_.store_mu);
    hit = run_.registry_cache.Find(key, [this](int64_t created) { return !Expired(created); });
  }
  if (!hit) return false;
  run_.Print("--> Cache pulled from remote " + hit->reference);
  std::vector<store::LayerInfo> layers;
  for (size_t i = 0; i < hit->image.diff_ids.size(); ++i)
    layers.push_back({hit->image.chain_ids[i], i ? hit->image.chain_ids[i - 1] : Digest(), hit->image.diff_ids[i], 0});
  AdoptCached(hit->config, std::move(layers), hit->image_id, hit->reference, key);
  state_pulling_ = true;
  pulling_.emplace_back(key, std::move(hit));
  return true;
}

// A stage that failed before settling its hits leaves nothing leased.
StageBuilder::~StageBuilder() {
  for (auto& [key, hit] : pulling_) {
    std::lock_guard<std::mutex> lock(run_.store_mu);
    run_.registry_cache.Abandon(*hit);
  }
}

Status StageBuilder::SettlePulls() {
  if (pulling_.empty()) return Status::Ok();
  auto pulling = std::move(pulling_);
  pulling_.clear();
  bool failed = false;
  std::optional<store::ImageRecord> last;
  for (auto& [key, hit] : pulling) {
    Status waited = failed ? Internal("an earlier step's pull failed") : run_.registry_cache.Wait(*hit);
    std::lock_guard<std::mutex> lock(run_.store_mu);
    auto rec = run_.registry_cache.Commit(*hit, waited);
    if (!rec.ok()) {
      failed = true;
      continue;
    }
    RETURN_IF_ERROR(run_.cache.Record(key, rec->id));
    last = *rec;
  }
  if (failed) {
    restart_ = true;
    return Internal("a --cache-from pull failed after the build went on from it");
  }
  if (state_pulling_ && last) {
    std::lock_guard<std::mutex> lock(run_.store_mu);
    ASSIGN_OR_RETURN(state_.layers, run_.store.ImageLayers(last->id));
    parent_name_ = last->names.empty() ? "" : last->names.front();
    state_pulling_ = false;
  }
  return Status::Ok();
}

Expected<bool> StageBuilder::FindCached(const std::string& key) {
  ASSIGN_OR_RETURN(bool hit, LoadCached(key));
  if (hit) return true;
  return PullCached(key);
}

// podman prints "--> Pushing cache REPO:KEY" for each image it pushes, before the step's ID;
// the push itself goes on while the next steps run.
void StageBuilder::PushCommitted() {
  for (const auto& [key, id] : to_push_)
    if (run_.registry_cache.pushes())
      for (const auto& ref : run_.registry_cache.PushLater(id, key)) run_.Print("--> Pushing cache " + ref);
  to_push_.clear();
}

Expected<bool> StageBuilder::UseCache(const std::string& key, bool last) {
  ASSIGN_OR_RETURN(bool hit, FindCached(key));
  if (!hit) {
    RETURN_IF_ERROR(SettlePulls());  // the step runs on the files of the steps before it
    return false;
  }
  run_.Print("--> Using cache " + state_.image_id);
  RETURN_IF_ERROR(Finish(last, true));
  return true;
}

bool StageBuilder::HasFinalEdits() const {
  return final_ && (!run_.opts.final_config.empty() || !run_.opts.annotations.empty());
}

// The final-image flags on top of the last step's image, committed as an image of its own
// (its parent: the step's image, cached or not) and cached under the step's key and the
// flags: whatever the cache gave for the steps, the final image has the flags' effect, and a
// rebuild with the same flags gives the same image. Unlike podman, the flags never reach the
// intermediate images, where a later build without them would find them in the cache.
Status StageBuilder::CommitFinalImage() {
  Json annotations = Json::array();
  for (const auto& [k, v] : run_.opts.annotations) annotations.push_back(Json::array({k, v}));
  std::string key = StepKey("FINAL\n" + run_.opts.final_config.Describe() + "\n" + JsonText(annotations));
  ASSIGN_OR_RETURN(bool hit, FindCached(key));
  if (hit) return Status::Ok();
  ApplyFinalConfig(state_, run_.opts.final_config, run_.opts.warn);
  ASSIGN_OR_RETURN(std::string id, CommitImage(run_.opts.tags, /*final_image=*/true));
  state_.image_id = id;
  key_ = key;
  committed_any_ = true;
  to_push_.emplace_back(key, id);
  std::lock_guard<std::mutex> lock(run_.store_mu);
  return run_.cache.Record(key, id);
}

std::string StageBuilder::HistoryComment() const {
  if (!committed_any_) return pending_comment_;
  // buildah names the parent by its first name when it has one (a cache hit on a tagged image)
  return "FROM " + (parent_name_.empty() ? state_.image_id.substr(0, 12) : parent_name_);
}

Status StageBuilder::CommitStep(const std::string& key, image::HistoryEntry entry,
                                const std::optional<store::LayerInfo>& layer, bool last) {
  entry.created = run_.CreatedNanos();
  entry.comment = HistoryComment();
  state_.AddHistory(entry, layer ? std::optional<Digest>(layer->diff_id) : std::nullopt);
  if (layer) state_.layers.push_back(*layer);
  bool final_image = last && final_ && !HasFinalEdits();
  ASSIGN_OR_RETURN(std::string id, CommitImage(final_image ? run_.opts.tags : std::vector<std::string>{}, final_image));
  state_.image_id = id;
  parent_name_.clear();
  key_ = key;
  committed_any_ = true;
  {
    std::lock_guard<std::mutex> lock(run_.store_mu);
    RETURN_IF_ERROR(run_.cache.Record(key, id));
  }
  to_push_.emplace_back(key, id);
  return Finish(last, false);
}

// Prints what podman prints after a step: the short ID, and before it, for the last step of
// the final stage, "COMMIT name".
Status StageBuilder::Finish(bool last, bool cached) {
  if (last && final_ && !(cached && run_.opts.tags.empty())) {
    run_.Print(StagePrefix() + "COMMIT" + (run_.commit_name.empty() ? "" : " " + run_.commit_name));
  }
  if (last && !layered()) {
    RETURN_IF_ERROR(final_ && run_.opts.squash_all ? SquashAll() : CommitStageLayer());
    if (final_) ApplyFinalConfig(state_, run_.opts.final_config, run_.opts.warn);
    ASSIGN_OR_RETURN(std::string id, CommitImage(final_ ? run_.opts.tags : std::vector<std::string>{}, final_));
    state_.image_id = id;
  } else if (last && HasFinalEdits()) {
    RETURN_IF_ERROR(CommitFinalImage());
  }
  PushCommitted();
  if (layered() || last) run_.Print("--> " + state_.image_id.substr(0, 11));
  return Status::Ok();
}

Status StageBuilder::CommitStageLayer() {
  if (!work_ || !work_changed_) return Status::Ok();
  Digest parent = base_layers_.empty() ? Digest() : base_layers_.back().chain_id;
  ASSIGN_OR_RETURN(store::LayerInfo l, CommitLayer(parent, work_->upper()));
  Json& hist = state_.config["history"];
  if (hist.is_array() && !hist.empty()) hist.back().erase("empty_layer");
  state_.config["rootfs"]["diff_ids"].push_back(l.diff_id.str());
  state_.layers.push_back(l);
  return Status::Ok();
}

// buildah's squash: the history keeps only this build's steps, the last one carrying the layer.
Status StageBuilder::SquashAll() {
  ASSIGN_OR_RETURN(StepDir scratch, StepDir::Create(run_.store.root()));
  const std::string upper = work_ && work_changed_ ? work_->upper() : "";
  ASSIGN_OR_RETURN(store::LayerInfo l,
                   store::CommitFlattened(run_.store, base_layers_, upper, scratch.path(), run_.LayerTarOptions()));
  Json& hist = state_.config["history"];
  if (hist.is_array()) {
    hist.erase(hist.begin(), hist.begin() + static_cast<std::ptrdiff_t>(std::min(base_history_, hist.size())));
    if (!hist.empty()) hist.back().erase("empty_layer");
  }
  state_.config["rootfs"]["diff_ids"] = Json::array({l.diff_id.str()});
  state_.layers = {l};
  return Status::Ok();
}

// final_image: the build's result, which alone carries --annotation.
Expected<std::string> StageBuilder::CommitImage(const std::vector<std::string>& names, bool final_image) {
  RETURN_IF_ERROR(SettlePulls());
  int64_t created = run_.CreatedNanos();
  state_.config["created"] = FormatRfc3339Nano(created);
  state_.config["architecture"] = platform_.architecture;
  state_.config["os"] = platform_.os;
  if (run_.opts.identity_label) {
    Json& labels = state_.Runtime()["Labels"];
    if (!labels.is_object()) labels = Json::object();
    labels[kBuildahVersionLabel] = kBuildahVersion;
  }
  state_.Normalize();
  std::string config_bytes = JsonText(state_.config);

  std::vector<image::Descriptor> layers;
  for (const auto& l : state_.layers) layers.push_back({"", l.diff_id, l.size});
  image::Manifest manifest = image::LocalManifest(config_bytes, layers, run_.opts.docker_format);
  if (!run_.opts.docker_format) {
    Json ann = Json::object();
    if (!base_name_.empty()) {
      ann["org.opencontainers.image.base.digest"] = base_digest_.str();
      ann["org.opencontainers.image.base.name"] = base_name_;
    }
    if (final_image)
      for (const auto& [k, v] : run_.opts.annotations) ann[k] = v;
    if (!ann.empty()) manifest.annotations = ann;
  }

  store::NewImage img;
  img.config = std::move(config_bytes);
  img.manifest = manifest.Serialize();
  img.manifest_type = manifest.media_type;
  img.layers = state_.layers;
  img.names = names;
  img.parent = state_.image_id;
  std::lock_guard<std::mutex> lock(run_.store_mu);
  ASSIGN_OR_RETURN(store::ImageRecord rec, run_.store.CommitImage(img));
  return rec.id;
}

}  // namespace kiln::build
