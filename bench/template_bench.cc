// Rendering 1000 images-like rows through podman-style --format strings: the cost of
// `kiln images --format …` once the rows are built (goal: well under 5 ms).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "format/report.h"

namespace {

using kiln::format::Value;

std::vector<Value> Rows(int n) {
  std::vector<Value> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string id = std::to_string(100000000000 + i);
    Value summary = Value::Struct("entities.ImageSummary")
                        .Add("ID", "Id", Value(id))
                        .Add("Size", Value("2.16 MB"))
                        .Add("Created", Value(int64_t{1700000000} + i));
    rows.push_back(Value::Struct("images.imageReporter")
                       .Add("Repository", "repository", Value("localhost/app-" + std::to_string(i)), true)
                       .Add("Tag", "tag", Value("latest"), true)
                       .Embed(summary));
  }
  return rows;
}

void Render(benchmark::State& state, const char* format) {
  const std::vector<Value> rows = Rows(1000);
  kiln::format::ReportOptions options;
  options.template_name = "images";
  options.header_overrides = {{"ID", "IMAGE ID"}};
  options.rows_type = "[]images.imageReporter";
  auto report = kiln::format::Report::Parse(format, options);
  if (!report.ok()) {
    state.SkipWithError(report.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    std::string out;
    if (!report->Render(rows, &out).ok()) state.SkipWithError("render failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

void BM_RepositoryTag1000(benchmark::State& state) { Render(state, "{{.Repository}}:{{.Tag}}"); }
void BM_Table1000(benchmark::State& state) { Render(state, "table {{.ID}}\\t{{.Repository}}\\t{{.Size}}"); }

BENCHMARK(BM_RepositoryTag1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Table1000)->Unit(benchmark::kMicrosecond);

}  // namespace
