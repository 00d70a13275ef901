// inspect, image inspect, history, image tree.
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/container_inspect.h"
#include "cli/image_view.h"
#include "cli/report.h"
#include "containers/containers.h"
#include "format/tabwriter.h"
#include "format/units.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

struct InspectOptions {
  std::vector<std::string> refs;
  std::string format;
  std::string type = "all";
  bool size = false;
};

int RunInspect(Context& ctx, const InspectOptions& opts, bool image_command) {
  if (opts.refs.empty()) return Fail(InvalidArgument("no names or ids specified"));
  if (opts.type != "all" && opts.type != "image" && opts.type != "container")
    return Fail(InvalidArgument("invalid type \"" + opts.type + "\": must be one of all, container, image"));
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  std::vector<image::Json> found;
  std::vector<store::ContainerRecord> containers_found;
  std::vector<Status> errors;
  store::Containers rows((*store)->db());
  for (const auto& ref : opts.refs) {
    // A container first, as podman does when a name could be either.
    if (!image_command && opts.type != "image") {
      auto c = rows.Lookup(ref);
      if (c.ok()) {
        containers::Reconcile(rows, *c);
        containers_found.push_back(*c);
        continue;
      }
      if (opts.type == "container") {
        errors.push_back(NotFound("no such container " + ref));
        continue;
      }
    }
    auto img = (*store)->LookupImage(ref);
    if (!img.ok()) {
      if (img.status().code() != Code::kNotFound) return Fail(img.status());
      errors.push_back(image_command ? NotFound("inspecting object: " + ref + ": image not known")
                                     : NotFound("inspecting object: no such object: \"" + ref + "\""));
      continue;
    }
    auto j = InspectImage(**store, *img);
    if (!j.ok()) return Fail(j.status());
    found.push_back(std::move(*j));
  }
  // One kind per call in practice; both printed when names of both were given.
  int rc = 0;
  if (!containers_found.empty()) rc = PrintContainerInspect(containers_found, (*store)->root(), opts.format);
  if (!found.empty() || containers_found.empty())
    rc = opts.format.empty() ? PrintInspectJson(found) : PrintInspectFormatted(found, opts.format);
  for (const auto& e : errors) rc = Fail(e, 125);
  return rc;
}

void AddInspect(CLI::App& parent, Registry& r, bool image_command) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* cmd = AddCommand(parent, "inspect", "Display the configuration of an image");
  cmd->add_option("refs", opts->refs, "IMAGE [IMAGE...]");
  cmd->add_option("-f,--format", opts->format, "Format the output using the given Go template");
  if (!image_command) cmd->add_option("-t,--type", opts->type, "Specify inspect-object type (all, image, container)");
  cmd->add_flag("-s,--size", opts->size, "Display total file size (accepted for compatibility)");
  cmd->callback([&r, opts, image_command] { r.exit_code = RunInspect(r.ctx, *opts, image_command); });
}

// ---- history ----

struct HistoryOptions {
  std::string ref;
  bool quiet = false, no_trunc = false, human = true;
  std::string format;
};

std::string Truncate(const std::string& s, size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

int RunHistory(Context& ctx, const HistoryOptions& opts) {
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto img = (*store)->LookupImage(opts.ref);
  if (!img.ok()) return Fail(img.status());
  auto rows = ImageHistory(**store, *img);
  if (!rows.ok()) return Fail(rows.status());
  if (!opts.format.empty()) return PrintHistoryFormatted(*rows, opts.format, opts.no_trunc, opts.human);
  auto show_id = [&](const std::string& id) { return opts.no_trunc || id == "<missing>" ? id : id.substr(0, 12); };
  std::string out;
  if (opts.quiet) {
    for (const auto& row : *rows) out += show_id(row.id) + "\n";
  } else {
    format::TabWriter tw(12, 2, 2, ' ');
    tw.Write("ID\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n");
    const int64_t now = NowNanos();
    for (const auto& row : *rows) {
      std::string created = opts.human ? format::TimeAgo(row.created, now)
                                       : FormatRfc3339Nano(row.created / 1000000000 * 1000000000);
      std::string by = opts.no_trunc ? row.created_by : Truncate(row.created_by, 45);
      tw.Write(show_id(row.id) + "\t" + created + "\t" + by + "\t" +
               format::HumanSizeSpaced(static_cast<double>(row.size)) + "\t" + row.comment + "\n");
    }
    out = tw.Flush();
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

void AddHistory(CLI::App& parent, Registry& r) {
  auto opts = std::make_shared<HistoryOptions>();
  CLI::App* cmd = AddCommand(parent, "history", "Show history of a specified image");
  cmd->add_option("image", opts->ref, "IMAGE")->required();
  cmd->add_flag("-q,--quiet", opts->quiet, "Display the numeric IDs only");
  cmd->add_flag("--no-trunc", opts->no_trunc, "Do not truncate the output");
  AddBoolValue(cmd, "-H,--human", opts->human, "Display sizes and dates in human readable format");
  cmd->add_option("--format", opts->format, "Change the output to JSON or a Go template");
  cmd->callback([&r, opts] { r.exit_code = RunHistory(r.ctx, *opts); });
}

// ---- image tree ----

std::string NamesList(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? " " : "") + names[i];
  return s + "]";
}

}  // namespace

int PrintImageTree(Context& ctx, const std::string& ref, bool what_requires) {
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto img = (*store)->LookupImage(ref);
  if (!img.ok()) return Fail(img.status());
  auto layers = (*store)->ImageLayers(img->id);
  auto images = (*store)->ListImages();
  if (!layers.ok()) return Fail(layers.status());
  if (!images.ok()) return Fail(images.status());
  std::map<std::string, std::vector<std::string>> top_of;  // chain id -> names of images on top of it
  for (const auto& i : *images)
    if (!i.top_layer.empty()) top_of[i.top_layer].insert(top_of[i.top_layer].end(), i.names.begin(), i.names.end());

  std::string out = "Image ID: " + img->id.substr(0, 12) + "\n" + "Tags:     " + NamesList(img->names) + "\n" +
                    "Size:     " + format::HumanSize(static_cast<double>(img->size)) + "\n" + "Image Layers\n";
  auto layer_line = [&](const store::LayerInfo& l) {
    char size[32];
    std::snprintf(size, sizeof size, "%7s", format::HumanSize(static_cast<double>(l.size)).c_str());
    std::string line = "ID: " + l.chain_id.short_id() + " Size: " + size;
    auto it = top_of.find(l.chain_id.hex());
    if (it != top_of.end() && !it->second.empty()) line += " Top Layer of: " + NamesList(it->second);
    return line;
  };
  if (!what_requires) {
    for (size_t i = 0; i < layers->size(); ++i)
      out += std::string(i + 1 == layers->size() ? "└── " : "├── ") + layer_line((*layers)[i]) + "\n";
  } else if (!layers->empty()) {
    // The image's top layer, then every image built on top of it.
    out += "└── " + layer_line(layers->back()) + "\n";
    std::vector<std::string> dependents;
    for (const auto& other : *images) {
      if (other.id == img->id) continue;
      auto ol = (*store)->ImageLayers(other.id);
      if (!ol.ok() || ol->size() <= layers->size()) continue;
      if ((*ol)[layers->size() - 1].chain_id == layers->back().chain_id)
        for (size_t i = layers->size(); i < ol->size(); ++i) dependents.push_back(layer_line((*ol)[i]));
    }
    for (size_t i = 0; i < dependents.size(); ++i)
      out += std::string(i + 1 == dependents.size() ? "    └── " : "    ├── ") + dependents[i] + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

namespace {

void AddTree(Registry& r) {
  auto ref = std::make_shared<std::string>();
  auto what_requires = std::make_shared<bool>(false);
  CLI::App* cmd = AddCommand(r.image, "tree", "Print layer hierarchy of an image in a tree format");
  cmd->add_option("image", *ref, "IMAGE")->required();
  cmd->add_flag("--whatrequires", *what_requires, "Show all child images and layers of the specified image");
  cmd->callback([&r, ref, what_requires] { r.exit_code = PrintImageTree(r.ctx, *ref, *what_requires); });
}

}  // namespace

void RegisterInspectCommands(Registry& r) {
  AddInspect(r.root, r, false);
  AddInspect(r.image, r, true);
  AddHistory(r.root, r);
  AddHistory(r.image, r);
  AddTree(r);
}

}  // namespace kiln::cli
