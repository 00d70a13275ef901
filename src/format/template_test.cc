// Engine behaviour beyond what podman's inspect data can show (see template_parity_test.cc
// for the cases recorded from podman itself). Expected texts follow Go's documented
// text/template semantics.
#include "format/template.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kiln::format {
namespace {

struct Case {
  const char* tmpl;
  const char* want;  // output, or the error message when it starts with "template: "
};

Value Data() {
  return Value::FromJson(nlohmann::json::parse(R"({
    "name": "web", "count": 3, "ratio": 0.5, "on": true, "off": false, "none": null,
    "tags": ["a", "b", "c"], "empty": [], "labels": {"z": "last", "a": "first"},
    "nested": {"inner": {"x": 1}}, "big": 18446744073709551615
  })"));
}

std::string Render(const char* tmpl, const Value& data) {
  auto t = Template::Parse("t", tmpl);
  if (!t.ok()) return t.status().message();
  std::string out;
  Status st = t->Execute(data, &out);
  return st.ok() ? out : st.message();
}

class TemplateCases : public testing::TestWithParam<Case> {};

TEST_P(TemplateCases, Renders) {
  EXPECT_EQ(Render(GetParam().tmpl, Data()), GetParam().want) << GetParam().tmpl;
}

const Case kCases[] = {
    // Data decoded from JSON: maps and slices of interface{}.
    {"{{.name}}", "web"},
    {"{{.count}} {{.ratio}} {{.on}} {{.off}}", "3 0.5 true false"},
    {"{{.none}}", "<no value>"},  // a nil interface{} leaves the pipeline as "no value"
    {"{{printf \"%v\" .none}}", "<nil>"},
    {"{{.missing}}", "<no value>"},
    {"{{.nested.inner.x}}", "1"},
    {"{{.nested.missing.x}}", "<no value>"},
    {"{{.none.x}}", "template: t:1:7: executing \"t\" at <.none.x>: nil pointer evaluating interface {}.x"},
    {"{{.name.x}}", "template: t:1:7: executing \"t\" at <.name.x>: can't evaluate field x in type interface {}"},
    {"{{.big}}", "18446744073709551615"},
    {"{{.tags}}", "[a b c]"},
    {"{{.labels}}", "map[a:first z:last]"},
    {"{{range $k, $v := .labels}}{{$k}}={{$v}};{{end}}", "a=first;z=last;"},
    {"{{range .empty}}x{{else}}none{{end}}", "none"},
    {"{{index .labels \"nope\"}}", "<no value>"},  // a zero interface{}: nil, then unboxed to no value
    {"{{index .tags 1}}", "b"},
    {"{{len .tags}} {{len .labels}} {{len .name}}", "3 2 3"},
    {"{{json .labels}}", "{\"a\":\"first\",\"z\":\"last\"}"},
    {"{{json .}}",
     "{\"big\":18446744073709551615,\"count\":3,\"empty\":[],\"labels\":{\"a\":\"first\",\"z\":\"last\"},"
     "\"name\":\"web\",\"nested\":{\"inner\":{\"x\":1}},\"none\":null,\"off\":false,\"on\":true,\"ratio\":0.5,"
     "\"tags\":[\"a\",\"b\",\"c\"]}"},
    {"{{eq .count 3}} {{lt .ratio 1.0}} {{eq .none nil}}", "true true true"},
    {"{{eq .count 3.0}}", "template: t:1:2: executing \"t\" at <eq .count 3.0>: error calling eq: incompatible types for comparison"},
    {"{{if .none}}y{{else}}n{{end}}", "n"},
    {"{{with .tags}}{{len .}}{{end}}", "3"},
    // else with (Go 1.23) and else if chains.
    {"{{with .missing}}a{{else with .name}}b{{.}}{{end}}", "bweb"},
    {"{{with .missing}}a{{else with .none}}b{{else}}c{{end}}", "c"},
    {"{{if .off}}a{{else if .on}}b{{end}}", "b"},
    // Variables: declaration, assignment across scopes, $ inside templates.
    {"{{$x := 1}}{{range .tags}}{{$x = .}}{{end}}{{$x}}", "c"},
    {"{{range $i, $t := .tags}}{{if eq $i 1}}{{continue}}{{end}}{{$t}}{{end}}", "ac"},
    {"{{range .tags}}{{range $.tags}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}|{{end}}", "a|a|a|"},
    {"{{define \"x\"}}[{{.}}|{{$}}]{{end}}{{template \"x\" .name}}", "[web|web]"},
    {"{{define \"x\"}}{{.}}{{end}}{{template \"x\"}}", "<no value>"},
    {"{{define \"rec\"}}{{if .}}{{index . 0}}{{template \"rec\" (slice . 1)}}{{end}}{{end}}{{template \"rec\" .tags}}",
     "abc"},
    {"{{block \"b\" .count}}<{{.}}>{{end}}", "<3>"},
    {"{{define \"a\"}}1{{end}}{{define \"a\"}}2{{end}}", "template: t:1: template: multiple definition of template \"a\""},
    {"{{define \"a\"}}  {{end}}{{define \"a\"}}2{{end}}{{template \"a\"}}", "2"},
    // Literals and constants.
    {"{{0x1_F}} {{1_000}} {{'\\''}} {{\"\\x41\\101\\u00e9\"}}", "31 1000 39 AAé"},
    {"{{1e2}} {{0x1p4}} {{-.5}}", "100 16 -0.5"},
    {"{{9223372036854775808}}",
     "template: t:1:2: executing \"t\" at <9223372036854775808>: 9223372036854775808 overflows int"},
    {"{{3i}}", "template: t:1: complex constants are not supported: 3i"},
    // Functions taking typed arguments.
    {"{{join .tags \"-\"}}", "template: t:1:7: executing \"t\" at <.tags>: wrong type for value; expected []string; got []interface {}"},
    {"{{upper .name}}", "WEB"},
    {"{{upper .none}}", "template: t:1:8: executing \"t\" at <.none>: wrong type for value; expected string; got interface {}"},
    {"{{truncate \"abcdef\" 2}}|{{pad \"x\" 1 2}}|", "ab| x  |"},
    {"{{title \"élan vital-force\"}}", "Élan Vital-Force"},
    {"{{lower \"ÀÉÎ ΣΩ ЖЯ\"}}", "àéî σω жя"},
    {"{{split \"a\\x00b\" \"\\x00\"}}", "[a b]"},
    {"{{printf \"%v %v\" (split \"x y\" \" \") (len (split \"\" \"\"))}}", "[x y] 0"},
    {"{{html nil}}", "&lt;no value&gt;"},
    {"{{urlquery \"a\" \" \" 1}}", "a+1"},
    {"{{call .name}}", "template: t:1:2: executing \"t\" at <call .name>: error calling call: non-function of type string"},
    // Whitespace trimming around actions and comments.
    {"a \n {{- /* c */ -}} \n b", "ab"},
    {"{{- 1 -}}\n\n{{- 2}}", "12"},
    {"{{1}}-{{-2}}", "1--2"},  // "{{-2" is the number -2, not a trim marker
    // Parse errors.
    {"{{.name", "template: t:1: unclosed action"},
    {"{{.name\n\n", "template: t:3: unclosed action started at t:1"},
    {"{{\"a\" | printf}}", "a"},
    {"{{printf \"%s\" | len}}", "12"},  // printf yields "%!s(MISSING)"
    {"{{printf | len}}", "template: t:1:2: executing \"t\" at <printf>: wrong number of args for printf: want at least 1 got 0"},
    {"{{range $i, $e := .tags}}{{end}}{{$e}}", "template: t:1: undefined variable \"$e\""},
    {"{{with $x := 1}}{{end}}{{$x}}", "template: t:1: undefined variable \"$x\""},
    {"{{/* x */ y}}", "template: t:1: comment ends before closing delimiter"},
    {"{{\"\\z\"}}", "template: t:1: invalid syntax"},
    {"{{'\\400'}}", "template: t:1: invalid syntax"},
    {"{{.a.b.c.d.e.f.g.h.i.j.k}}", "<no value>"},
    {"{{1.2.3}}", "template: t:1: unexpected \".3\" in operand"},
    {"{{1x}}", "template: t:1: bad number syntax: \"1x\""},
    {"{{#}}", "template: t:1: unexpected \"#\" in command"},
    {"{{\x01}}", "template: t:1: unrecognized character in action: U+0001"},
};

INSTANTIATE_TEST_SUITE_P(Go, TemplateCases, testing::ValuesIn(kCases));

TEST(Template, WritesOutputUpToAnError) {
  auto t = Template::Parse("t", "a{{.name}}b{{.name.x}}c");
  ASSERT_TRUE(t.ok());
  std::string out;
  Status st = t->Execute(Data(), &out);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(out, "awebb");
}

TEST(Template, CopiesShareTheParsedTree) {
  auto t = Template::Parse("images", "{{.}}");
  ASSERT_TRUE(t.ok());
  Template copy = *t;
  EXPECT_EQ(copy.name(), "images");
  EXPECT_EQ(*copy.Execute(Value(7)), "7");
}

TEST(Template, TopLevelDotIsUnboxedAndNilIsNoValue) {
  auto t = Template::Parse("t", "{{.}}|{{printf \"%T\" .}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t->Execute(Value()), "<no value>|<nil>");
  EXPECT_EQ(*t->Execute(Value("x").Boxed()), "x|string");
}

TEST(Template, DeepParenthesesAreRefusedNotCrashing) {
  std::string text = "{{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}}";
  auto t = Template::Parse("t", text);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "template: t:1: max expression depth exceeded");
}

TEST(Template, DeepControlNestingIsRefused) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "{{if 1}}";
  for (int i = 0; i < 3000; ++i) text += "{{end}}";
  EXPECT_FALSE(Template::Parse("t", text).ok());
}

TEST(Template, EndlessRecursionStopsAtTheDepthLimit) {
  auto t = Template::Parse("t", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" 1}}");
  ASSERT_TRUE(t.ok());
  auto out = t->Execute(Value());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "template: t:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (1000)");
}

TEST(Template, LimitsStopRunawayTemplates) {
  // Exponential recursion: each level calls the next twice.
  auto t = Template::Parse("t", "{{define \"r\"}}x{{template \"r\" .}}{{template \"r\" .}}{{end}}{{template \"r\"}}");
  ASSERT_TRUE(t.ok());
  std::string out;
  ExecLimits limits;
  limits.max_steps = 10000;
  EXPECT_FALSE(t->Execute(Value(), &out, limits).ok());

  auto big = Template::Parse("t", "{{range .}}{{printf \"%1000000d\" 1}}{{end}}");
  ASSERT_TRUE(big.ok());
  limits = ExecLimits{};
  limits.max_output_bytes = 3'000'000;
  out.clear();
  EXPECT_FALSE(big->Execute(Value::StringSlice(std::vector<std::string>(100, "x")), &out, limits).ok());
  EXPECT_LT(out.size(), 5'000'000u);
}

TEST(Template, StructsPointersAndEmbedding) {
  Value summary = Value::Struct("entities.ImageSummary").Add("ID", "Id", Value("abc")).Add("Size", Value(int64_t{5}));
  Value row = Value::Struct("images.imageReporter")
                  .Add("Repository", "repository", Value("busybox"), true)
                  .Embed(summary);
  auto t = Template::Parse("images", "{{.Repository}} {{.ID}} {{.Size}} {{.}} {{printf \"%+v\" .}} {{json .}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t->Execute(row),
            "busybox abc 5 {busybox {abc 5}} {Repository:busybox ImageSummary:{ID:abc Size:5}} "
            "{\"repository\":\"busybox\",\"Id\":\"abc\",\"Size\":5}");

  Value config = Value::Struct("v1.ImageConfig").Add("User", Value("root")).AsPointer("*v1.ImageConfig");
  Value image = Value::Struct("inspect.ImageData").Add("Config", config).Add("Missing", Value::NilPointer("*v1.ImageConfig"));
  auto p = Template::Parse("t", "{{.Config}} {{printf \"%v %T\" .Config .Config}} {{.Missing}} {{if .Missing}}y{{else}}n{{end}}");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->Execute(image), "{root} &{root} *v1.ImageConfig <nil> n");
  auto nil_field = Template::Parse("t", "{{.Missing.User}}");
  ASSERT_TRUE(nil_field.ok());
  EXPECT_EQ(nil_field->Execute(image).status().message(),
            "template: t:1:10: executing \"t\" at <.Missing.User>: nil pointer evaluating *v1.ImageConfig.User");
}

TEST(Template, FieldWithArgumentsIsAnError) {
  Value s = Value::Struct("main.T").Add("A", Value("x"));
  auto t = Template::Parse("t", "{{.A 1}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Execute(s).status().message(),
            "template: t:1:2: executing \"t\" at <.A>: A has arguments but cannot be invoked as function");
}

}  // namespace
}  // namespace kiln::format
