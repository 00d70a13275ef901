// Expected outputs recorded from `podman images --format …` (podman 4.3.1) with two names
// for one image, except where noted.
#include "format/report.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

std::vector<Value> ImageRows() {
  std::vector<Value> rows;
  for (auto [repo, tag] : {std::pair{"localhost/busybox", "latest"}, std::pair{"localhost/other", "v2"}}) {
    Value summary = Value::Struct("entities.ImageSummary")
                        .Add("ID", "Id", Value("5f62bcd4c57d"))
                        .Add("ParentId", Value(""))
                        .Add("Size", Value("2 MB"))
                        .Add("ReadOnly", Value(false));
    rows.push_back(Value::Struct("images.imageReporter")
                       .Add("Repository", "repository", Value(repo), true)
                       .Add("Tag", "tag", Value(tag), true)
                       .Embed(summary));
  }
  return rows;
}

ReportOptions ImagesOptions() {
  ReportOptions o;
  o.template_name = "images";
  o.header_overrides = {{"ID", "IMAGE ID"}, {"ReadOnly", "R/O"}};
  o.rows_type = "[]images.imageReporter";
  return o;
}

std::string Render(std::string_view format) {
  std::vector<Value> rows = ImageRows();
  auto out = RenderReport(format, rows, ImagesOptions());
  return out.ok() ? *out : "ERROR: " + out.status().message();
}

TEST(Report, Tables) {
  EXPECT_EQ(Render("table {{.ID}} {{.Repository}}"),
            "IMAGE ID      REPOSITORY\n5f62bcd4c57d  localhost/busybox\n5f62bcd4c57d  localhost/other\n");
  EXPECT_EQ(Render("table {{.Repository}}\\t{{.ParentId}} x{{.ReadOnly}}"),
            "REPOSITORY         PARENT ID   xR/O\n"
            "localhost/busybox              xfalse\n"
            "localhost/other                xfalse\n");
  // Spaces inside a table's string literals become column breaks too.
  EXPECT_EQ(Render("table {{printf \"%s\" \"a b\"}}"), "a           b\na           b\na           b\n");
  EXPECT_EQ(Render("table {{.Size | printf \"%d\"}} {{.ID | lower}}"),
            "%!d(string=SIZE)  image id\n%!d(string=2 MB)  5f62bcd4c57d\n%!d(string=2 MB)  5f62bcd4c57d\n");
}

TEST(Report, RowsWithoutTable) {
  EXPECT_EQ(Render("{{.ID}}\\t{{.Tag}}"), "5f62bcd4c57d\tlatest\n5f62bcd4c57d\tv2\n");
  EXPECT_EQ(Render("{{.Repository}}:{{.Tag}}"), "localhost/busybox:latest\nlocalhost/other:v2\n");
  EXPECT_EQ(Render("{{range .}}{{.ID}}{{end}}"), "5f62bcd4c57d5f62bcd4c57d\n");
  EXPECT_EQ(Render("table{{.Tag}}"), "tablelatest\ntablev2\n");  // "table" needs its space
  // \n in a string literal breaks the parse after unescaping; podman then uses the text as typed.
  EXPECT_EQ(Render("{{printf \"\\n\"}}x"), "\nx\nx");
  EXPECT_EQ(Render("{{json .}}"),
            "{\"repository\":\"localhost/busybox\",\"tag\":\"latest\",\"Id\":\"5f62bcd4c57d\",\"ParentId\":\"\","
            "\"Size\":\"2 MB\",\"ReadOnly\":false}\n"
            "{\"repository\":\"localhost/other\",\"tag\":\"v2\",\"Id\":\"5f62bcd4c57d\",\"ParentId\":\"\","
            "\"Size\":\"2 MB\",\"ReadOnly\":false}\n");
}

TEST(Report, Errors) {
  EXPECT_EQ(Render("{{.Nope}}"),
            "ERROR: template: images:1:13: executing \"images\" at <.Nope>: can't evaluate field Nope in type "
            "images.imageReporter");
  EXPECT_EQ(Render("{{if}}"), "ERROR: template: images:1: missing value for if");
  // podman prints the header row (<no value>) before the error.
  auto report = Report::Parse("table {{.Nope}}", ImagesOptions());
  ASSERT_TRUE(report.ok());
  std::string out;
  std::vector<Value> rows = ImageRows();
  EXPECT_FALSE(report->Render(rows, &out).ok());
  EXPECT_EQ(out, "<no value>\n");
}

TEST(Report, HeadersWithoutRows) {
  ReportOptions o = ImagesOptions();
  o.header_fields = {"Repository", "Tag", "ID", "CreatedSince"};
  o.header_overrides["CreatedSince"] = "created";
  auto out = RenderReport("table {{.Repository}}\\t{{.ID}}\\t{{.CreatedSince}}", std::span<const Value>(), o);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "REPOSITORY  IMAGE ID    CREATED\n");
}

TEST(Report, PodmanOriginIsAlwaysATable) {
  ReportOptions o = ImagesOptions();
  o.origin = FormatOrigin::kPodman;
  std::vector<Value> rows = ImageRows();
  auto out = RenderReport("{{range . }}{{.Repository}}\t{{.Tag}}\n{{end -}}", rows, o);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "REPOSITORY         TAG\nlocalhost/busybox  latest\nlocalhost/other    v2\n");
}

TEST(Report, HeaderForField) {
  EXPECT_EQ(HeaderForField("ID"), "ID");
  EXPECT_EQ(HeaderForField("ParentId"), "PARENT ID");
  EXPECT_EQ(HeaderForField("CreatedSince"), "CREATED SINCE");
  EXPECT_EQ(HeaderForField("PDFLoader"), "PDF LOADER");
  EXPECT_EQ(HeaderForField("GL11Version"), "GL 11 VERSION");
  EXPECT_EQ(HeaderForField("vimRPCPlugin"), "VIM RPC PLUGIN");
}

TEST(Report, NormalizeAndIsJson) {
  EXPECT_EQ(NormalizeFormat("{{.A}}\\t{{.B}}"), "{{.A}}\t{{.B}}\n");
  EXPECT_EQ(NormalizeFormat("table {{.A}} {{.B}}\\n"), "{{.A}}\t{{.B}}\n");
  EXPECT_TRUE(IsJsonFormat("json"));
  EXPECT_TRUE(IsJsonFormat(" {{ json . }} "));
  EXPECT_TRUE(IsJsonFormat("{{json}}"));
  EXPECT_FALSE(IsJsonFormat("{{json .ID}}"));
  EXPECT_FALSE(IsJsonFormat("table json"));
}

}  // namespace
}  // namespace kiln::format
