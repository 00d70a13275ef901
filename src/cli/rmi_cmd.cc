// rmi, image rm, image prune.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/image_view.h"
#include "containers/containers.h"
#include "containers/pod.h"
#include "image/reference.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

struct RmiOptions {
  std::vector<std::string> images;
  bool force = false, all = false, ignore = false;
};

// Go's multierror text, which podman prints for several failures.
Status Combine(const std::vector<Status>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string msg = std::to_string(errors.size()) + " errors occurred:";
  for (const auto& e : errors) msg += "\n\t* " + e.message();
  return Status(Code::kInvalidArgument, msg);
}

// The stored name that a name the user typed (perhaps short) refers to.
Expected<std::string> StoredNameFor(const store::ImageRecord& img, const std::string& typed) {
  ASSIGN_OR_RETURN(image::ImageQuery q, image::ParseQuery(typed));
  for (const auto& candidate : q.candidates)
    for (const auto& n : img.names)
      if (n == candidate) return n;
  for (const auto& n : img.names)
    if (image::NameMatches(n, q)) return n;
  return q.NotKnown();
}

// What rmi did, printed as podman's one report: every "Untagged:" line, then every "Deleted:".
struct RmiReport {
  std::vector<std::string> untagged, deleted;
};

// Removes one image as `rmi ARG` asks: untag when ARG is one of several names, else delete.
// Every check comes before any change, so a refused rmi leaves the image as it was.
Status RemoveOne(store::Store& store, const std::string& arg, const RmiOptions& opts, RmiReport& out) {
  ASSIGN_OR_RETURN(store::ImageRecord img, store.LookupImage(arg));
  bool by_id = img.id.rfind(arg, 0) == 0 || arg == "sha256:" + img.id;
  std::vector<std::string> untagged = img.names;
  if (!by_id) {
    ASSIGN_OR_RETURN(std::string name, StoredNameFor(img, arg));
    if (img.names.size() > 1) {
      RETURN_IF_ERROR(store.RemoveName(img.id, name));
      out.untagged.push_back(name);
      return Status::Ok();
    }
    untagged = {name};
  } else if (img.names.size() > 1 && !opts.force && !opts.all) {
    std::string names;
    for (const auto& n : img.names) names += (names.empty() ? "" : " ") + n;
    return InvalidArgument("unable to delete image \"" + img.id + "\" by ID with more than one tag ([" + names +
                           "]): please force removal");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> children, store.ChildrenOf(img.id));
  if (!children.empty()) return InUse("image has dependent child images");
  // One transaction takes the names, the image, its dangling parents (and with -f the
  // containers that used it).
  // -f: running containers are stopped and every container's files removed first (the
  // rows go with the image in DeleteImage either way).
  // An infra container takes its pod along, with the pod's other containers (podman's rmi -f
  // of the pause image).
  if (opts.force) {
    RETURN_IF_ERROR(containers::RemovePodsOfInfraImage(store, img.id, Warn));
    RETURN_IF_ERROR(containers::RemoveContainersOfImage(store, img.id, Warn));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> deleted, store.DeleteImage(img.id, opts.force));
  out.untagged.insert(out.untagged.end(), untagged.begin(), untagged.end());
  out.deleted.insert(out.deleted.end(), deleted.begin(), deleted.end());
  return Status::Ok();
}

// rmi -a: every image after its children, so that none is refused for children this same
// command removes (a build's intermediate images are parents of what it tagged). The
// parent links come with the listing: no query per image.
Expected<std::vector<std::string>> ChildrenFirst(store::Store& store) {
  ASSIGN_OR_RETURN(std::vector<store::ImageRecord> images, store.ListImages());
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& i : images)
    if (!i.parent.empty()) children[i.parent].push_back(i.id);
  std::vector<std::string> order;
  std::set<std::string> placed;
  std::function<void(const std::string&)> place = [&](const std::string& id) {
    if (!placed.insert(id).second) return;
    if (auto it = children.find(id); it != children.end())
      for (const auto& c : it->second) place(c);
    order.push_back(id);
  };
  for (const auto& i : images) place(i.id);
  return order;
}

int RunRmi(Context& ctx, RmiOptions& opts) {
  if (opts.images.empty() && !opts.all) return Fail(InvalidArgument("image name or ID must be specified"));
  if (!opts.images.empty() && opts.all) return Fail(InvalidArgument("when using the --all switch, you may not pass any images names or IDs"));
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  if (opts.all) {
    auto ids = ChildrenFirst(**store);
    if (!ids.ok()) return Fail(ids.status());
    opts.images = std::move(*ids);
  }
  std::vector<Status> errors;
  RmiReport report;
  for (const auto& arg : opts.images) {
    Status st = RemoveOne(**store, arg, opts, report);
    if (st.ok()) continue;
    if (st.code() == Code::kNotFound && (opts.force || opts.ignore || opts.all)) continue;
    errors.push_back(st);
  }
  for (const auto& n : report.untagged) std::printf("Untagged: %s\n", n.c_str());
  for (const auto& id : report.deleted) std::printf("Deleted: %s\n", id.c_str());
  std::fflush(stdout);
  (void)(*store)->CollectGarbage();
  if (errors.empty()) return 0;
  // podman sets the exit code from each error in turn, so the last one decides.
  const Status& last = errors.back();
  return Fail(Combine(errors), last.code() == Code::kNotFound ? 1 : ExitCodeFor(last));
}

void AddRmi(CLI::App& parent, const std::string& name, Registry& r) {
  auto opts = std::make_shared<RmiOptions>();
  CLI::App* cmd = AddCommand(parent, name, "Remove one or more images from local storage");
  cmd->add_option("images", opts->images, "IMAGE [IMAGE...]");
  cmd->add_flag("-f,--force", opts->force, "Force removal of the image and any containers using the image");
  cmd->add_flag("-a,--all", opts->all, "Remove all images");
  cmd->add_flag("-i,--ignore", opts->ignore, "Ignore errors if a specified image does not exist");
  cmd->callback([&r, opts] { r.exit_code = RunRmi(r.ctx, *opts); });
}

// ---- image prune ----

struct PruneOptions {
  bool all = false, force = false;
  std::vector<std::string> filters;
};


}  // namespace

namespace {

// Whether an image's labels pass prune's label= and label!= filters (its config is read only
// when there are some).
Expected<bool> PassesLabels(store::Store& store, const store::ImageRecord& img, const PruneFilter& filter) {
  if (filter.labels.empty() && filter.not_labels.empty()) return true;
  ASSIGN_OR_RETURN(image::ImageConfig cfg, store.ReadConfig(img));
  const image::Json labels = cfg.RuntimeConfig().value("Labels", image::Json::object());
  for (const auto& l : filter.labels)
    if (!LabelMatches(labels, l)) return false;
  for (const auto& l : filter.not_labels)
    if (LabelMatches(labels, l)) return false;
  return true;
}

}  // namespace

// Removes dangling images (all unused ones with `all`), repeating while removals leave
// new dangling parents. Returns removed IDs in order.
Expected<std::vector<std::string>> PruneImages(store::Store& store, bool all, const PruneFilter& filter) {
  std::vector<std::string> removed;
  std::map<std::string, bool> labels_pass;  // by image, across rounds: each config is read once
  for (bool progress = true; progress;) {
    progress = false;
    ASSIGN_OR_RETURN(std::vector<store::ImageRecord> images, store.ListImages());
    std::set<std::string> parents;
    for (const auto& i : images) parents.insert(i.parent);
    for (const auto& img : images) {
      if (filter.until && img.created >= filter.until) continue;
      if (!labels_pass.count(img.id)) {
        ASSIGN_OR_RETURN(labels_pass[img.id], PassesLabels(store, img, filter));
      }
      if (!labels_pass[img.id]) continue;
      if (!all && (!img.names.empty() || parents.count(img.id))) continue;
      if (parents.count(img.id)) continue;  // children first; the parent goes on a later round
      ASSIGN_OR_RETURN(std::vector<std::string> containers, store.ContainersUsing(img.id));
      if (!containers.empty()) continue;
      ASSIGN_OR_RETURN(std::vector<std::string> deleted, store.DeleteImage(img.id, false));
      removed.insert(removed.end(), deleted.begin(), deleted.end());
      progress = true;
    }
  }
  return removed;
}

namespace {

int RunPrune(Context& ctx, const PruneOptions& opts) {
  PruneFilter filter;
  for (const auto& f : opts.filters) {
    auto eq = f.find('=');
    std::string key = f.substr(0, eq), value = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (key == "until") {
      auto t = ParseTimestampOrAge(value, NowNanos());
      if (!t.ok()) return Fail(t.status());
      filter.until = *t;
    } else if (key == "label") {
      filter.labels.push_back(value);
    } else if (key == "label!") {
      filter.not_labels.push_back(value);
    } else {
      return Fail(InvalidArgument("unsupported image filter \"" + key + "\""));
    }
  }
  if (!opts.force) {
    auto yes = Confirm(opts.all ? "WARNING! This command removes all images without at least one container associated with them.\n"
                                : "WARNING! This command removes all dangling images.\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto removed = PruneImages(**store, opts.all, filter);
  if (!removed.ok()) return Fail(removed.status());
  for (const auto& id : *removed) std::printf("%s\n", id.c_str());
  std::fflush(stdout);
  auto gc = (*store)->CollectGarbage();
  return gc.ok() ? 0 : Fail(gc.status());
}

void AddPrune(Registry& r) {
  auto opts = std::make_shared<PruneOptions>();
  CLI::App* cmd = AddCommand(r.image, "prune", "Remove unused images");
  cmd->add_flag("-a,--all", opts->all, "Remove all images not in use by containers, not just dangling ones");
  cmd->add_flag("-f,--force", opts->force, "Do not prompt for confirmation");
  AddRepeatable(cmd, "--filter", opts->filters, "Provide filter values (until=, label=, label!=)");
  cmd->callback([&r, opts] { r.exit_code = RunPrune(r.ctx, *opts); });
}

}  // namespace

void RegisterRemoveCommands(Registry& r) {
  AddRmi(r.root, "rmi", r);
  AddRmi(r.image, "rm", r);
  AddPrune(r);
}

}  // namespace kiln::cli
