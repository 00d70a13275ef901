// system df, system prune, system reset.
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <map>

#include "builder/stat_cache.h"
#include "cli/commands.h"
#include "cli/image_view.h"
#include "containers/containers.h"
#include "containers/pod.h"
#include "containers/volumes.h"
#include "format/report.h"
#include "store/containers.h"
#include "store/volumes.h"
#include "format/tabwriter.h"
#include "format/units.h"
#include "runtime/userns.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

struct ImageUsage {
  const store::ImageRecord* image;
  int64_t shared = 0;  // bytes of layers that other images use too
  int64_t containers = 0;
};

// Bytes of regular files under dir (symlinks not followed); 0 when it does not exist.
int64_t DirectorySize(const std::string& dir) {
  std::error_code ec;
  int64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

struct ContainerUsage {
  struct One {
    store::ContainerRecord record;
    std::string command;
    int64_t volumes = 0, size = 0;
  };
  std::vector<One> containers;
  int64_t total = 0, active = 0, size = 0, reclaimable = 0;
};

// Containers: their writable layers and logs under ROOT/containers/<id>; a container that
// is not running could be removed, so its bytes are reclaimable.
Expected<ContainerUsage> MeasureContainers(store::Store& store) {
  ContainerUsage cu;
  store::Containers containers(store.db());
  ASSIGN_OR_RETURN(std::vector<store::ContainerRecord> all, containers.List());
  for (auto& c : all) {
    containers::Reconcile(containers, c);
    int64_t size = DirectorySize(store.root() + "/containers/" + c.id);
    std::string command;
    for (const auto& a : c.config.value("command", nlohmann::ordered_json::array()))
      command += (command.empty() ? "" : " ") + a.get<std::string>();
    cu.containers.push_back({c, command, static_cast<int64_t>(containers::MountsOf(c).size()), size});
    ++cu.total;
    cu.size += size;
    if (c.state == "running") ++cu.active;
    else cu.reclaimable += size;
  }
  return cu;
}

struct VolumeUsage {
  struct One {
    std::string name;
    int64_t links = 0, size = 0;
  };
  std::vector<One> volumes;
  int64_t active = 0, size = 0, reclaimable = 0;
};

// Volumes: the bytes under each one's _data; one that no container uses could be removed.
Expected<VolumeUsage> MeasureVolumes(store::Store& store) {
  VolumeUsage vu;
  store::Volumes rows(store.db());
  ASSIGN_OR_RETURN(std::vector<store::VolumeRecord> all, rows.List());
  ASSIGN_OR_RETURN(containers::UsersByVolume users, containers::AllVolumeUsers(store.db()));
  for (const auto& v : all) {
    auto it = users.find(v.name);
    int64_t links = it == users.end() ? 0 : static_cast<int64_t>(it->second.size());
    VolumeUsage::One one{v.name, links, DirectorySize(store::VolumeDataPath(store.root(), v.name))};
    vu.size += one.size;
    if (one.links > 0) ++vu.active;
    else vu.reclaimable += one.size;
    vu.volumes.push_back(one);
  }
  return vu;
}

struct DiskUsage {
  std::vector<store::ImageRecord> images;
  std::vector<ImageUsage> per_image;
  int64_t total = 0;        // every distinct layer once, plus each image's own metadata
  int64_t reclaimable = 0;  // what removing the images no container uses would free
  int64_t active = 0;
};

Expected<DiskUsage> MeasureDiskUsage(store::Store& store) {
  DiskUsage du;
  ASSIGN_OR_RETURN(du.images, store.ListImages());
  std::map<std::string, int> layer_users;
  std::map<std::string, int64_t> layer_size;
  std::vector<std::vector<store::LayerInfo>> layers(du.images.size());
  for (size_t i = 0; i < du.images.size(); ++i) {
    ASSIGN_OR_RETURN(layers[i], store.ImageLayers(du.images[i].id));
    for (const auto& l : layers[i]) {
      ++layer_users[l.chain_id.hex()];
      layer_size[l.chain_id.hex()] = l.size;
    }
  }
  for (const auto& [id, size] : layer_size) du.total += size;
  // What removing every image no container uses would free: all but the layers and
  // metadata of the images in use.
  std::map<std::string, int64_t> kept_layers;
  int64_t kept_metadata = 0;
  for (size_t i = 0; i < du.images.size(); ++i) {
    const auto& img = du.images[i];
    ImageUsage u{&img};
    int64_t layer_bytes = 0;
    for (const auto& l : layers[i]) {
      layer_bytes += l.size;
      if (layer_users[l.chain_id.hex()] > 1) u.shared += l.size;
    }
    const int64_t metadata = img.size - layer_bytes;
    du.total += metadata;
    ASSIGN_OR_RETURN(std::vector<std::string> ctrs, store.ContainersUsing(img.id));
    u.containers = static_cast<int64_t>(ctrs.size());
    if (u.containers > 0) {
      ++du.active;
      kept_metadata += metadata;
      for (const auto& l : layers[i]) kept_layers[l.chain_id.hex()] = l.size;
    }
    du.per_image.push_back(u);
  }
  du.reclaimable = du.total - kept_metadata;
  for (const auto& [id, size] : kept_layers) du.reclaimable -= size;
  return du;
}

std::string Percent(int64_t part, int64_t whole) {
  int pct = whole > 0 ? static_cast<int>(std::lround(100.0 * static_cast<double>(part) / static_cast<double>(whole))) : 0;
  return " (" + std::to_string(pct) + "%)";
}

std::string Size(int64_t bytes) { return format::HumanSize(static_cast<double>(bytes)); }

struct DfSummary {
  std::string type;
  int64_t total, active, size, reclaimable;
};

// podman's *system.dfSummary: fields plus the Size/Reclaimable "methods".
format::Value DfSummaryValue(const DfSummary& d) {
  return format::Value::Struct("system.dfSummary")
      .Add("Type", "Type", format::Value(d.type))
      .Add("Total", "Total", format::Value::Int(d.total))
      .Add("Active", "Active", format::Value::Int(d.active))
      .Add("RawSize", "RawSize", format::Value::Int(d.size, "int64"))
      .Add("RawReclaimable", "RawReclaimable", format::Value::Int(d.reclaimable, "int64"))
      .AddMethod("Size", format::Value(Size(d.size)))
      .AddMethod("Reclaimable", format::Value(Size(d.reclaimable) + Percent(d.reclaimable, d.size)))
      .AsPointer("*system.dfSummary");
}

int PrintDfFormatted(const std::vector<DfSummary>& rows, const std::string& fmt) {
  std::vector<format::Value> values;
  for (const auto& r : rows) values.push_back(DfSummaryValue(r));
  format::ReportOptions opts;
  opts.template_name = "df";
  opts.header_overrides = {{"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}};
  opts.rows_type = "[]*system.dfSummary";
  auto text = format::RenderReport(fmt, values, opts);
  if (!text.ok()) return Fail(text.status());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return 0;
}

int RunDf(Context& ctx, bool verbose, const std::string& format) {
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto du = MeasureDiskUsage(**store);
  if (!du.ok()) return Fail(du.status());
  auto cu = MeasureContainers(**store);
  if (!cu.ok()) return Fail(cu.status());
  auto vu = MeasureVolumes(**store);
  if (!vu.ok()) return Fail(vu.status());
  const int64_t volumes = static_cast<int64_t>(vu->volumes.size());
  if (!format.empty() && !verbose) {
    return PrintDfFormatted({{"Images", static_cast<int64_t>(du->images.size()), du->active, du->total, du->reclaimable},
                             {"Containers", cu->total, cu->active, cu->size, cu->reclaimable},
                             {"Local Volumes", volumes, vu->active, vu->size, vu->reclaimable}},
                            format);
  }
  format::TabWriter tw(12, 2, 2, ' ');
  if (!verbose) {
    tw.Write("TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE\n");
    tw.Write("Images\t" + std::to_string(du->images.size()) + "\t" + std::to_string(du->active) + "\t" +
             Size(du->total) + "\t" + Size(du->reclaimable) + Percent(du->reclaimable, du->total) + "\n");
    tw.Write("Containers\t" + std::to_string(cu->total) + "\t" + std::to_string(cu->active) + "\t" + Size(cu->size) +
             "\t" + Size(cu->reclaimable) + Percent(cu->reclaimable, cu->size) + "\n");
    tw.Write("Local Volumes\t" + std::to_string(volumes) + "\t" + std::to_string(vu->active) + "\t" + Size(vu->size) +
             "\t" + Size(vu->reclaimable) + Percent(vu->reclaimable, vu->size) + "\n");
  } else {
    const int64_t now = NowNanos();
    tw.Write("Images space usage:\n\n");
    tw.Write("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n");
    for (const auto& u : du->per_image) {
      // One row per name, as podman lists them.
      std::vector<std::string> names = u.image->names.empty() ? std::vector<std::string>{""} : u.image->names;
      for (const auto& name : names) {
        RepoTag rt = SplitName(name);
        tw.Write(rt.repository + "\t" + rt.tag + "\t" + u.image->id.substr(0, 12) + "\t" +
                 format::HumanDuration(now - u.image->created) + "\t" + Size(u.image->size) + "\t" +
                 Size(u.shared) + "\t" + Size(u.image->size - u.shared) + "\t" + std::to_string(u.containers) + "\n");
      }
    }
    tw.Write("\nContainers space usage:\n\n");
    tw.Write("CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n");
    for (const auto& c : cu->containers)
      tw.Write(c.record.id.substr(0, 12) + "\t" + c.record.image_id.substr(0, 12) + "\t" + c.command + "\t" +
               std::to_string(c.volumes) + "\t" + Size(c.size) + "\t" + format::HumanDuration(now - c.record.created) +
               "\t" + c.record.state + "\t" + c.record.name + "\n");
    tw.Write("\nLocal Volumes space usage:\n\n");
    tw.Write("VOLUME NAME\tLINKS\tSIZE\n");
    for (const auto& v : vu->volumes)
      tw.Write(v.name + "\t" + std::to_string(v.links) + "\t" + Size(v.size) + "\n");
  }
  std::string out = tw.Flush();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}


int RunSystemPrune(Context& ctx, bool all, bool force, bool volumes) {
  if (!force) {
    auto yes = Confirm(std::string("WARNING! This command removes:\n\t- all stopped containers\n") +
                       "\t- all networks not used by at least one container\n" +
                       (volumes ? "\t- all volumes not used by at least one container\n" : "") +
                       (all ? "\t- all images without at least one container associated with them\n"
                            : "\t- all dangling images\n") +
                       "\t- all dangling build cache\n\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  // Pods with nothing running go first, their infra containers with them (podman prints
  // nothing for them).
  if (auto pods = containers::PrunePods(**store, Warn); !pods.ok()) return Fail(pods.status());
  auto pruned_ctrs = containers::Prune(**store);  // first: they may hold images
  if (!pruned_ctrs.ok()) return Fail(pruned_ctrs.status());
  if (!pruned_ctrs->ids.empty()) std::printf("Deleted Containers\n");
  for (const auto& id : pruned_ctrs->ids) std::printf("%s\n", id.c_str());
  int64_t reclaimed = pruned_ctrs->bytes;
  if (volumes) {
    auto vu = MeasureVolumes(**store);
    if (!vu.ok()) return Fail(vu.status());
    auto pruned_vols = containers::PruneVolumes(**store, {});
    if (!pruned_vols.ok()) return Fail(pruned_vols.status());
    if (!pruned_vols->empty()) std::printf("Deleted Volumes\n");
    for (const auto& name : *pruned_vols) {
      std::printf("%s\n", name.c_str());
      for (const auto& v : vu->volumes)
        if (v.name == name) reclaimed += v.size;
    }
  }
  auto before = (*store)->ListImages();
  if (!before.ok()) return Fail(before.status());
  std::map<std::string, int64_t> sizes;
  for (const auto& i : *before) sizes[i.id] = i.size;
  auto removed = PruneImages(**store, all, PruneFilter{});
  if (!removed.ok()) return Fail(removed.status());
  if (!removed->empty()) std::printf("Deleted Images\n");
  for (const auto& id : *removed) {
    std::printf("%s\n", id.c_str());
    reclaimed += sizes[id];
  }
  std::printf("Total reclaimed space: %s\n", Size(reclaimed).c_str());
  std::fflush(stdout);
  if (Status st = build::ForgetStatCache(**store); !st.ok()) return Fail(st);
  auto gc = (*store)->CollectGarbage();
  return gc.ok() ? 0 : Fail(gc.status());
}

int RunReset(Context& ctx, bool force) {
  if (!force) {
    auto yes = Confirm(
        "WARNING! This will remove:\n        - all containers\n        - all images\n"
        "        - all build cache\n        - all volumes\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  Status st = (*store)->RemoveEverything();
  return st.ok() ? 0 : Fail(st);
}

}  // namespace

void RegisterSystemCommands(Registry& r) {
  auto verbose = std::make_shared<bool>(false);
  auto df_format = std::make_shared<std::string>();
  CLI::App* df = AddCommand(r.system, "df", "Show kiln disk usage");
  df->add_flag("-v,--verbose", *verbose, "Show detailed information on disk usage");
  df->add_option("--format", *df_format, "Pretty-print images using a Go template");
  df->callback([&r, verbose, df_format] { r.exit_code = RunDf(r.ctx, *verbose, *df_format); });

  auto all = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  auto volumes = std::make_shared<bool>(false);
  CLI::App* prune = AddCommand(r.system, "prune", "Remove unused data");
  prune->add_flag("-a,--all", *all, "Remove all unused data");
  prune->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  prune->add_flag("--volumes", *volumes, "Prune volumes");
  prune->callback([&r, all, force, volumes] { r.exit_code = RunSystemPrune(r.ctx, *all, *force, *volumes); });

  // podman's `system migrate` restarts rootless state; kiln's only state is the pause
  // process that holds the user namespace (the next command makes a fresh one, e.g. after
  // /etc/subuid changed).
  CLI::App* migrate = AddCommand(r.system, "migrate", "Migrate containers");
  migrate->callback([&r] {
    Status st = runtime::StopPauseProcess();
    r.exit_code = st.ok() ? 0 : Fail(st);
  });

  auto reset_force = std::make_shared<bool>(false);
  CLI::App* reset = AddCommand(r.system, "reset", "Reset kiln storage");
  reset->add_flag("-f,--force", *reset_force, "Do not prompt for confirmation");
  reset->callback([&r, reset_force] { r.exit_code = RunReset(r.ctx, *reset_force); });
}

}  // namespace kiln::cli
