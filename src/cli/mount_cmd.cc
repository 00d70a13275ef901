// image mount, image umount (image unmount), and mount, umount (unmount), container
// mount/umount/unmount: podman's flags and output over containers/mount.h.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/image_view.h"
#include "containers/containers.h"
#include "containers/mount.h"
#include "format/tabwriter.h"
#include "util/json_text.h"

namespace kiln::cli {
namespace {

struct MountOptions {
  bool all = false, force = false;
  std::string format;
  std::vector<std::string> images;
  std::string command;  // "image mount", "container umount"…: for the rootless refusal
};

// podman refuses mount commands in a rootless podman outside `podman unshare`: the mount
// would be in a namespace the caller cannot see.
Status CheckUnshared(const Context& ctx, const std::string& command) {
  if (!ctx.outside_unshare) return Status::Ok();
  return InvalidArgument("cannot run command \"kiln " + command +
                         "\" in rootless mode, must execute `kiln unshare` first");
}

// The images named, or every image (all, or no names given).
Expected<std::vector<store::ImageRecord>> Select(store::Store& st, const std::vector<std::string>& names) {
  if (names.empty()) return st.ListImages();
  std::vector<store::ImageRecord> out;
  for (const auto& n : names) {
    ASSIGN_OR_RETURN(store::ImageRecord img, st.LookupImage(n));
    out.push_back(std::move(img));
  }
  return out;
}

struct Mounted {
  const store::ImageRecord* image;
  std::string path;
};

// podman: one name, no --all, no --format: the path alone; else "NAME<TAB>PATH" lines
// (the image's first name, else its ID), or JSON.
int PrintMounts(const std::vector<Mounted>& mounts, const MountOptions& o) {
  if (o.images.size() == 1 && !o.all && o.format.empty()) {
    std::printf("%s\n", mounts.front().path.c_str());
    return 0;
  }
  if (o.format == "json" || o.format == "{{json .}}") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& m : mounts) {
      nlohmann::ordered_json names = nlohmann::ordered_json::array({m.image->manifest_digest.str()});
      out.push_back({{"id", m.image->id}, {"Names", names}, {"Repositories", m.image->names}, {"mountpoint", m.path}});
    }
    std::printf("%s\n", JsonText(out, 1).c_str());
    return 0;
  }
  if (!o.format.empty()) return Fail(InvalidArgument("unknown --format argument: \"" + o.format + "\""));
  format::TabWriter tw(12, 2, 2, ' ');
  for (const auto& m : mounts)
    tw.Write((m.image->names.empty() ? m.image->id : m.image->names.front()) + "\t" + m.path + "\n");
  std::fputs(tw.Flush().c_str(), stdout);
  return 0;
}

int RunMount(Context& ctx, const MountOptions& o) {
  if (Status un = CheckUnshared(ctx, o.command); !un.ok()) return Fail(un);
  if (o.all && !o.images.empty())
    return Fail(InvalidArgument("when using the --all switch, you may not pass any image names or IDs"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto images = Select(**st, o.images);
  if (!images.ok()) return Fail(images.status());
  bool list_only = !o.all && o.images.empty();
  std::vector<Mounted> mounts;
  for (const auto& img : *images) {
    auto path = list_only ? containers::ImageMountpoint(**st, img.id) : containers::MountImage(**st, img.id);
    if (!path.ok()) return Fail(path.status());
    if (!path->empty()) mounts.push_back({&img, *path});
  }
  return PrintMounts(mounts, o);
}

int RunUnmount(Context& ctx, const MountOptions& o) {
  if (Status un = CheckUnshared(ctx, o.command); !un.ok()) return Fail(un);
  if (o.all && !o.images.empty()) return Fail(InvalidArgument("when using the --all switch, you may not pass any image names or IDs"));
  if (!o.all && o.images.empty()) return Fail(InvalidArgument("image name or ID must be specified"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto images = Select(**st, o.images);
  if (!images.ok()) return Fail(images.status());
  int exit_code = 0;
  for (const auto& img : *images) {
    auto was = containers::UnmountImage(**st, img.id, o.force);
    if (!was.ok()) {
      exit_code = Fail(was.status());
      continue;
    }
    if (*was) std::printf("%s\n", img.id.c_str());
  }
  return exit_code;
}

struct ContainerMountOptions {
  bool all = false, force = false, latest = false, no_trunc = false;
  std::string format;
  std::vector<std::string> names;
  std::string command;
};

// The containers named (all of them first: a bad name changes nothing), every container
// (all), or the newest (latest).
Expected<std::vector<store::ContainerRecord>> SelectContainers(store::Store& st, const ContainerMountOptions& o) {
  store::Containers rows(st.db());
  if (o.latest) {
    ASSIGN_OR_RETURN(store::ContainerRecord c, containers::Latest(rows));
    return std::vector<store::ContainerRecord>{c};
  }
  if (o.all) return rows.List();
  std::vector<store::ContainerRecord> out;
  for (const auto& n : o.names) {
    ASSIGN_OR_RETURN(store::ContainerRecord c, rows.Lookup(n));
    out.push_back(std::move(c));
  }
  return out;
}

// podman's `mount` without names: the mounted containers as "ID  PATH" lines (IDs cut to
// 12 unless --no-trunc) or a JSON array, in ID order.
int ListMountedContainers(store::Store& st, const ContainerMountOptions& o) {
  bool json = o.format == "json" || o.format == "{{json .}}";
  if (!o.format.empty() && !json) return Fail(InvalidArgument("unknown --format argument: \"" + o.format + "\""));
  store::Containers rows(st.db());
  auto list = rows.List();
  if (!list.ok()) return Fail(list.status());
  std::sort(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  format::TabWriter tw(12, 2, 2, ' ');
  for (const auto& c : *list) {
    std::string path = containers::ContainerMountpoint(st.root(), c.id);
    if (path.empty()) continue;
    if (json) out.push_back({{"id", c.id}, {"Names", nlohmann::ordered_json::array({c.name})}, {"mountpoint", path}});
    tw.Write((o.no_trunc ? c.id : c.id.substr(0, 12)) + "\t" + path + "\n");
  }
  std::fputs(json ? (out.dump(1) + "\n").c_str() : tw.Flush().c_str(), stdout);
  return 0;
}

int RunContainerMount(Context& ctx, const ContainerMountOptions& o) {
  if (Status un = CheckUnshared(ctx, o.command); !un.ok()) return Fail(un);
  if (o.latest && !o.names.empty()) return Fail(InvalidArgument("--latest and containers cannot be used together"));
  if (o.all && !o.names.empty()) return Fail(InvalidArgument("no arguments are needed with --all"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  if (!o.all && !o.latest && o.names.empty()) return ListMountedContainers(**st, o);
  auto list = SelectContainers(**st, o);
  if (!list.ok()) return Fail(list.status());
  for (const auto& c : *list) {
    auto path = containers::MountContainer(**st, c);
    if (!path.ok()) return Fail(path.status());
    std::printf("%s\n", path->c_str());
  }
  return 0;
}

// podman prints each name as given (mounted or not), and with --all the IDs of those it
// unmounted.
int RunContainerUnmount(Context& ctx, const ContainerMountOptions& o) {
  if (Status un = CheckUnshared(ctx, o.command); !un.ok()) return Fail(un);
  if (o.latest && !o.names.empty()) return Fail(InvalidArgument("--latest and containers cannot be used together"));
  if (o.all && !o.names.empty()) return Fail(InvalidArgument("no arguments are needed with --all"));
  if (!o.all && !o.latest && o.names.empty()) return Fail(InvalidArgument("you must provide at least one name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto list = SelectContainers(**st, o);
  if (!list.ok()) return Fail(list.status());
  int exit_code = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    const store::ContainerRecord& c = (*list)[i];
    auto was = containers::UnmountContainer((*st)->root(), c.id, o.force);
    if (!was.ok()) {
      exit_code = Fail(Status(was.status().code(), "unmounting container " + c.id + ": " + was.status().message()));
      continue;
    }
    if (o.all && !*was) continue;
    std::printf("%s\n", o.names.empty() ? c.id.c_str() : o.names[i].c_str());
  }
  return exit_code;
}

void AddContainerMountCommands(CLI::App& parent, Registry& r, const std::string& prefix) {
  auto mo = std::make_shared<ContainerMountOptions>();
  mo->command = prefix + "mount";
  CLI::App* mount = AddCommand(parent, "mount", "Mount a working container's root filesystem");
  mount->add_flag("-a,--all", mo->all, "Mount all containers");
  mount->add_option("--format", mo->format, "Print the mounted containers in specified format (json)");
  mount->add_flag("-l,--latest", mo->latest, "Act on the latest container podman is aware of");
  mount->add_flag("--no-trunc,--notruncate", mo->no_trunc, "Do not truncate output");
  mount->add_option("containers", mo->names, "CONTAINER [CONTAINER...]");
  mount->callback([&r, mo] { r.exit_code = RunContainerMount(r.ctx, *mo); });

  auto uo = std::make_shared<ContainerMountOptions>();
  uo->command = prefix + "umount";
  CLI::App* umount = AddCommand(parent, "umount", "Unmount working container's root filesystem");
  umount->alias("unmount");
  umount->add_flag("-a,--all", uo->all, "Umount all of the currently mounted containers");
  umount->add_flag("-f,--force", uo->force, "Force the complete umount of the specified mounted containers");
  umount->add_flag("-l,--latest", uo->latest, "Act on the latest container podman is aware of");
  umount->add_option("containers", uo->names, "CONTAINER [CONTAINER...]");
  umount->callback([&r, uo] { r.exit_code = RunContainerUnmount(r.ctx, *uo); });
}

}  // namespace

void RegisterImageMountCommands(Registry& r) {
  // `container mount`: the container group is registered before this one when chosen.
  AddContainerMountCommands(r.root, r, "");
  if (CLI::App* container = FindCommand(r.root, "container")) AddContainerMountCommands(*container, r, "container ");
  auto mo = std::make_shared<MountOptions>();
  mo->command = "image mount";
  CLI::App* mount = AddCommand(r.image, "mount", "Mount an image's root filesystem");
  mount->add_flag("-a,--all", mo->all, "Mount all images");
  mount->add_option("--format", mo->format, "Print the mounted images in specified format (json)");
  mount->add_option("images", mo->images, "IMAGE [IMAGE...]");
  mount->callback([&r, mo] { r.exit_code = RunMount(r.ctx, *mo); });

  auto uo = std::make_shared<MountOptions>();
  uo->command = "image umount";
  CLI::App* umount = AddCommand(r.image, "umount", "Unmount an image's root filesystem");
  umount->alias("unmount");
  umount->add_flag("-a,--all", uo->all, "Unmount all of the currently mounted images");
  umount->add_flag("-f,--force", uo->force, "Force the complete unmount of the specified mounted images");
  umount->add_option("images", uo->images, "IMAGE [IMAGE...]");
  umount->callback([&r, uo] { r.exit_code = RunUnmount(r.ctx, *uo); });
}

}  // namespace kiln::cli
