// image diff, diff, container diff: podman's output (A/C/D lines or --format json) over
// analysis/changes. An argument is an image (image diff), a container (container diff), or
// a container, image or layer (chain ID) (diff); with one argument it is compared with its
// parent layer, with two, the first with the second. diff and container diff take --latest.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/changes.h"
#include "cli/commands.h"
#include "containers/containers.h"
#include "util/fs.h"
#include "util/json_text.h"

namespace kiln::cli {
namespace {

// What the arguments may name: podman's define.DiffType.
enum class DiffKind { kImage, kContainer, kAll };

struct DiffOptions {
  std::string format;
  std::vector<std::string> args;
  bool latest = false;
  DiffKind kind = DiffKind::kAll;  // image diff: a layer ID as the second argument too (docs/compat.md)
  std::string command;             // "kiln diff", for the missing-argument error
};

// A filesystem as its layer directories, bottom first.
using Stack = std::vector<std::string>;

Expected<Stack> LayerStack(store::Store& st, const std::string& chain_hex) {
  ASSIGN_OR_RETURN(Digest chain, Digest::FromHex(chain_hex));
  Stack dirs;
  while (!chain.empty()) {
    ASSIGN_OR_RETURN(std::optional<store::LayerInfo> layer, st.FindLayer(chain));
    if (!layer) return NotFound("layer not known");
    dirs.insert(dirs.begin(), st.snapshots().FsPath(layer->chain_id));
    chain = layer->parent_chain;
  }
  return dirs;
}

Expected<Stack> ImageStack(store::Store& st, const store::ImageRecord& image) {
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(image.id));
  Stack dirs;
  for (const auto& l : layers) dirs.push_back(st.snapshots().FsPath(l.chain_id));
  return dirs;
}

// podman's getLayerID: an image, then (diff only) a container, then a layer; the last
// lookup's error otherwise.
Expected<Stack> ContainerStack(store::Store& st, const store::ContainerRecord& c) {
  ASSIGN_OR_RETURN(store::ImageRecord img, st.GetImage(c.image_id));
  ASSIGN_OR_RETURN(Stack dirs, ImageStack(st, img));
  std::string upper = containers::ContainerDir(st.root(), c.id) + "/upper";
  if (PathExists(upper)) dirs.push_back(upper);
  return dirs;
}

Expected<Stack> Resolve(store::Store& st, const std::string& name, DiffKind kind, bool layer_too) {
  bool images_only = kind == DiffKind::kImage;
  Status last = NotFound("container not known");
  if (kind != DiffKind::kContainer) {
    auto image = st.LookupImage(name);
    if (image.ok()) return ImageStack(st, *image);
    last = image.status();
  }
  if (!images_only) {
    store::Containers rows(st.db());
    auto c = rows.Lookup(name);
    if (c.ok()) return ContainerStack(st, *c);
    if (kind == DiffKind::kContainer) return NotFound(name + " not found: container not known");
  }
  if (layer_too && Digest::IsHex64(name)) {
    auto layer = LayerStack(st, name);
    if (layer.ok()) return layer;
    if (!images_only) last = layer.status();
  } else if (!images_only) {
    last = NotFound("layer not known");
  }
  return Status(last.code(), name + " not found: " + last.message());
}

Expected<std::vector<analysis::Change>> Changes(const Stack& from, const Stack& to, bool from_given) {
  if (to.empty()) return std::vector<analysis::Change>{};
  Stack below(to.begin(), to.end() - 1);
  // No second argument, or the second is the first's parent: the top layer's own changes
  // (containers/storage's overlay fast path); otherwise whole trees (its naive diff).
  if (!from_given || from == below) return analysis::OverlayChanges(Stack(below.rbegin(), below.rend()), to.back());
  return analysis::TreeChanges(from, to);
}

// What podman leaves out: the paths it mounts into every container.
bool ContainerMount(const std::string& path) {
  static const std::set<std::string> kMounts = {"/dev",  "/etc/hostname",      "/etc/hosts",   "/etc/resolv.conf", "/proc",
                                                "/run", "/run/.containerenv", "/run/secrets", "/sys"};
  return kMounts.count(path) > 0;
}

void Print(const std::vector<analysis::Change>& changes, bool json) {
  if (!json) {
    for (const auto& c : changes) std::printf("%c %s\n", analysis::KindLetter(c.kind), c.path.c_str());
    return;
  }
  // podman's ChangesReportJSON: changed, added, deleted, each left out when empty.
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (auto [kind, key] : {std::pair{analysis::ChangeKind::kModify, "changed"}, {analysis::ChangeKind::kAdd, "added"},
                           {analysis::ChangeKind::kDelete, "deleted"}}) {
    nlohmann::ordered_json paths = nlohmann::ordered_json::array();
    for (const auto& c : changes)
      if (c.kind == kind) paths.push_back(c.path);
    if (!paths.empty()) out[key] = paths;
  }
  std::printf("%s\n", JsonText(out, 5).c_str());
}

// The first argument's stack, or the newest container's with --latest.
Expected<Stack> Target(store::Store& st, const DiffOptions& o) {
  if (!o.latest) return Resolve(st, o.args[0], o.kind, o.kind == DiffKind::kAll);
  store::Containers rows(st.db());
  auto c = containers::Latest(rows);
  if (!c.ok()) return Status(c.status().code(), "unable to get latest container: " + c.status().message());
  return ContainerStack(st, *c);
}

int RunDiff(Context& ctx, const DiffOptions& o) {
  if (o.args.size() > 2)
    return Fail(InvalidArgument("accepts between 1 and 2 arg(s), received " + std::to_string(o.args.size())));
  if (o.latest && !o.args.empty()) return Fail(InvalidArgument("--latest and containers cannot be used together"));
  if (!o.latest && o.args.empty()) {
    if (o.kind == DiffKind::kImage) return Fail(InvalidArgument("accepts between 1 and 2 arg(s), received 0"));
    return Fail(InvalidArgument("\"" + o.command + "\" requires a name, id, or the \"--latest\" flag"));
  }
  if (!o.format.empty() && o.format != "json")
    return Fail(InvalidArgument("only supported value for '--format' is 'json'"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto to = Target(**st, o);
  if (!to.ok()) return Fail(to.status());
  Stack from;
  if (o.args.size() == 2) {
    auto f = Resolve(**st, o.args[1], o.kind, o.kind != DiffKind::kContainer);
    if (!f.ok()) return Fail(f.status());
    from = std::move(*f);
  }
  auto changes = Changes(from, *to, o.args.size() == 2);
  if (!changes.ok()) return Fail(changes.status());
  std::erase_if(*changes, [](const analysis::Change& c) { return ContainerMount(c.path); });
  Print(*changes, o.format == "json");
  return 0;
}

void AddDiff(CLI::App& parent, Registry& r, const std::string& description, DiffKind kind, const std::string& command) {
  auto o = std::make_shared<DiffOptions>();
  o->kind = kind;
  o->command = command;
  CLI::App* cmd = AddCommand(parent, "diff", description);
  cmd->add_option("--format", o->format, "Change the output format (json)");
  if (kind != DiffKind::kImage) cmd->add_flag("-l,--latest", o->latest, "Act on the latest container podman is aware of");
  const char* usage = kind == DiffKind::kImage       ? "IMAGE [IMAGE|LAYER]"
                      : kind == DiffKind::kContainer ? "CONTAINER [CONTAINER]"
                                                     : "CONTAINER|IMAGE|LAYER [CONTAINER|IMAGE|LAYER]";
  cmd->add_option("args", o->args, usage);
  cmd->callback([&r, o] { r.exit_code = RunDiff(r.ctx, *o); });
}

}  // namespace

void RegisterDiffCommands(Registry& r) {
  AddDiff(r.image, r, "Inspect changes to the image's file systems", DiffKind::kImage, "kiln image diff");
  AddDiff(r.root, r, "Display the changes to the object's file system", DiffKind::kAll, "kiln diff");
  // The container group is registered before this one when its word is on the line.
  if (CLI::App* container = FindCommand(r.root, "container"))
    AddDiff(*container, r, "Inspect changes to the container's file systems", DiffKind::kContainer, "kiln container diff");
}

}  // namespace kiln::cli
