// system check [--quick] [--repair] [--force] [--max DURATION]: podman 5's command and
// report, on kiln's store (store/check.h).
#include <memory>
#include <string>

#include "builder/flags.h"
#include "cli/commands.h"
#include "store/check.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

struct CheckFlags {
  bool quick = false, repair = false, force = false;
  std::string max;
};

// go-multierror's list format, which podman prints after "Damaged <kind> <id>:".
std::string MultiError(const std::vector<std::string>& errors) {
  std::string out = errors.size() == 1 ? "1 error occurred:\n" : std::to_string(errors.size()) + " errors occurred:\n";
  for (const auto& e : errors) out += "\t* " + e + "\n";
  return out + "\n";
}

void PrintDamage(const char* kind, const std::map<std::string, std::vector<std::string>>& damaged) {
  for (const auto& [key, errors] : damaged)
    std::printf("Damaged %s %s:\n%s", kind, key.c_str(), MultiError(errors).c_str());
}

void PrintRemoved(const char* kind, const std::vector<std::string>& keys) {
  for (const auto& key : keys) std::printf("Deleted damaged %s: %s\n", kind, key.c_str());
}

void PrintSummary(const store::CheckReport& r) {
  size_t damaged = r.layers.size() + r.images.size() + r.containers.size() + r.build_cache.size() + r.files.size();
  std::printf("Checked %lld images, %lld layers, %lld containers and %lld blobs: ",
              static_cast<long long>(r.images_checked), static_cast<long long>(r.layers_checked),
              static_cast<long long>(r.containers_checked), static_cast<long long>(r.blobs_checked));
  if (damaged == 0) std::printf("no damage found\n");
  else std::printf("%zu damaged or unreferenced\n", damaged);
}

void PrintReport(const store::CheckReport& r) {
  PrintDamage("layer", r.layers);
  PrintDamage("image", r.images);
  PrintDamage("container", r.containers);
  PrintDamage("build cache entry", r.build_cache);
  PrintDamage("file", r.files);
}

int RunCheck(Context& ctx, const CheckFlags& flags) {
  store::CheckOptions options;
  options.quick = flags.quick;
  if (!flags.max.empty()) {
    auto max = build::ParseGoDuration(flags.max);
    if (!max.ok()) return Fail(max.status());
    options.max_unreferenced_age_nanos = *max;
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto report = store::CheckStore(**store, options);
  if (!report.ok()) return Fail(report.status());
  PrintReport(*report);
  bool repair = flags.repair || flags.force;
  if (!repair) {
    PrintSummary(*report);
    // Damage found exits 1, like fsck's "errors left": 125 stays "could not check".
    return report->HasErrors() ? Fail(Corrupt("damage detected in local storage"), 1) : 0;
  }
  if (!report->HasErrors()) {
    PrintSummary(*report);
    return 0;
  }
  auto repaired = store::RepairStore(**store, *report, {.remove_containers = flags.force});
  if (!repaired.ok()) return Fail(repaired.status());
  PrintRemoved("image", repaired->removed_images);
  PrintRemoved("container", repaired->removed_containers);
  PrintRemoved("build cache entry", repaired->removed_build_cache);
  for (const auto& id : repaired->kept_images)
    std::printf("Kept damaged image %s: a container uses it (--force removes both)\n", id.c_str());
  for (const auto& [rel, errors] : report->files)
    if (!PathExists((*store)->root() + "/" + rel)) std::printf("Deleted unreferenced file: %s\n", rel.c_str());
  if (repaired->removed_layers > 0 || repaired->removed_files > 0)
    std::printf("Deleted %lld unreferenced layers and %lld unreferenced blobs\n",
                static_cast<long long>(repaired->removed_layers), static_cast<long long>(repaired->removed_files));
  auto again = store::CheckStore(**store, options);
  if (!again.ok()) return Fail(again.status());
  PrintSummary(*again);
  if (again->HasErrors()) {
    PrintReport(*again);
    return Fail(Corrupt("damage in local storage still present after repair attempt"), 1);
  }
  return 0;
}

}  // namespace

void RegisterCheckCommand(Registry& r) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = AddCommand(r.system, "check", "Check storage consistency");
  check->add_flag("-q,--quick", flags->quick, "Skip time-consuming checks. The default is to include time-consuming checks");
  check->add_flag("-r,--repair", flags->repair, "Remove inconsistent images");
  check->add_flag("-f,--force", flags->force, "Remove inconsistent images and containers");
  check->add_option("-m,--max", flags->max, "Maximum allowed age of unreferenced layers");
  check->callback([&r, flags] { r.exit_code = RunCheck(r.ctx, *flags); });
}

}  // namespace kiln::cli
