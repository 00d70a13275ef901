// images, image ls/list, image exists.
#include <algorithm>
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/image_view.h"
#include "cli/report.h"
#include "format/tabwriter.h"
#include "format/units.h"
#include "image/reference.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

struct ImagesOptions {
  std::vector<std::string> names;
  bool all = false, quiet = false, no_trunc = false, digests = false, noheading = false, tree = false;
  std::vector<std::string> filters;
  std::string sort = "created";
  std::string format;
};

struct Filters {
  std::optional<bool> dangling;
  std::vector<std::string> labels;
  std::vector<std::string> references;
  std::optional<int64_t> before, since;  // created, exclusive
};

Expected<Filters> ParseFilters(store::Store& store, const std::vector<std::string>& raw) {
  Filters f;
  for (const auto& item : raw) {
    auto eq = item.find('=');
    if (eq == std::string::npos) return InvalidArgument("invalid filter \"" + item + "\"");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "dangling") {
      if (value != "true" && value != "false") return InvalidArgument("invalid dangling filter value \"" + value + "\"");
      f.dangling = value == "true";
    } else if (key == "label") {
      f.labels.push_back(value);
    } else if (key == "reference") {
      f.references.push_back(value);
    } else if (key == "before" || key == "since" || key == "after") {  // podman: "after" is "since"
      auto ref = store.LookupImage(value);
      if (!ref.ok())  // podman's words, "filter" twice included
        return ref.status().Wrap("could not find local image for filter filter \"" + key + "\"=\"" + value + "\"");
      (key == "before" ? f.before : f.since) = ref->created;
    } else {
      return InvalidArgument("unsupported image filter \"" + key + "\"");
    }
  }
  return f;
}

std::vector<ImageRow> BuildRows(const std::vector<store::ImageRecord>& images, const std::set<std::string>& parents,
                                const ImagesOptions& opts, const Filters& f, const std::vector<image::Json>& labels) {
  std::vector<ImageRow> rows;
  for (size_t i = 0; i < images.size(); ++i) {
    const auto& img = images[i];
    bool has_children = parents.count(img.id) > 0;
    if (img.names.empty() && has_children && !opts.all) continue;  // intermediate build image
    if (f.dangling && *f.dangling != img.names.empty()) continue;
    if (f.before && img.created >= *f.before) continue;
    if (f.since && img.created <= *f.since) continue;
    if (!f.labels.empty() && !std::all_of(f.labels.begin(), f.labels.end(),
                                          [&](const auto& l) { return LabelMatches(labels[i], l); }))
      continue;
    std::vector<std::string> names = img.names;
    if (!opts.names.empty() || !f.references.empty()) {
      std::vector<std::string> wanted = opts.names;
      wanted.insert(wanted.end(), f.references.begin(), f.references.end());
      std::erase_if(names, [&](const std::string& n) {
        return !std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return image::MatchesImagesFilter(n, w); });
      });
      if (names.empty()) continue;
    }
    if (names.empty()) rows.push_back({&img, {"<none>", "<none>"}, "", &labels[i]});
    // podman: the tagged names; a digested name (repo@sha256:…) only when the image has no
    // tagged one, and then only the first.
    bool tagged = std::any_of(names.begin(), names.end(), [](const auto& n) { return SplitName(n).tag != "<none>"; });
    for (const auto& n : names) {
      RepoTag rt = SplitName(n);
      if (tagged && rt.tag == "<none>") continue;
      rows.push_back({&img, rt, n, &labels[i]});
      if (!tagged) break;
    }
  }
  return rows;
}

// Rows arrive image by image in the order images entered the store, each image's names
// in the order given; the sort is stable so that ties keep that order, as podman's do.
void SortRows(std::vector<ImageRow>& rows, const std::string& key) {
  std::stable_sort(rows.begin(), rows.end(), [&](const ImageRow& a, const ImageRow& b) {
    if (key == "id") return a.image->id < b.image->id;
    if (key == "repository") return a.name.repository < b.name.repository;
    if (key == "tag") return a.name.tag < b.name.tag;
    if (key == "size") return a.image->size > b.image->size;
    return a.image->created > b.image->created;
  });
}

std::string ShowId(const std::string& id, bool no_trunc) { return no_trunc ? "sha256:" + id : id.substr(0, 12); }

void PrintTable(const std::vector<ImageRow>& rows, const ImagesOptions& opts) {
  format::TabWriter tw(12, 2, 2, ' ');
  if (!opts.noheading)
    tw.Write(opts.digests ? "REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE\n" : "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n");
  const int64_t now = NowNanos();
  std::string line;
  for (const auto& r : rows) {
    line = r.name.repository + "\t" + r.name.tag + "\t";
    if (opts.digests) line += r.image->manifest_digest.str() + "\t";
    line += ShowId(r.image->id, opts.no_trunc) + "\t" + format::TimeAgo(r.image->created, now) + "\t" +
            format::HumanSizeSpaced(static_cast<double>(r.image->size)) + "\n";
    tw.Write(line);
  }
  std::string out = tw.Flush();
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void PrintQuiet(const std::vector<ImageRow>& rows, bool no_trunc) {
  std::set<std::string> seen;
  std::string out;
  for (const auto& r : rows)
    if (seen.insert(r.image->id).second) out += ShowId(r.image->id, no_trunc) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

// podman 3's `images --tree IMAGE`, which the tutorial teaches (`images --tree myapp`): the
// image the name refers to or, when it names none (no myapp:latest), every image that
// `images NAME` would list, one tree each.
int PrintTrees(Context& ctx, const std::string& name) {
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  if ((*store)->LookupImage(name).ok()) return PrintImageTree(ctx, name, false);
  auto images = (*store)->ListImages();
  if (!images.ok()) return Fail(images.status());
  std::vector<std::string> matched;
  for (const auto& img : *images)
    if (std::any_of(img.names.begin(), img.names.end(), [&](const auto& n) { return image::MatchesImagesFilter(n, name); }))
      matched.push_back(img.id);
  if (matched.empty()) return PrintImageTree(ctx, name, false);  // podman's "image not known"
  int code = 0;
  for (size_t i = 0; i < matched.size(); ++i) {
    if (i) std::fputs("\n", stdout);
    std::fflush(stdout);
    code = std::max(code, PrintImageTree(ctx, matched[i], false));
  }
  return code;
}

int RunImages(Context& ctx, ImagesOptions& opts) {
  if (opts.tree) {
    if (opts.names.size() != 1) return Fail(InvalidArgument("--tree requires exactly one image name"));
    return PrintTrees(ctx, opts.names[0]);
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto images = (*store)->ListImages();
  if (!images.ok()) return Fail(images.status());
  auto filters = ParseFilters(**store, opts.filters);
  if (!filters.ok()) return Fail(filters.status());
  static const std::set<std::string> kSortKeys = {"created", "id", "repository", "size", "tag"};
  if (!kSortKeys.count(opts.sort))
    return Fail(InvalidArgument("\"" + opts.sort + "\" is not a valid value for --sort: must be one of created, id, repository, size, tag"));

  std::set<std::string> parents;
  for (const auto& i : *images)
    if (!i.parent.empty()) parents.insert(i.parent);
  // Labels are only read (from the config blobs) when a label filter or a template needs them.
  std::vector<image::Json> labels(images->size());
  bool need_configs = !filters->labels.empty() || NeedsImageConfig(opts.format);
  if (need_configs)
    for (size_t i = 0; i < images->size(); ++i) {
      auto cfg = (*store)->ReadConfig((*images)[i]);
      if (cfg.ok()) labels[i] = cfg->RuntimeConfig().value("Labels", image::Json::object());
    }
  std::vector<ImageRow> rows = BuildRows(*images, parents, opts, *filters, labels);
  SortRows(rows, opts.sort);
  if (opts.quiet) {
    PrintQuiet(rows, opts.no_trunc);
    return 0;
  }
  if (!opts.format.empty()) return PrintImagesFormatted(rows, opts.format, opts.noheading, opts.no_trunc);
  PrintTable(rows, opts);
  return 0;
}

void AddImages(CLI::App& parent, const std::string& name, Registry& r) {
  auto opts = std::make_shared<ImagesOptions>();
  CLI::App* cmd = AddCommand(parent, name, "List images in local storage");
  cmd->add_option("name", opts->names, "Show images matching this name");
  cmd->add_flag("-a,--all", opts->all, "Show all images (default hides intermediate images)");
  cmd->add_flag("-q,--quiet", opts->quiet, "Display only image IDs");
  cmd->add_flag("--no-trunc", opts->no_trunc, "Do not truncate output");
  cmd->add_flag("--digests", opts->digests, "Show digests");
  cmd->add_flag("-n,--noheading", opts->noheading, "Do not print column headings");
  AddRepeatable(cmd, "-f,--filter", opts->filters, "Filter output based on conditions provided");
  cmd->add_option("--sort", opts->sort, "Sort by created, id, repository, size, tag");
  cmd->add_option("--format", opts->format, "Change the output format to JSON or a Go template");
  cmd->add_flag("--tree", opts->tree, "Show the layer tree of one image (as `image tree`)");
  cmd->callback([&r, opts] { r.exit_code = RunImages(r.ctx, *opts); });
}

void AddExists(Registry& r) {
  auto ref = std::make_shared<std::string>();
  CLI::App* cmd = AddCommand(r.image, "exists", "Check if an image exists in local storage");
  cmd->add_option("image", *ref, "Image name or ID")->required();
  cmd->callback([&r, ref] {
    auto store = r.ctx.Store();
    if (!store.ok()) {
      r.exit_code = Fail(store.status());
      return;
    }
    auto img = (*store)->LookupImage(*ref);
    r.exit_code = img.ok() ? 0 : (img.status().code() == Code::kNotFound ? 1 : Fail(img.status()));
  });
}

}  // namespace

void RegisterImageListCommands(Registry& r) {
  AddImages(r.root, "images", r);
  AddImages(r.image, "ls", r);
  AddImages(r.image, "list", r);
  AddExists(r);
}

}  // namespace kiln::cli
