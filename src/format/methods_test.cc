// Methods of Go values called from templates. Expected texts were taken from podman 4.3.1
// (`podman inspect --format … localhost/busybox`, Created 2023-11-14 22:13:20 UTC) where
// podman can show them, else from Go's documented time.Time/time.Duration behaviour.
#include "format/methods.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "format/template.h"

namespace kiln::format {
namespace {

// What podman's inspect gives a template: Created and History[].Created are *time.Time.
Value InspectData() {
  Value created = Value::Time(1700000000, 0).AsPointer("*time.Time");
  Value history = Value::Slice("[]v1.History")
                      .Append(Value::Struct("v1.History").Add("Created", "created", created, true));
  return Value::Struct("inspect.ImageData")
      .Add("Created", created)
      .Add("Nanos", Value::Time(1700000000, 123450000).AsPointer("*time.Time"))
      .Add("Zero", Value::Time(-62135596800, 0))
      .Add("Missing", Value::NilPointer("*time.Time"))
      .Add("Interval", Value::Int(90500000000, "time.Duration"))
      .Add("History", history)
      .AsPointer("*inspect.ImageData");
}

std::string Render(const std::string& tmpl) {
  auto t = Template::Parse("inspect", tmpl);
  if (!t.ok()) return t.status().message();
  std::string out;
  Status st = t->Execute(InspectData(), &out);
  return st.ok() ? out : st.message();
}

TEST(TemplateMethods, TimeAsPodmanPrintsIt) {
  EXPECT_EQ(Render("{{.Created.Unix}}"), "1700000000");
  EXPECT_EQ(Render("{{.Created.UnixNano}}"), "1700000000000000000");
  EXPECT_EQ(Render("{{.Nanos.UnixMilli}} {{.Nanos.UnixMicro}} {{.Nanos.Nanosecond}}"),
            "1700000000123 1700000000123450 123450000");
  EXPECT_EQ(Render(R"({{.Created.Format "2006-01-02"}})"), "2023-11-14");
  EXPECT_EQ(Render(R"({{.Created.Format "Mon Jan _2 15:04:05.000 MST 2006 -07:00 PM pm .999999 ,000"}})"),
            "Tue Nov 14 22:13:20.000 UTC 2023 +00:00 PM pm  ,000");
  EXPECT_EQ(Render("{{.Created.Month}}"), "November");
  EXPECT_EQ(Render(R"({{printf "%d" .Created.Month}})"), "11");
  EXPECT_EQ(Render("{{.Created.Month.String}}"), "November");
  EXPECT_EQ(Render("{{.Created.Weekday}}"), "Tuesday");
  EXPECT_EQ(Render("{{.Created.UTC}}"), "2023-11-14 22:13:20 +0000 UTC");
  EXPECT_EQ(Render("{{.Created.String}}"), "2023-11-14 22:13:20 +0000 UTC");
  EXPECT_EQ(Render("{{.Created.YearDay}} {{.Created.Year}} {{.Created.Day}}"), "318 2023 14");
  EXPECT_EQ(Render("{{.Created.Hour}}:{{.Created.Minute}}:{{.Created.Second}}"), "22:13:20");
  EXPECT_EQ(Render("{{.Created.IsZero}} {{.Zero.IsZero}}"), "false true");
  EXPECT_EQ(Render("{{.Created.Before .Created}} {{.Created.Equal .Created}} {{.Created.Before .Nanos}}"),
            "false true true");
  EXPECT_EQ(Render("{{.Nanos.After .Created}} {{.Nanos.Sub .Created}}"), "true 123.45ms");
  EXPECT_EQ(Render("{{(index .History 0).Created.Unix}}"), "1700000000");
  EXPECT_EQ(Render(R"({{.Created | printf "%v"}})"), "2023-11-14 22:13:20 +0000 UTC");
}

TEST(TemplateMethods, ArgumentsFromPipelinesAndVariables) {
  EXPECT_EQ(Render(R"({{"2006" | .Created.Format}})"), "2023");
  EXPECT_EQ(Render(R"({{$t := .Created}}{{$t.Format "Jan 2"}})"), "Nov 14");
  EXPECT_EQ(Render(R"({{with .Created}}{{.Format "15h04"}}{{end}})"), "22h13");
  EXPECT_EQ(Render("{{(.Created.Add 3600000000000).Hour}}"), "23");
  EXPECT_EQ(Render("{{.Created.UTC.Unix}}"), "1700000000");
}

TEST(TemplateMethods, ErrorsAsPodmanWordsThem) {
  EXPECT_EQ(Render("{{.Created.Zone}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Created.Zone>: can't call method/function "
            "\"Zone\" with 2 results");
  EXPECT_EQ(Render("{{.Created.Format}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Created.Format>: wrong number of args for Format: "
            "want 1 got 0");
  EXPECT_EQ(Render("{{.Created.Unix 1}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Created.Unix>: wrong number of args for Unix: "
            "want 0 got 1");
  EXPECT_EQ(Render("{{.Created.Nope}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Created.Nope>: can't evaluate field Nope in type "
            "*time.Time");
  EXPECT_EQ(Render("{{.Created.Before 1}}"),
            "template: inspect:1:18: executing \"inspect\" at <1>: can't handle 1 for arg of type time.Time");
  EXPECT_EQ(Render(R"({{.Created.Before "x"}})"),
            "template: inspect:1:18: executing \"inspect\" at <\"x\">: can't handle \"x\" for arg of type time.Time");
  EXPECT_EQ(Render("{{.Created.Before .Interval}}"),
            "template: inspect:1:18: executing \"inspect\" at <.Interval>: wrong type for value; expected "
            "time.Time; got time.Duration");
  EXPECT_EQ(Render("{{.Created.Before .Missing}}"),
            "template: inspect:1:18: executing \"inspect\" at <.Missing>: dereference of nil pointer of type "
            "time.Time");
  EXPECT_EQ(Render("{{.Missing.Unix}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Missing.Unix>: error calling Unix: value method "
            "time.Time.Unix called using nil *Time pointer");
  EXPECT_EQ(Render("{{.Missing.Nope}}"),
            "template: inspect:1:10: executing \"inspect\" at <.Missing.Nope>: can't evaluate field Nope in type "
            "*time.Time");
}

TEST(TemplateMethods, Durations) {
  EXPECT_EQ(Render("{{.Interval}} {{.Interval.String}} {{.Interval.Seconds}} {{.Interval.Minutes}}"),
            "1m30.5s 1m30.5s 90.5 1.5083333333333333");
  EXPECT_EQ(Render("{{.Interval.Milliseconds}} {{.Interval.Truncate 60000000000}} {{.Interval.Round 60000000000}}"),
            "90500 1m0s 2m0s");
}

TEST(TemplateMethods, LocalUsesTheProcessZone) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset();
  EXPECT_EQ(Render("{{.Created.Local}}"), "2023-11-14 23:13:20 +0100 CET");
  EXPECT_EQ(Render(R"({{.Created.Local.Format "15:04 Z07:00 MST"}} {{.Created.Local.UTC.Hour}})"), "23:13 +01:00 CET 22");
  EXPECT_EQ(Render("{{json .Created.Local}}"), "\"2023-11-14T23:13:20+01:00\"");
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(TemplateMethods, OnlyTheTypesThatHaveThem) {
  EXPECT_NE(FindMethod(Value::Time(0, 0), "Unix"), nullptr);
  EXPECT_NE(FindMethod(Value::NilPointer("*time.Time"), "Unix"), nullptr);
  EXPECT_EQ(FindMethod(Value::Int(5, "int64"), "String"), nullptr);
  EXPECT_EQ(FindMethod(Value("x"), "Unix"), nullptr);
  EXPECT_NE(FindMethod(Value::Int(5, "time.Month"), "String"), nullptr);
}

}  // namespace
}  // namespace kiln::format
