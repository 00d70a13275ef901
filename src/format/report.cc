#include "format/report.h"

#include "format/funcs.h"
#include "util/go_strconv.h"
#include "format/tabwriter.h"

namespace kiln::format {
namespace {

constexpr std::string_view kTablePrefix = "table ";

// podman's tables: tabwriter.NewWriter(w, 12, 2, 2, ' ', StripEscape).
TabWriter PodmanTabWriter() { return TabWriter(12, 2, 2, ' '); }

// strings.NewReplacer over the given pairs: a left-to-right scan where, at each position,
// the first pair (in argument order) whose old text matches is replaced.
std::string Replace(std::string_view s, std::span<const std::pair<std::string_view, std::string_view>> pairs) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& [from, to] : pairs) {
      if (s.substr(i).starts_with(from)) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

bool IsRegexSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && IsRegexSpace(s[i])) ++i;
  return i;
}

// Matches `{{\s*WORD\s*TAIL}}` at i, where TAIL is an optional single character (". " for
// range, "-" for end); returns the position after the match or npos.
size_t MatchAction(std::string_view s, size_t i, std::string_view word, char tail, bool tail_required) {
  if (!s.substr(i).starts_with("{{")) return std::string_view::npos;
  i = SkipSpaces(s, i + 2);
  if (!s.substr(i).starts_with(word)) return std::string_view::npos;
  i = SkipSpaces(s, i + word.size());
  if (i < s.size() && s[i] == tail) {
    i = SkipSpaces(s, i + 1);
  } else if (tail_required) {
    return std::string_view::npos;
  }
  if (!s.substr(i).starts_with("}}")) return std::string_view::npos;
  return i + 2;
}

// podman's rangeRegex: (?s){{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}}
bool HasRangeOverDot(std::string_view s) {
  for (size_t i = s.find("{{"); i != std::string_view::npos; i = s.find("{{", i + 1)) {
    size_t after_range = MatchAction(s, i, "range", '.', true);
    if (after_range == std::string_view::npos) continue;
    for (size_t j = s.find("{{", after_range); j != std::string_view::npos; j = s.find("{{", j + 1)) {
      if (MatchAction(s, j, "end", '-', false) != std::string_view::npos) return true;
    }
    return false;  // no {{end}} after the first range: none after any later one either
  }
  return false;
}

// report.EnforceRange: a user format runs once per row.
std::string EnforceRange(std::string format) {
  if (HasRangeOverDot(format)) return format;
  return "{{range .}}" + format + "{{end -}}";
}

// camelcase.Split: runs of lower case, upper case, digits and other characters; an upper
// case letter followed by lower case starts a new word ("PDFLoader" → PDF Loader).
std::vector<std::string> SplitCamelCase(std::string_view s) {
  if (!ValidUtf8(s)) return {std::string(s)};
  auto class_of = [](char32_t r) {
    if (r >= 'a' && r <= 'z') return 1;
    if (r >= 'A' && r <= 'Z') return 2;
    if (r >= '0' && r <= '9') return 3;
    return 4;
  };
  std::vector<std::u32string> runs;
  int last_class = 0;
  for (std::string_view rest = s; !rest.empty();) {
    auto [r, size] = DecodeRune(rest);
    rest.remove_prefix(size);
    int c = class_of(r);
    if (c == last_class) {
      runs.back() += r;
    } else {
      runs.emplace_back(1, r);
    }
    last_class = c;
  }
  for (size_t i = 0; i + 1 < runs.size(); ++i) {
    if (class_of(runs[i][0]) == 2 && class_of(runs[i + 1][0]) == 1) {
      runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
      runs[i].pop_back();
    }
  }
  std::vector<std::string> words;
  for (const std::u32string& run : runs) {
    if (run.empty()) continue;
    std::string word;
    for (char32_t r : run) AppendRune(word, r);
    words.push_back(std::move(word));
  }
  return words;
}

void CollectFieldNames(const Value& row, std::vector<std::string>& names) {
  for (const Field& f : row.Fields()) {
    if (f.method) continue;  // report.Headers lists fields only
    if (f.embedded && f.value.kind() == Kind::kStruct) {
      CollectFieldNames(f.value, names);  // promoted fields, as report.Headers recurses
    } else {
      names.push_back(f.name);
    }
  }
}

}  // namespace

std::string NormalizeFormat(std::string_view format) {
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"table ", ""}, {"\\t", "\t"}, {" ", "\t"}, {"\\n", "\n"}};
  static constexpr std::pair<std::string_view, std::string_view> kEscapes[] = {{"\\t", "\t"}, {"\\n", "\n"}};
  // A table's spaces become column breaks, even inside string literals (as in podman).
  std::string f = format.starts_with(kTablePrefix) ? Replace(format, kTable) : Replace(format, kEscapes);
  if (!f.ends_with('\n')) f += '\n';
  return f;
}

std::string HeaderForField(std::string_view field_name) {
  std::string joined;
  for (const std::string& word : SplitCamelCase(field_name)) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return GoToUpper(joined);
}

bool IsJsonFormat(std::string_view s) {
  // ^\s*(json|{{\s*json *\.?\s*}})\s*$
  size_t b = SkipSpaces(s, 0);
  size_t e = s.size();
  while (e > b && IsRegexSpace(s[e - 1])) --e;
  std::string_view body = s.substr(b, e - b);
  if (body == "json") return true;
  if (!body.starts_with("{{") || !body.ends_with("}}")) return false;
  size_t i = SkipSpaces(body, 2);
  if (!body.substr(i).starts_with("json")) return false;
  i += 4;
  while (i < body.size() && body[i] == ' ') ++i;
  if (i < body.size() && body[i] == '.') ++i;
  i = SkipSpaces(body, i);
  return i == body.size() - 2;
}

Expected<Report> Report::Parse(std::string_view format, ReportOptions options) {
  bool table = format.starts_with(kTablePrefix);
  std::string normalized;
  std::string raw;
  if (table) {
    normalized = "{{range .}}" + NormalizeFormat(format) + "{{end -}}";
    raw = "{{range .}}" + std::string(format) + "{{end -}}";
  } else if (options.origin == FormatOrigin::kUser) {
    normalized = EnforceRange(NormalizeFormat(format));
    raw = EnforceRange(std::string(format));
  } else {
    normalized = NormalizeFormat(format);
    raw = std::string(format);
  }
  table = table || options.origin == FormatOrigin::kPodman;
  // Replacing \n breaks formats like {{printf "\n"}}; podman then parses the text as given.
  auto parsed = Template::Parse(options.template_name, normalized);
  if (!parsed.ok()) {
    ASSIGN_OR_RETURN(Template t, Template::Parse(options.template_name, raw));
    return Report(std::move(t), std::move(options), table);
  }
  return Report(std::move(parsed).value(), std::move(options), table);
}

Value Report::HeaderRow(std::span<const Value> rows) const {
  std::vector<std::string> fields = options_.header_fields;
  if (fields.empty() && !rows.empty()) CollectFieldNames(rows[0], fields);
  Value headers = Value::Map("map[string]string");
  for (const std::string& field : fields) headers.Set(field, Value(HeaderForField(field)));
  for (const auto& [field, header] : options_.header_overrides) headers.Set(field, Value(GoToUpper(header)));
  return Value::Slice({headers}, "[]map[string]string");
}

Status Report::Render(std::span<const Value> rows, std::string* out) const {
  Value data = Value::Slice(std::vector<Value>(rows.begin(), rows.end()), options_.rows_type);
  if (!table_) return template_.Execute(data, out, options_.limits);
  std::string cells;
  Status st;
  if (options_.headers) st = template_.Execute(HeaderRow(rows), &cells, options_.limits);
  if (st.ok()) st = template_.Execute(data, &cells, options_.limits);
  TabWriter tw = PodmanTabWriter();
  tw.Write(cells);
  *out += tw.Flush();  // podman flushes what it has even after an error
  return st;
}

Expected<std::string> RenderReport(std::string_view format, std::span<const Value> rows, const ReportOptions& options) {
  ASSIGN_OR_RETURN(Report report, Report::Parse(format, options));
  std::string out;
  RETURN_IF_ERROR(report.Render(rows, &out));
  return out;
}

Expected<std::string> RenderReport(std::string_view user_format, const std::vector<Value>& rows,
                                   const std::map<std::string, std::string>& header_overrides,
                                   std::string_view template_name) {
  ReportOptions options;
  options.template_name = std::string(template_name);
  options.header_overrides = header_overrides;
  return RenderReport(user_format, std::span<const Value>(rows), options);
}

}  // namespace kiln::format
