// image sbom, image scan.
#include <cstdio>

#include "cli/commands.h"
#include "cli/remote_flags.h"
#include "config/containers_conf.h"
#include "format/report.h"
#include "registry/transfer.h"
#include "security/catalog.h"
#include "security/image_fs.h"
#include "security/osv.h"
#include "security/sbom_json.h"
#include "security/scan_report.h"
#include "util/fs.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

using format::Value;

// Where the image comes from: the store, or a registry ("docker://REFERENCE").
struct ImageSource {
  std::string ref;
  RemoteFlags remote;
};

struct SbomOptions {
  ImageSource image;
  std::string format = "table";
  bool no_trunc = false;
  bool noheading = false;
};

constexpr std::string_view kRegistryPrefix = "docker://";

// The SBOM of an image of `store`; with `file_digests`, the SHA-1 of its packages' files
// too (for the SPDX and CycloneDX documents).
Expected<security::Sbom> CatalogFromStore(store::Store& store, const store::ImageRecord& img, const std::string& name,
                                          bool file_digests) {
  ASSIGN_OR_RETURN(security::LayeredFs fs, security::OpenImageFs(store, img));
  ASSIGN_OR_RETURN(security::Sbom sbom, security::CatalogImage(fs));
  if (file_digests) RETURN_IF_ERROR(security::DigestOwnedFiles(fs, sbom));
  sbom.image_name = name;
  sbom.image_id = img.id;
  return sbom;
}

// A registry image is pulled (the pull client: registries.conf, credentials, the host's
// platform) into a store of its own in a temporary directory, removed when done: the
// user's store is left as it was.
Expected<security::Sbom> CatalogRegistryImage(const ImageSource& src, bool file_digests) {
  ASSIGN_OR_RETURN(registry::ClientOptions client, ClientOptionsFrom(src.remote));
  registry::PullOptions po;
  po.client = std::move(client);
  ASSIGN_OR_RETURN(registry::RegistriesConf conf, registry::LoadRegistriesConf());
  TempDir tmp;
  ASSIGN_OR_RETURN(std::string dir, tmp.Create("kiln-sbom"));
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::Store::Open({dir + "/root", dir + "/runroot"}));
  ASSIGN_OR_RETURN(store::ImageRecord img, registry::PullImage(*store, conf, src.ref, po, StderrProgress(true)));
  return CatalogFromStore(*store, img, src.ref.substr(kRegistryPrefix.size()), file_digests);
}

Expected<security::Sbom> CatalogSource(Context& ctx, const ImageSource& src, bool file_digests = false) {
  if (src.ref.rfind(kRegistryPrefix, 0) == 0) return CatalogRegistryImage(src, file_digests);
  ASSIGN_OR_RETURN(store::Store * store, ctx.Store());
  ASSIGN_OR_RETURN(store::ImageRecord img, store->LookupImage(src.ref));
  return CatalogFromStore(*store, img, src.ref, file_digests);
}

void AddImageSource(CLI::App* cmd, ImageSource& src) {
  cmd->add_option("image", src.ref, "IMAGE, or docker://REFERENCE for an image in a registry")->required();
  AddRemoteFlags(cmd, src.remote);
}

std::string ShortDigest(const std::string& digest, bool no_trunc) {
  if (no_trunc) return digest;
  size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

// The row types' fields, for the header of a table with no rows.
const std::vector<std::string> kPackageFields = {"Name", "Version", "Type", "Purl", "Arch", "Source", "SourceVersion",
                                                 "Licenses", "Files", "Location", "Layer", "LayerIndex", "CreatedBy"};
const std::vector<std::string> kFindingFields = {"ID", "Package", "Installed", "FixedIn", "Severity", "Layer",
                                                 "Type", "Purl", "Aliases", "Summary", "CreatedBy"};

Value PackageRow(const security::Sbom& sbom, const security::Package& p, bool no_trunc) {
  const security::LayerSummary layer = p.layer < sbom.layers.size() ? sbom.layers[p.layer] : security::LayerSummary{};
  return Value::Struct("sbom.packageReporter")
      .Add("Name", Value(p.name))
      .Add("Version", Value(p.version))
      .Add("Type", Value(p.type))
      .Add("Purl", Value(p.purl))
      .Add("Arch", Value(p.arch))
      .Add("Source", Value(p.source_name))
      .Add("SourceVersion", Value(p.source_version))
      .Add("Licenses", Value::StringSlice(p.licenses))
      .Add("Files", Value(static_cast<long>(p.files.size())))
      .Add("Location", Value(p.location))
      .Add("Layer", Value(ShortDigest(layer.diff_id, no_trunc)))
      .Add("LayerIndex", Value(static_cast<long>(p.layer)))
      .Add("CreatedBy", Value(layer.created_by));
}

// Table or Go template rows through podman's report writer.
int PrintRows(const std::string& fmt, const std::vector<Value>& rows, const std::string& template_name, bool noheading,
              std::map<std::string, std::string> headers, const std::vector<std::string>& fields) {
  format::ReportOptions opts;
  opts.header_fields = fields;
  opts.template_name = template_name;
  opts.header_overrides = std::move(headers);
  opts.headers = !noheading;
  opts.origin = fmt.rfind("table", 0) == 0 && fmt.find("{{") == std::string::npos ? format::FormatOrigin::kPodman
                                                                                   : format::FormatOrigin::kUser;
  auto report = format::Report::Parse(fmt, std::move(opts));
  if (!report.ok()) return Fail(report.status(), 125);
  std::string out;
  Status st = report->Render(rows, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return st.ok() ? 0 : Fail(st, 125);
}

void PrintJson(const security::Json& j) { std::printf("%s\n", JsonText(j, 2).c_str()); }

Expected<security::DocumentInfo> DocumentInfoNow() {
  ASSIGN_OR_RETURN(int64_t sde, SourceDateEpoch());
  return security::DocumentInfo{sde >= 0 ? sde : NowNanos() / 1000000000, kVersion};
}

int RunSbom(Context& ctx, const SbomOptions& opts) {
  const bool document = opts.format == "spdx-json" || opts.format == "cyclonedx-json";
  auto sbom = CatalogSource(ctx, opts.image, document);
  if (!sbom.ok()) return Fail(sbom.status());
  if (opts.format == "json") return PrintJson(security::SbomToJson(*sbom)), 0;
  if (document) {
    auto info = DocumentInfoNow();
    if (!info.ok()) return Fail(info.status());
    PrintJson(opts.format == "spdx-json" ? security::SbomToSpdx(*sbom, *info) : security::SbomToCycloneDx(*sbom, *info));
    return 0;
  }
  std::string fmt = opts.format == "table" ? "table {{.Name}}\t{{.Version}}\t{{.Type}}\t{{.Layer}}" : opts.format;
  std::vector<Value> rows;
  for (const auto& p : sbom->packages) rows.push_back(PackageRow(*sbom, p, opts.no_trunc));
  return PrintRows(fmt, rows, "sbom", opts.noheading, {}, kPackageFields);
}

void AddSbom(Registry& r) {
  auto opts = std::make_shared<SbomOptions>();
  CLI::App* cmd = AddCommand(r.image, "sbom", "List the packages installed in an image");
  AddImageSource(cmd, opts->image);
  cmd->add_option("--format", opts->format,
                  "table (default), json, spdx-json, cyclonedx-json, or a Go template");
  cmd->add_flag("--no-trunc", opts->no_trunc, "Do not truncate layer IDs");
  cmd->add_flag("-n,--noheading", opts->noheading, "Do not print column headings");
  cmd->callback([&r, opts] { r.exit_code = RunSbom(r.ctx, *opts); });
}

// ---- scan ----

struct ScanOptions {
  ImageSource image;
  std::string db;
  std::string format = "table";
  std::string severity = "unknown";
  bool ignore_unfixed = false;
  int exit_code = 0;
  bool no_trunc = false;
  bool noheading = false;
};

Value FindingRow(const security::Sbom& sbom, const security::Finding& f, bool no_trunc) {
  const security::Package& p = *f.package;
  const security::LayerSummary layer = p.layer < sbom.layers.size() ? sbom.layers[p.layer] : security::LayerSummary{};
  return Value::Struct("scan.findingReporter")
      .Add("ID", Value(f.id))
      .Add("Package", Value(p.name))
      .Add("Installed", Value(p.version))
      .Add("FixedIn", Value(f.fixed))
      .Add("Severity", Value(security::SeverityName(f.severity)))
      .Add("Layer", Value(ShortDigest(layer.diff_id, no_trunc)))
      .Add("Type", Value(p.type))
      .Add("Purl", Value(p.purl))
      .Add("Aliases", Value::StringSlice(f.aliases))
      .Add("Summary", Value(f.summary))
      .Add("CreatedBy", Value(layer.created_by));
}

int RunScan(Context& ctx, const ScanOptions& opts) {
  auto min = security::ParseSeverity(opts.severity);
  if (!min.ok()) return Fail(min.status());
  std::string db_path = opts.db;
  if (db_path.empty()) {
    auto conf = config::LoadContainersConf();
    if (!conf.ok()) return Fail(conf.status());
    db_path = conf->osv_db;
  }
  if (db_path.empty())
    return Fail(InvalidArgument("no advisory database: give --db PATH or set osv_db in the [kiln] table of containers.conf"));
  auto db = security::LoadOsvDatabase(db_path);
  if (!db.ok()) return Fail(db.status());
  auto sbom = CatalogSource(ctx, opts.image);
  if (!sbom.ok()) return Fail(sbom.status());
  auto findings = security::FilterFindings(db->Match(*sbom), *min, opts.ignore_unfixed);
  int rc = 0;
  if (opts.format == "json") {
    PrintJson(security::FindingsToJson(*sbom, findings));
  } else if (opts.format == "sarif") {
    PrintJson(security::FindingsToSarif(*sbom, findings));
  } else {
    std::string fmt = opts.format == "table"
                          ? "table {{.ID}}\t{{.Package}}\t{{.Installed}}\t{{.FixedIn}}\t{{.Severity}}\t{{.Layer}}"
                          : opts.format;
    std::vector<Value> rows;
    for (const auto& f : findings) rows.push_back(FindingRow(*sbom, f, opts.no_trunc));
    rc = PrintRows(fmt, rows, "scan", opts.noheading, {{"FixedIn", "FIXED IN"}}, kFindingFields);
  }
  if (rc == 0 && !findings.empty()) rc = opts.exit_code;
  return rc;
}

void AddScan(Registry& r) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* cmd = AddCommand(r.image, "scan", "Match the packages of an image against OSV advisories");
  AddImageSource(cmd, opts->image);
  cmd->add_option("--db", opts->db, "Directory or .zip of OSV advisories (default: osv_db of containers.conf)");
  cmd->add_option("--format", opts->format, "table (default), json, sarif, or a Go template");
  cmd->add_option("--severity", opts->severity, "Report only findings at or above: unknown, low, medium, high, critical");
  cmd->add_flag("--ignore-unfixed", opts->ignore_unfixed, "Report only findings that have a fixed version");
  cmd->add_option("--exit-code", opts->exit_code, "Exit with this code when anything is reported");
  cmd->add_flag("--no-trunc", opts->no_trunc, "Do not truncate layer IDs");
  cmd->add_flag("-n,--noheading", opts->noheading, "Do not print column headings");
  cmd->callback([&r, opts] { r.exit_code = RunScan(r.ctx, *opts); });
}

}  // namespace

void RegisterSecurityCommands(Registry& r) {
  AddSbom(r);
  AddScan(r);
}

}  // namespace kiln::cli
