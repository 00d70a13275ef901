#include "cli/report.h"

#include <cstdio>
#include <set>

#include "cli/context.h"
#include "cli/values.h"
#include "format/gojson.h"
#include "format/report.h"
#include "format/yaml.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

bool IsJson(const std::string& format) { return format::IsJsonFormat(format); }

// `images --format json`: one object per image (not per name), podman's keys and order.
image::Json ImageSummaryJson(const ImageRow& row) {
  const auto& img = *row.image;
  image::Json j = image::Json::object();
  j["Id"] = img.id;
  j["ParentId"] = img.parent;
  j["RepoTags"] = nullptr;  // podman 4.3.1 leaves it null and lists names in Names
  j["RepoDigests"] = RepoDigests(img);
  j["Size"] = img.size;
  j["SharedSize"] = 0;
  j["VirtualSize"] = img.size;
  j["Labels"] = row.labels && !row.labels->empty() ? *row.labels : image::Json();
  j["Containers"] = 0;
  if (!img.names.empty()) j["Names"] = img.names;
  j["Digest"] = img.manifest_digest.str();
  if (!img.names_history.empty()) j["History"] = img.names_history;
  j["Created"] = img.created / 1000000000;
  j["CreatedAt"] = FormatRfc3339Nano(img.created / 1000000000 * 1000000000);
  return j;
}

}  // namespace

bool NeedsImageConfig(const std::string& format) {
  if (format.empty()) return false;
  if (IsJson(format)) return true;
  const FieldSet fields = ReferencedFields(format);
  return !fields || fields->count("Labels") > 0;
}

// Renders rows through a parsed --format; prints what was rendered even when a later
// row fails (as podman's writer would have), then the error.
int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix) {
  auto wrap = [&](const Status& st) { return error_prefix.empty() ? st : st.Wrap(error_prefix); };
  auto report = format::Report::Parse(format, std::move(options));
  if (!report.ok()) return Fail(wrap(report.status()), 125);
  std::string out;
  Status st = report->Render(rows, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!st.ok()) return Fail(wrap(st), 125);
  return 0;
}

int PrintImagesFormatted(const std::vector<ImageRow>& rows, const std::string& fmt, bool noheading, bool no_trunc) {
  if (IsJson(fmt)) {
    image::Json out = image::Json::array();
    std::set<std::string> seen;
    for (const auto& r : rows)
      if (seen.insert(r.image->id).second) out.push_back(ImageSummaryJson(r));
    std::printf("%s\n", JsonText(out, 4).c_str());
    return 0;
  }
  const int64_t now = NowNanos();
  const FieldSet wanted = ReferencedFields(fmt);
  std::vector<format::Value> values;
  values.reserve(rows.size());
  for (const auto& r : rows) values.push_back(ImageRowValue(r, no_trunc, now, wanted));
  format::ReportOptions opts;
  opts.template_name = "images";
  opts.header_overrides = {{"ID", "IMAGE ID"}, {"ReadOnly", "R/O"}};
  // Headers come from the reporter's fields only (podman's report.Headers): methods such
  // as CreatedSince have none and print "<no value>" in a table header, as in podman.
  opts.rows_type = "[]images.imageReporter";
  opts.headers = !noheading;
  return RenderAndPrint(fmt, values, std::move(opts), "");
}

int PrintInspectJson(const std::vector<image::Json>& objects) {
  image::Json arr = image::Json::array();
  for (const auto& o : objects) arr.push_back(o);
  std::printf("%s\n", JsonText(arr, 5).c_str());
  return 0;
}

int PrintInspectFormatted(const std::vector<image::Json>& objects, const std::string& fmt) {
  if (IsJson(fmt)) return PrintInspectJson(objects);
  std::vector<format::Value> values;
  for (const auto& o : objects) values.push_back(InspectValue(o));
  format::ReportOptions opts;
  opts.template_name = "inspect";
  opts.headers = false;
  return RenderAndPrint(fmt, values, std::move(opts), "inspecting object: printing inspect output");
}

int PrintHistoryFormatted(const std::vector<HistoryRow>& rows, const std::string& fmt, bool no_trunc, bool human) {
  if (IsJson(fmt)) {
    image::Json out = image::Json::array();
    for (const auto& r : rows)
      out.push_back(image::Json{{"id", r.id}, {"created", FormatRfc3339Nano(r.created)}, {"CreatedBy", r.created_by},
                                {"size", r.size}, {"comment", r.comment}});
    std::printf("%s\n", JsonText(out, 4).c_str());
    return 0;
  }
  const int64_t now = NowNanos();
  std::vector<format::Value> values;
  for (const auto& r : rows) values.push_back(HistoryRowValue(r, no_trunc, human, now));
  format::ReportOptions opts;
  opts.template_name = "history";
  opts.header_overrides = {{"CreatedBy", "CREATED BY"}};
  return RenderAndPrint(fmt, values, std::move(opts), "");
}

int PrintInfo(const format::Value& info, const std::string& fmt) {
  if (fmt.empty() || IsJson(fmt)) {
    auto j = image::Json::parse(format::GoJson(info));
    std::string text = fmt.empty() ? format::Yaml(j) : JsonText(j, 4) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  format::ReportOptions opts;
  opts.template_name = "info";
  opts.headers = false;
  return RenderAndPrint(fmt, {info}, std::move(opts), "");
}

}  // namespace kiln::cli
