// image mount, image umount (image unmount): podman's flags and output over
// containers::MountImage / UnmountImage.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/image_view.h"
#include "containers/image_mount.h"
#include "format/tabwriter.h"
#include "util/json_text.h"

namespace kiln::cli {
namespace {

struct MountOptions {
  bool all = false, force = false;
  std::string format;
  std::vector<std::string> images;
};

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

}  // namespace

void RegisterImageMountCommands(Registry& r) {
  auto mo = std::make_shared<MountOptions>();
  CLI::App* mount = AddCommand(r.image, "mount", "Mount an image's root filesystem");
  mount->add_flag("-a,--all", mo->all, "Mount all images");
  mount->add_option("--format", mo->format, "Print the mounted images in specified format (json)");
  mount->add_option("images", mo->images, "IMAGE [IMAGE...]");
  mount->callback([&r, mo] { r.exit_code = RunMount(r.ctx, *mo); });

  auto uo = std::make_shared<MountOptions>();
  CLI::App* umount = AddCommand(r.image, "umount", "Unmount an image's root filesystem");
  umount->alias("unmount");
  umount->add_flag("-a,--all", uo->all, "Unmount all of the currently mounted images");
  umount->add_flag("-f,--force", uo->force, "Force the complete unmount of the specified mounted images");
  umount->add_option("images", uo->images, "IMAGE [IMAGE...]");
  umount->callback([&r, uo] { r.exit_code = RunUnmount(r.ctx, *uo); });
}

}  // namespace kiln::cli
