#include "builder/builder.h"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>

#include "builder/stage.h"
#include "util/go_strconv.h"

namespace kiln::build {
namespace {

// BuildKit's and buildah's predefined ARGs: the target platform and the build host's.
KeyValues PredefinedArgs(const image::Platform& target, const image::Platform& host) {
  return {{"TARGETPLATFORM", target.String()}, {"TARGETOS", target.os},
          {"TARGETARCH", target.architecture}, {"TARGETVARIANT", target.variant},
          {"BUILDPLATFORM", host.String()},    {"BUILDOS", host.os},
          {"BUILDARCH", host.architecture},    {"BUILDVARIANT", host.variant}};
}

bool IsPredefined(const std::string& name) {
  for (const auto& [k, v] : PredefinedArgs({}, {}))
    if (k == name) return true;
  for (const char* p : kProxyArgs)
    if (name == p) return true;
  return false;
}

// ARGs before the first FROM: visible to FROM lines, and to stages that re-declare them.
Status ResolveGlobalArgs(BuildRun& run) {
  for (const auto& [k, v] : PredefinedArgs(run.platform, run.host)) run.global_args[k] = v;
  for (const auto& ins : run.file.global_args) {
    for (size_t i = 0; i + 1 < ins.args.size(); i += 2) {
      const std::string& name = ins.args[i];
      bool has_default = i / 2 < ins.arg_has_default.size() && ins.arg_has_default[i / 2];
      std::optional<std::string> value;
      if (auto given = run.BuildArg(name)) {
        value = given;
        run.consumed_args.insert(name);
      } else if (has_default) {
        VarLookup vars = [&run](std::string_view n) -> std::optional<std::string> {
          auto it = run.global_args.find(std::string(n));
          return it == run.global_args.end() ? std::nullopt : it->second;
        };
        ASSIGN_OR_RETURN(std::string v, ExpandWord(ins.args[i + 1], vars, run.file.escape));
        value = v;
      } else if (auto predefined = run.global_args.find(name); predefined != run.global_args.end()) {
        value = predefined->second;  // `ARG TARGETARCH` alone declares the predefined value
      }
      run.global_args[name] = value;
    }
  }
  return Status::Ok();
}

Expected<int> TargetStage(const Containerfile& file, const std::string& target) {
  if (target.empty()) return static_cast<int>(file.stages.size()) - 1;
  int idx = FindStage(file, target, static_cast<int>(file.stages.size()));
  if (idx < 0) return InvalidArgument("The target \"" + target + "\" was not found in the provided Dockerfile");
  return idx;
}

// The stages a stage needs: its FROM if it names a stage, and every COPY/ADD --from= or
// RUN --mount from= that does.
std::vector<int> StageDeps(const Containerfile& file, const Stage& stage) {
  std::vector<int> deps;
  auto add = [&](const std::string& name) {
    int d = FindStage(file, name, stage.index);
    if (d >= 0 && std::find(deps.begin(), deps.end(), d) == deps.end()) deps.push_back(d);
  };
  add(stage.base);
  for (const auto& ins : stage.instructions) {
    for (const auto& f : ins.flags) {
      if (f.name == "from") add(f.value);
      if (f.name == "mount") {
        auto pos = f.value.find("from=");
        if (pos != std::string::npos) add(f.value.substr(pos + 5, f.value.find(',', pos) - pos - 5));
      }
    }
  }
  return deps;
}

std::vector<int> NeededStages(const Containerfile& file, int target) {
  std::vector<bool> need(file.stages.size(), false);
  std::function<void(int)> visit = [&](int i) {
    if (need[i]) return;
    need[i] = true;
    for (int d : StageDeps(file, file.stages[i])) visit(d);
  };
  visit(target);
  std::vector<int> out;
  for (size_t i = 0; i < need.size(); ++i)
    if (need[i]) out.push_back(static_cast<int>(i));
  return out;
}

// Builds stage i; its exit code goes to exit_code when it fails.
// A stage whose --cache-from hit failed to download after later steps went on from it is
// built again: that repository is off by then, and the hits committed before it are local.
Expected<ImageState> BuildStage(BuildRun& run, int i, int target, int& exit_code) {
  for (size_t attempt = 0;; ++attempt) {
    StageBuilder stage(run, run.file.stages[i], i == target);
    auto state = stage.Build();
    if (!state.ok() && stage.restart() && attempt < run.opts.registry_cache.from.size()) continue;
    if (!state.ok()) exit_code = stage.exit_code();
    return state;
  }
}

// --jobs 1: one stage after the other, in the Containerfile's order.
Status BuildInOrder(BuildRun& run, const std::vector<int>& needed, int target) {
  for (int i : needed) {
    int code = 125;
    auto state = BuildStage(run, i, target, code);
    if (!state.ok()) {
      run.failure.exit_code = code;
      return state.status();
    }
    run.stage_results[i] = std::move(*state);
  }
  return Status::Ok();
}

// Stages in parallel threads: each starts once the stages it needs are done, lowest index
// first, at most `jobs` at a time. The first failure is the build's: stages already running
// finish, no new one starts. The target needs every other needed stage, so it runs last.
class StageScheduler {
 public:
  StageScheduler(BuildRun& run, const std::vector<int>& needed, int target, int jobs)
      : run_(run), pending_(needed), target_(target), jobs_(jobs), done_(run.file.stages.size(), false) {
    for (int i : needed) deps_.emplace_back(StageDeps(run.file, run.file.stages[i]));
  }
  Status Run();

 private:
  bool Ready(size_t k) const;
  void StartReady();
  void Work(int i);
  void Fail(Status st, int exit_code);

  BuildRun& run_;
  std::vector<int> pending_;             // needed stages not started yet, in order
  std::vector<std::vector<int>> deps_;   // parallel to pending_
  int target_;
  int jobs_;
  std::mutex mu_;  // guards everything below and the writes to run_.stage_results
  std::condition_variable cv_;
  std::vector<bool> done_;  // by stage index
  int running_ = 0;
  bool failed_ = false;
  Status error_;
  int exit_code_ = 125;
  std::vector<std::thread> threads_;
};

bool StageScheduler::Ready(size_t k) const {
  return std::all_of(deps_[k].begin(), deps_[k].end(), [this](int d) { return done_[d]; });
}

void StageScheduler::Fail(Status st, int exit_code) {
  if (failed_) return;
  failed_ = true;
  error_ = std::move(st);
  exit_code_ = exit_code;
}

void StageScheduler::StartReady() {
  for (size_t k = 0; k < pending_.size() && running_ < jobs_ && !failed_;) {
    if (!Ready(k)) {
      ++k;
      continue;
    }
    int i = pending_[k];
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(k));
    deps_.erase(deps_.begin() + static_cast<std::ptrdiff_t>(k));
    try {
      threads_.emplace_back([this, i] { Work(i); });
      ++running_;
    } catch (const std::system_error& e) {
      Fail(Internal(std::string("starting a build thread: ") + e.what()), 125);
    }
  }
}

void StageScheduler::Work(int i) {
  int code = 125;
  auto state = BuildStage(run_, i, target_, code);
  std::lock_guard<std::mutex> lock(mu_);
  if (state.ok()) {
    run_.stage_results[i] = std::move(*state);
    done_[i] = true;
  } else {
    Fail(state.status(), code);
  }
  --running_;
  cv_.notify_all();
}

Status StageScheduler::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    StartReady();
    if (running_ == 0 && (failed_ || pending_.empty())) break;
    if (running_ == 0) {
      Fail(Internal("build stages depend on each other in a cycle"), 125);
      break;
    }
    cv_.wait(lock);
  }
  lock.unlock();
  for (auto& t : threads_) t.join();
  if (!failed_) return Status::Ok();
  run_.failure.exit_code = exit_code_;
  return error_;
}

int JobCount(const BuildOptions& options) {
  if (options.jobs > 0) return options.jobs;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void WarnUnusedArgs(const BuildRun& run) {
  std::vector<std::string> unused;
  for (const auto& [k, v] : run.opts.build_args)
    if (!run.consumed_args.count(k) && !IsPredefined(k) &&
        std::find(unused.begin(), unused.end(), k) == unused.end())
      unused.push_back(k);
  if (unused.empty() || !run.opts.warn) return;
  std::sort(unused.begin(), unused.end());
  std::string list;
  for (const auto& u : unused) list += (list.empty() ? "" : " ") + u;
  run.opts.warn("one or more build args were not consumed: [" + list + "]");
}

// podman prints every name the image ends up with, in its order: the names it already had
// (a rebuild that gives an existing image), then the -t names it gains. Without -t, none.
Status TagFinalImage(BuildRun& run, const std::string& id) {
  if (run.opts.tags.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(store::ImageRecord before, run.store.GetImage(id));
  std::vector<std::string> shown = before.names;
  for (const auto& tag : run.opts.tags) {
    RETURN_IF_ERROR(run.store.AddName(id, tag));  // tags are normalised by the CLI
    if (std::find(shown.begin(), shown.end(), tag) == shown.end()) shown.push_back(tag);
  }
  for (const auto& n : shown) run.Print("Successfully tagged " + n);
  return Status::Ok();
}

// A word the expander gives back as it is: single-quoted, a single quote itself as
// escape-char + quote between two quoted runs.
std::string Literal(const std::string& s, char escape) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'";
      out += escape;
      out += "''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// podman turns each --label into a LABEL step after the last instruction (buildah's
// `LABEL %q=%q`), so the label is cached like any step and history shows it. The value is
// taken literally, as podman does; a label without a key is skipped. kiln adds them to the
// target stage, the one that becomes the image.
void AppendLabelSteps(Stage& stage, const KeyValues& labels, char escape) {
  for (const auto& [key, value] : labels) {
    if (key.empty()) continue;
    Instruction ins;
    ins.keyword = "LABEL";
    ins.rest = Quote(key) + "=" + Quote(value);
    ins.original = "LABEL " + ins.rest;
    ins.args = {Literal(key, escape), Literal(value, escape)};
    stage.instructions.push_back(std::move(ins));
  }
}

}  // namespace

Expected<BuildResult> Build(store::Store& store, const BuildOptions& options, BuildFailure& failure) {
  failure.exit_code = 125;
  BuildRun run(store, options, failure);
  run.host = image::HostPlatform();
  run.platform = options.platform.architecture.empty() ? run.host : options.platform;
  std::string label = options.containerfile_path.empty() ? "Containerfile" : options.containerfile_path;
  ASSIGN_OR_RETURN(run.file, ParseContainerfile(options.containerfile_text, label));
  ASSIGN_OR_RETURN(run.ignore, LoadIgnoreFile(options.context_dir, options.containerfile_path, options.ignore_file));
  RETURN_IF_ERROR(ResolveGlobalArgs(run));
  ASSIGN_OR_RETURN(int target, TargetStage(run.file, options.target));
  AppendLabelSteps(run.file.stages[target], options.labels, run.file.escape);
  if (!options.tags.empty()) run.commit_name = options.commit_name.empty() ? options.tags.front() : options.commit_name;
  RemoveStaleStepDirs(store.root());
  // A lease keeps each new layer from GC between its snapshot and the commit naming it.
  ASSIGN_OR_RETURN(run.lease, store.CreateLease(24LL * 3600 * 1000000000LL));
  run.stage_results.resize(run.file.stages.size());
  std::vector<int> needed = NeededStages(run.file, target);
  int jobs = JobCount(options);
  Status built = jobs == 1 || needed.size() == 1 ? BuildInOrder(run, needed, target)
                                                 : StageScheduler(run, needed, target, jobs).Run();
  run.registry_cache.Drain();  // the --cache-to pushes still under way (their layers leased)
  (void)run.stat_cache.Flush();
  (void)store.ReleaseLease(run.lease);
  if (!built.ok()) return built;
  const std::string id = run.stage_results[target]->image_id;
  RETURN_IF_ERROR(TagFinalImage(run, id));
  WarnUnusedArgs(run);
  if (options.print_id && options.quiet) {
    std::fprintf(options.out, "%s\n", id.c_str());
  } else if (options.print_id) {
    run.Print(id);
  }
  return BuildResult{id};
}

}  // namespace kiln::build
