// libFuzzer target: any bytes as a --format template, parsed the way podman parses user
// formats and executed against a small image-like row. Must neither crash nor hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "format/report.h"
#include "format/template.h"

namespace {

using kiln::format::Value;

Value Row() {
  Value config = Value::Struct("v1.ImageConfig")
                     .Add("Cmd", "Cmd", Value::StringSlice({"cat", "/x"}), true)
                     .Add("Labels", "Labels", Value::StringMap({{"a", "1"}}), true)
                     .AsPointer("*v1.ImageConfig");
  return Value::Struct("images.row")
      .Add("ID", Value("5f62bcd4c57d"))
      .Add("Size", Value(int64_t{1997895}))
      .Add("Created", Value::Time(1700000000, 5).AsPointer("*time.Time"))
      .Add("Tags", Value::Slice({Value("a"), Value(1), Value()}))
      .Add("Config", config)
      .Add("Nil", Value::NilPointer("*v1.ImageConfig"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Value kRows[] = {Row(), Row()};
  std::string_view text(reinterpret_cast<const char*>(data), size);

  kiln::format::ExecLimits limits;
  limits.max_steps = 20000;
  limits.max_output_bytes = 1 << 20;
  auto t = kiln::format::Template::Parse("fuzz", text);
  if (t.ok()) {
    std::string out;
    (void)t->Execute(Value::Slice({kRows[0], kRows[1]}), &out, limits);
  }

  kiln::format::ReportOptions options;
  options.template_name = "fuzz";
  options.limits = limits;
  auto report = kiln::format::Report::Parse(text, options);
  if (report.ok()) {
    std::string out;
    (void)report->Render(kRows, &out);
  }
  return 0;
}
