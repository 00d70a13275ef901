// podman's --format handling (containers/common v0.50 pkg/report, as podman 4.3.1 uses it):
// "table " formats get a header row and aligned columns, `\t` and `\n` typed on the command
// line become tabs and newlines, every format is run once per row.
//
//   ReportOptions opts{.template_name = "images", .header_overrides = {{"ID", "IMAGE ID"}}};
//   ASSIGN_OR_RETURN(std::string text, RenderReport("table {{.ID}}\t{{.Size}}", rows, opts));
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/template.h"
#include "format/value.h"
#include "util/status.h"

namespace kiln::format {

enum class FormatOrigin {
  kUser,    // --format: a table only with "table ", each row through the template
  kPodman,  // the command's own format: always a table with headers, ranges itself
};

struct ReportOptions {
  std::string template_name = "report";  // shown in errors: "template: images:1:13: …"
  // Column headers: field name → header (e.g. "ID" → "IMAGE ID"); others are the field
  // name split at case changes and upper-cased ("ParentId" → "PARENT ID").
  std::map<std::string, std::string> header_overrides;
  // The row type's fields, for headers when there may be no rows. Empty: the first row's.
  std::vector<std::string> header_fields;
  bool headers = true;  // print the header row of a table (inspect prints none)
  FormatOrigin origin = FormatOrigin::kUser;
  // Go type of the row list; "[]interface {}" makes field errors name "interface {}".
  TypeName rows_type = "[]interface {}";
  ExecLimits limits;  // for untrusted formats (fuzzing)
};

// A --format string parsed once, rendered for any number of row lists.
class Report {
 public:
  static Expected<Report> Parse(std::string_view format, ReportOptions options);
  // Appends to *out; on an error *out holds what podman would have printed before it.
  Status Render(std::span<const Value> rows, std::string* out) const;
  bool is_table() const { return table_; }

 private:
  Report(Template t, ReportOptions options, bool table)
      : template_(std::move(t)), options_(std::move(options)), table_(table) {}
  Value HeaderRow(std::span<const Value> rows) const;

  Template template_;
  ReportOptions options_;
  bool table_;  // output goes through the tab writer
};

Expected<std::string> RenderReport(std::string_view format, std::span<const Value> rows, const ReportOptions& options);
Expected<std::string> RenderReport(std::string_view user_format, const std::vector<Value>& rows,
                                   const std::map<std::string, std::string>& header_overrides,
                                   std::string_view template_name);

// report.IsJSON: "json" or "{{json .}}"-like formats that mean "print JSON" (not a template).
bool IsJsonFormat(std::string_view format);

// The header of a field: camelcase.Split joined with spaces, upper-cased.
std::string HeaderForField(std::string_view field_name);

// report.NormalizeFormat: the text podman parses for a --format string.
std::string NormalizeFormat(std::string_view format);

}  // namespace kiln::format
