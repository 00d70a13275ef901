#include "build/builder.h"

#include <algorithm>
#include <functional>

#include "build/stage.h"

namespace kiln::build {
namespace {

const KeyValues kPredefinedArgs = {{"TARGETPLATFORM", "linux/amd64"}, {"TARGETOS", "linux"},
                                   {"TARGETARCH", "amd64"},           {"TARGETVARIANT", ""},
                                   {"BUILDPLATFORM", "linux/amd64"},  {"BUILDOS", "linux"},
                                   {"BUILDARCH", "amd64"},            {"BUILDVARIANT", ""}};

bool IsPredefined(const std::string& name) {
  for (const auto& [k, v] : kPredefinedArgs)
    if (k == name) return true;
  for (const char* p : kProxyArgs)
    if (name == p) return true;
  return false;
}

// ARGs before the first FROM: visible to FROM lines, and to stages that re-declare them.
Status ResolveGlobalArgs(BuildRun& run) {
  for (const auto& [k, v] : kPredefinedArgs) run.global_args[k] = v;
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
      }
      run.global_args[name] = value;
    }
  }
  return Status::Ok();
}

Expected<int> TargetStage(const Containerfile& file, const std::string& target) {
  if (target.empty()) return static_cast<int>(file.stages.size()) - 1;
  int idx = FindStage(file, target, static_cast<int>(file.stages.size()));
  if (idx < 0) return InvalidArgument("target stage \"" + target + "\" not found");
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
Expected<ImageState> BuildStage(BuildRun& run, int i, int target, int& exit_code) {
  StageBuilder stage(run, run.file.stages[i], i == target);
  auto state = stage.Build();
  if (!state.ok()) exit_code = stage.exit_code();
  return state;
}

// One stage after the other, in the Containerfile's order.
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

Status TagFinalImage(BuildRun& run, const std::string& id) {
  for (const auto& tag : run.opts.tags) RETURN_IF_ERROR(run.store.AddName(id, tag));
  ASSIGN_OR_RETURN(store::ImageRecord rec, run.store.GetImage(id));
  std::vector<std::string> shown = run.opts.tags;
  for (const auto& n : rec.names)
    if (std::find(shown.begin(), shown.end(), n) == shown.end() && !run.opts.tags.empty()) shown.push_back(n);
  for (const auto& n : shown) run.Print("Successfully tagged " + n);
  return Status::Ok();
}

}  // namespace

Expected<BuildResult> Build(store::Store& store, const BuildOptions& options, BuildFailure& failure) {
  failure.exit_code = 125;
  BuildRun run(store, options, failure);
  std::string label = options.containerfile_path.empty() ? "Containerfile" : options.containerfile_path;
  ASSIGN_OR_RETURN(run.file, ParseContainerfile(options.containerfile_text, label));
  ASSIGN_OR_RETURN(run.ignore, LoadIgnoreFile(options.context_dir, options.containerfile_path));
  RETURN_IF_ERROR(ResolveGlobalArgs(run));
  ASSIGN_OR_RETURN(int target, TargetStage(run.file, options.target));
  if (!options.tags.empty()) run.commit_name = options.commit_name.empty() ? options.tags.front() : options.commit_name;
  RemoveStaleStepDirs(store.root());
  // A lease keeps each new layer from GC between its snapshot and the commit naming it.
  ASSIGN_OR_RETURN(run.lease, store.CreateLease(24LL * 3600 * 1000000000LL));
  run.stage_results.resize(run.file.stages.size());
  std::vector<int> needed = NeededStages(run.file, target);
  // Stages run one after the other whatever --jobs says. Running them in threads deadlocked:
  // the chroot isolation starts a container with a raw clone(2), which skips glibc's fork
  // handlers, and its child allocates before exec — a lock another thread held at that
  // moment stays held in the child forever. Parallel stages need that start path made
  // allocation-free (or separate processes per stage) first.
  Status built = BuildInOrder(run, needed, target);
  (void)run.stat_cache.Flush();
  (void)store.ReleaseLease(run.lease);
  if (!built.ok()) return built;
  const std::string id = run.stage_results[target]->image_id;
  RETURN_IF_ERROR(TagFinalImage(run, id));
  WarnUnusedArgs(run);
  if (options.quiet) {
    std::fprintf(options.out, "%s\n", id.c_str());
  } else {
    run.Print(id);
  }
  return BuildResult{id};
}

}  // namespace kiln::build
