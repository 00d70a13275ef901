#include "lint/lint.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lint/report.h"
#include "lint/rules.h"
#include "lint/shell.h"

namespace kiln::lint {
namespace {

std::vector<Finding> LintText(const std::string& text, std::optional<ContextFacts> ctx = std::nullopt,
                              BaseEnvLookup env = nullptr, Options options = {}) {
  Input in;
  in.filename = "Containerfile";
  in.text = text;
  in.context = ctx;
  in.base_env = env;
  auto r = Lint(in, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<Finding>{};
}

std::vector<std::string> Rules(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) ids.push_back(f.rule);
  return ids;
}

bool Fires(const std::vector<Finding>& findings, const std::string& rule) {
  for (const Finding& f : findings)
    if (f.rule == rule) return true;
  return false;
}

// A well-written file: nothing at any level (the base env is known: PATH only).
const char kGood[] =
    "FROM docker.io/library/debian:12-slim AS build\n"
    "WORKDIR /src\n"
    "COPY requirements.txt .\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\n"
    "COPY . .\n"
    "FROM docker.io/library/debian:12-slim\n"
    "WORKDIR /app\n"
    "COPY --from=build /src/app /app/app\n"
    "USER nobody\n"
    "CMD [\"/app/app\"]\n";

std::optional<std::vector<std::string>> PathOnly(const std::string&) {
  return std::vector<std::string>{"PATH=/usr/bin:/bin"};
}

TEST(Lint, WellWrittenFileHasNoFindings) {
  EXPECT_EQ(Rules(LintText(kGood, ContextFacts{true, {}}, PathOnly)), std::vector<std::string>{});
}

struct Case {
  const char* rule;
  const char* bad;
  const char* good;
};

// Every rule: fires on the minimal bad file, is quiet on the fixed one.
const Case kCases[] = {
    {"MergeRunSteps", "FROM a:1\nRUN echo a\nRUN echo b\nUSER u\n", "FROM a:1\nRUN echo a && echo b\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x\nUSER u\n",
     "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN apk add curl\nUSER u\n", "FROM a:1\nRUN apk add --no-cache curl\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN dnf install -y x\nUSER u\n", "FROM a:1\nRUN dnf install -y x && dnf clean all\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN pip install -r r.txt\nUSER u\n",
     "FROM a:1\nRUN pip install --no-cache-dir -r r.txt\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN python3 -m pip install x\nUSER u\n",
     "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN python3 -m pip install x\nUSER u\n"},
    {"PackageCacheNotCleaned", "FROM a:1\nRUN npm ci\nUSER u\n", "FROM a:1\nRUN npm ci && npm cache clean --force\nUSER u\n"},
    {"AptNoInstallRecommends", "FROM a:1\nRUN apt-get install -y x && rm -rf /var/lib/apt/lists/*\nUSER u\n",
     "FROM a:1\nRUN apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\nUSER u\n"},
    {"CopyContextBeforeDependencies", "FROM a:1\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm cache clean --force\nUSER u\n",
     "FROM a:1\nWORKDIR /app\nCOPY package.json .\nRUN npm ci && npm cache clean --force\nCOPY . .\nUSER u\n"},
    {"AddInsteadOfCopy", "FROM a:1\nADD app.sh /app/\nUSER u\n", "FROM a:1\nADD rootfs.tar.gz /\nCOPY app.sh /app/\nUSER u\n"},
    {"BaseImageNotPinned", "FROM debian\nUSER u\n", "FROM debian:12\nUSER u\n"},
    {"BaseImageNotPinned", "FROM debian:latest\nUSER u\n", "FROM debian@sha256:0000\nUSER u\n"},
    {"BaseImageNotPinned", "ARG B=alpine\nFROM $B\nUSER u\n", "ARG B=alpine:3.19\nFROM $B\nUSER u\n"},
    {"RunsAsRoot", "FROM a:1\nCMD [\"x\"]\n", "FROM a:1\nUSER app\nCMD [\"x\"]\n"},
    {"RunsAsRoot", "FROM a:1\nUSER root\n", "FROM a:1 AS b\nUSER 1000\nFROM b\nRUN true\n"},
    {"SecretsUsedInArgOrEnv", "FROM a:1\nARG API_TOKEN\nUSER u\n", "FROM a:1\nARG PUBLIC_KEY\nARG VERSION\nUSER u\n"},
    {"SecretsUsedInArgOrEnv", "FROM a:1\nENV DB_PASSWORD=x\nUSER u\n", "FROM a:1\nENV DB_HOST=x\nUSER u\n"},
    {"WorkdirRelativePath", "FROM a:1\nWORKDIR app\nUSER u\n", "FROM a:1\nWORKDIR /srv\nWORKDIR app\nUSER u\n"},
    {"CdInRun", "FROM a:1\nRUN cd /src && make\nUSER u\n", "FROM a:1\nWORKDIR /src\nRUN make\nUSER u\n"},
    {"JSONArgsRecommended", "FROM a:1\nUSER u\nCMD python app.py\n", "FROM a:1\nUSER u\nCMD [\"python\", \"app.py\"]\n"},
    {"JSONArgsRecommended", "FROM a:1\nUSER u\nENTRYPOINT /app\n", "FROM a:1\nUSER u\nENTRYPOINT [\"/app\"]\n"},
    {"ExposeInvalidPort", "FROM a:1\nEXPOSE 70000\nUSER u\n", "FROM a:1\nEXPOSE 8080 53/udp 8000-8010/tcp\nUSER u\n"},
    {"ExposeInvalidPort", "FROM a:1\nEXPOSE 80/http\nUSER u\n", "FROM a:1\nEXPOSE 80/tcp\nUSER u\n"},
    {"StageNameCasing", "FROM a:1 AS Build\nFROM a:1\nUSER u\n", "FROM a:1 AS build\nFROM a:1\nUSER u\n"},
    {"FromAsCasing", "FROM a:1 as build\nFROM a:1\nUSER u\n", "FROM a:1 AS build\nFROM a:1\nUSER u\n"},
    {"NoEmptyContinuation", "FROM a:1\nRUN echo a \\\n\n    echo b\nUSER u\n", "FROM a:1\nRUN echo a \\\n    b\nUSER u\n"},
    {"ConsistentInstructionCasing", "FROM a:1\nRUN true\nuser u\n", "FROM a:1\nRUN true\nUSER u\n"},
    {"DuplicateStageName", "FROM a:1 AS x\nFROM a:1 AS x\nUSER u\n", "FROM a:1 AS x\nFROM a:1 AS y\nUSER u\n"},
    {"ReservedStageName", "FROM a:1 AS scratch\nFROM a:1\nUSER u\n", "FROM a:1 AS base\nFROM a:1\nUSER u\n"},
    {"MaintainerDeprecated", "FROM a:1\nMAINTAINER me\nUSER u\n", "FROM a:1\nLABEL org.opencontainers.image.authors=me\nUSER u\n"},
    {"UndefinedArgInFrom", "FROM a:${V}\nUSER u\n", "ARG V=1\nFROM a:${V}\nUSER u\n"},
    {"UndefinedVar", "ARG V=1\nFROM a:1\nLABEL v=$V\nUSER u\n", "ARG V=1\nFROM a:1\nARG V\nLABEL v=$V\nUSER u\n"},
    {"UndefinedVar", "FROM a:1\nENV P=$PTH\nUSER u\n", "FROM a:1\nENV P=$PATH\nUSER u\n"},
    {"MultipleInstructionsDisallowed", "FROM a:1\nUSER u\nCMD [\"a\"]\nCMD [\"b\"]\n", "FROM a:1\nUSER u\nCMD [\"b\"]\n"},
    {"LegacyKeyValueFormat", "FROM a:1\nENV A 1\nUSER u\n", "FROM a:1\nENV A=1\nUSER u\n"},
};

TEST(Lint, EachRuleFiresOnBadAndNotOnGood) {
  for (const Case& c : kCases) {
    EXPECT_TRUE(Fires(LintText(c.bad, ContextFacts{true, {}}, PathOnly), c.rule)) << c.rule << " on\n" << c.bad;
    auto good = LintText(c.good, ContextFacts{true, {}}, PathOnly);
    EXPECT_EQ(Rules(good), std::vector<std::string>{}) << c.rule << " on\n" << c.good;
  }
}

TEST(Lint, EveryRuleHasACase) {
  for (const RuleInfo& r : AllRules()) {
    if (r.id == "NoContainerignore") continue;  // needs a context: below
    bool found = false;
    for (const Case& c : kCases) found = found || r.id == c.rule;
    EXPECT_TRUE(found) << r.id;
  }
}

TEST(Lint, NoContainerignoreNeedsBulkInTheContextAndACopyOfIt) {
  const char* text = "FROM a:1\nCOPY . /app\nUSER u\n";
  EXPECT_TRUE(Fires(LintText(text, ContextFacts{false, {".git"}}), "NoContainerignore"));
  EXPECT_FALSE(Fires(LintText(text, ContextFacts{true, {}}), "NoContainerignore"));
  EXPECT_FALSE(Fires(LintText("FROM a:1\nCOPY app.sh /app/\nUSER u\n", ContextFacts{false, {".git"}}), "NoContainerignore"));
  EXPECT_TRUE(Fires(LintText("FROM a:1\nCOPY node_modules/ /m/\nUSER u\n", ContextFacts{false, {"node_modules"}}),
                    "NoContainerignore"));
}

TEST(Lint, PositionsAndSeverities) {
  auto f = LintText("FROM a:1\nEXPOSE 8080 99999\nUSER u\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 2);
  EXPECT_EQ(f[0].column, 13);
  EXPECT_EQ(f[0].severity, Severity::kError);
  f = LintText("FROM a:1\n  RUN a\n  RUN b\nUSER u\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 3);
  EXPECT_EQ(f[0].column, 3);
  EXPECT_EQ(f[0].message, "RUN follows the RUN at line 2: join them with && into one layer");
}

TEST(Lint, UndefinedVarWithUnknownBaseOnlyReportsUnredeclaredGlobalArgs) {
  auto f = LintText("ARG G=1\nFROM a:1\nENV X=$JAVA_HOME Y=$G\nUSER u\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "Usage of undefined variable '$G' (the ARG before FROM must be declared again in the stage)");
  EXPECT_EQ(f[0].column, 20);
}

TEST(Lint, IgnoreCommentsDirectivesAndOptions) {
  const char* text = "FROM a:1\nRUN a\n# kiln-lint ignore=MergeRunSteps\nRUN b\nUSER root\n";
  EXPECT_EQ(Rules(LintText(text)), std::vector<std::string>{"RunsAsRoot"});
  EXPECT_EQ(Rules(LintText(std::string("# check=skip=RunsAsRoot\n") + text)), std::vector<std::string>{});
  Options o;
  o.ignore.insert("RunsAsRoot");
  o.severity["MergeRunSteps"] = Severity::kError;
  auto f = LintText("FROM a:1\nRUN a\nRUN b\n", std::nullopt, nullptr, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kError);
  f = LintText("# check=error=true\nFROM a:1\nRUN a\nRUN b\nUSER u\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kError);
}

TEST(Lint, ParseErrorIsAnError) {
  Input in{"Containerfile", "FROM a\nFOO bar\n", std::nullopt, {}, nullptr};
  auto r = Lint(in, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Containerfile:2: unknown instruction: FOO");
}

TEST(LintShell, SimpleCommands) {
  auto cmds = SimpleCommands("DEBIAN_FRONTEND=noninteractive sudo apt-get install -y 'a b' && cd /x; echo \"q\\\"\" | y # c && z");
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0], (Command{"apt-get", "install", "-y", "a b"}));
  EXPECT_EQ(cmds[1], (Command{"cd", "/x"}));
  EXPECT_EQ(cmds[2], (Command{"echo", "q\""}));
  EXPECT_EQ(cmds[3], (Command{"y"}));
}

TEST(LintReport, Formats) {
  std::vector<Finding> f = {{"Containerfile", 3, 1, Severity::kWarning, "CdInRun", "cd /x in RUN: use WORKDIR"}};
  EXPECT_EQ(FormatText(f), "Containerfile:3:1: warning: CdInRun: cd /x in RUN: use WORKDIR\n");
  auto json = nlohmann::json::parse(FormatJson(f));
  EXPECT_EQ(json[0]["rule"], "CdInRun");
  EXPECT_EQ(json[0]["column"], 1);
  EXPECT_EQ(FormatJson({}), "[]\n");
  auto sarif = nlohmann::json::parse(FormatSarif(f));
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_EQ(sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
  EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["rules"].size(), AllRules().size());
}

TEST(LintReport, ConfigFile) {
  auto c = ParseConfig("level = \"info\"\nignore = [\"CdInRun\"]\n[severity]\nRunsAsRoot = \"error\"\n", "c.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(*c->level, Severity::kInfo);
  EXPECT_TRUE(c->options.ignore.count("CdInRun"));
  EXPECT_EQ(c->options.severity.at("RunsAsRoot"), Severity::kError);
  EXPECT_EQ(ParseConfig("ignore = [\"Nope\"]\n", "c.toml").status().message(),
            "lint configuration \"c.toml\": unknown rule in ignore: Nope");
  EXPECT_TRUE(Explain("CdInRun").ok());
  EXPECT_FALSE(Explain("Nope").ok());
}

}  // namespace
}  // namespace kiln::lint
