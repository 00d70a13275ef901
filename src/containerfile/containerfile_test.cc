#include "containerfile/containerfile.h"

#include <gtest/gtest.h>

namespace kiln::build {
namespace {

using Strings = std::vector<std::string>;

// Parses "FROM scratch\n" + body and returns the first instruction after FROM.
Instruction One(const std::string& body, const std::string& prefix = "") {
  Expected<Containerfile> file = ParseContainerfile(prefix + "FROM scratch\n" + body, "Containerfile");
  EXPECT_TRUE(file.ok()) << body << ": " << file.status().message();
  if (!file.ok() || file->stages.empty() || file->stages[0].instructions.empty()) return {};
  return file->stages[0].instructions[0];
}

struct ArgsCase {
  const char* body;
  const char* keyword;
  Strings args;
  bool json;
};

class ContainerfileArgsTest : public testing::TestWithParam<ArgsCase> {};

TEST_P(ContainerfileArgsTest, SplitsArguments) {
  Instruction inst = One(GetParam().body);
  EXPECT_EQ(inst.keyword, GetParam().keyword) << GetParam().body;
  EXPECT_EQ(inst.args, GetParam().args) << GetParam().body;
  EXPECT_EQ(inst.json, GetParam().json) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Containerfile, ContainerfileArgsTest,
    testing::Values(
        ArgsCase{"RUN echo hi", "RUN", {"echo hi"}, false},
        ArgsCase{"run echo hi", "RUN", {"echo hi"}, false},
        ArgsCase{"Run   echo   hi  ", "RUN", {"echo   hi"}, false},
        ArgsCase{"RUN [\"echo\", \"hi\"]", "RUN", {"echo", "hi"}, true},
        ArgsCase{"RUN []", "RUN", {}, true},
        ArgsCase{"RUN [\"echo\", \"hi\"", "RUN", {"[\"echo\", \"hi\""}, false},
        ArgsCase{"RUN [echo hi]", "RUN", {"[echo hi]"}, false},
        ArgsCase{"RUN ['echo']", "RUN", {"['echo']"}, false},
        ArgsCase{"RUN", "RUN", {}, false},
        ArgsCase{"CMD [\"cat /app/built.txt\"]", "CMD", {"cat /app/built.txt"}, true},
        ArgsCase{"CMD echo $HOME", "CMD", {"echo $HOME"}, false},
        ArgsCase{"ENTRYPOINT [\"/bin/sh\", \"-c\"]", "ENTRYPOINT", {"/bin/sh", "-c"}, true},
        ArgsCase{"ENTRYPOINT [\"a\\u0041\\n\"]", "ENTRYPOINT", {"aA\n"}, true},
        ArgsCase{"SHELL [\"/bin/bash\", \"-c\"]", "SHELL", {"/bin/bash", "-c"}, true},
        ArgsCase{"COPY a b /dest/", "COPY", {"a", "b", "/dest/"}, false},
        ArgsCase{"COPY [\"a b\", \"/dest/\"]", "COPY", {"a b", "/dest/"}, true},
        ArgsCase{"COPY [a, /d]", "COPY", {"[a,", "/d]"}, false},
        ArgsCase{"ADD stuff.tar.gz /opt/stuff/", "ADD", {"stuff.tar.gz", "/opt/stuff/"}, false},
        ArgsCase{"VOLUME /a /b", "VOLUME", {"/a", "/b"}, false},
        ArgsCase{"VOLUME [\"/data\"]", "VOLUME", {"/data"}, true},
        ArgsCase{"EXPOSE 8080/tcp 9090", "EXPOSE", {"8080/tcp", "9090"}, false},
        ArgsCase{"ENV A=1", "ENV", {"A", "1"}, false},
        ArgsCase{"ENV APP_HOME=/app PATH=/usr/local/bin:/bin", "ENV", {"APP_HOME", "/app", "PATH", "/usr/local/bin:/bin"}, false},
        ArgsCase{"ENV A=\"x y\" B='z' C=a\\ b", "ENV", {"A", "\"x y\"", "B", "'z'", "C", "a\\ b"}, false},
        ArgsCase{"ENV A \"x y\" z", "ENV", {"A", "\"x y\" z"}, false},
        ArgsCase{"ENV A  with  spaces", "ENV", {"A", "with  spaces"}, false},
        ArgsCase{"ENV A=", "ENV", {"A", ""}, false},
        ArgsCase{"ENV A=\"\"", "ENV", {"A", "\"\""}, false},
        ArgsCase{"ENV A=$B", "ENV", {"A", "$B"}, false},
        ArgsCase{"LABEL org.example.version=$VERSION maintainer=\"peer\"", "LABEL", {"org.example.version", "$VERSION", "maintainer", "\"peer\""}, false},
        ArgsCase{"LABEL \"a b\"=c", "LABEL", {"\"a b\"", "c"}, false},
        ArgsCase{"LABEL key value", "LABEL", {"key", "value"}, false},
        ArgsCase{"ARG A", "ARG", {"A", ""}, false},
        ArgsCase{"ARG A=1 B C=", "ARG", {"A", "1", "B", "", "C", ""}, false},
        ArgsCase{"ARG GREETING=\"hello world\"", "ARG", {"GREETING", "\"hello world\""}, false},
        ArgsCase{"USER nobody", "USER", {"nobody"}, false},
        ArgsCase{"USER 1000:1000", "USER", {"1000:1000"}, false},
        ArgsCase{"WORKDIR /my dir", "WORKDIR", {"/my dir"}, false},
        ArgsCase{"STOPSIGNAL SIGTERM", "STOPSIGNAL", {"SIGTERM"}, false},
        ArgsCase{"MAINTAINER a <a@b>", "MAINTAINER", {"a <a@b>"}, false},
        ArgsCase{"HEALTHCHECK NONE", "HEALTHCHECK", {"NONE"}, false},
        ArgsCase{"HEALTHCHECK none", "HEALTHCHECK", {"NONE"}, false},
        ArgsCase{"HEALTHCHECK CMD curl -f http://x/", "HEALTHCHECK", {"CMD", "curl -f http://x/"}, false},
        ArgsCase{"HEALTHCHECK --interval=5s CMD [\"true\"]", "HEALTHCHECK", {"CMD", "true"}, true},
        ArgsCase{"ONBUILD RUN echo hi", "ONBUILD", {"RUN echo hi"}, false},
        ArgsCase{"onbuild   COPY . /app", "ONBUILD", {"COPY . /app"}, false}));

TEST(ContainerfileTest, FlagsAreRemovedFromArgs) {
  Instruction inst = One("COPY --from=builder --chown=1:1 --link /built.txt /app/built.txt");
  ASSERT_EQ(inst.flags.size(), 3u);
  EXPECT_EQ(inst.flags[0].name, "from");
  EXPECT_EQ(inst.flags[0].value, "builder");
  EXPECT_TRUE(inst.flags[0].has_value);
  EXPECT_EQ(inst.flags[2].name, "link");
  EXPECT_FALSE(inst.flags[2].has_value);
  EXPECT_EQ(inst.rest, "/built.txt /app/built.txt");
  EXPECT_EQ(inst.args, (Strings{"/built.txt", "/app/built.txt"}));
  EXPECT_EQ(inst.original, "COPY --from=builder --chown=1:1 --link /built.txt /app/built.txt");
}

TEST(ContainerfileTest, FlagQuotesAndDoubleDash) {
  Instruction inst = One("RUN --mount=type=cache,target=\"/a b\" -- --not-a-flag");
  ASSERT_EQ(inst.flags.size(), 1u);
  EXPECT_EQ(inst.flags[0].value, "type=cache,target=/a b");
  EXPECT_EQ(inst.args, (Strings{"--not-a-flag"}));
  Instruction dash = One("RUN -x --y");
  EXPECT_TRUE(dash.flags.empty());
  EXPECT_EQ(dash.args, (Strings{"-x --y"}));
}

TEST(ContainerfileTest, ContinuationsAndComments) {
  Expected<Containerfile> f = ParseContainerfile(
      "FROM scratch\n"
      "RUN echo a \\\n"
      "# a comment inside\n"
      "\n"
      "    && echo b \\\n"
      "  \\\n"
      "  && echo c\n"
      "  # indented comment\n"
      "ENV A=1\n",
      "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const auto& insts = f->stages[0].instructions;
  ASSERT_EQ(insts.size(), 2u);
  EXPECT_EQ(insts[0].original, "RUN echo a     && echo b     && echo c");
  EXPECT_EQ(insts[0].args, (Strings{"echo a     && echo b     && echo c"}));
  EXPECT_EQ(insts[0].line, 2);
  EXPECT_EQ(insts[1].line, 9);
}

// podman prints a line's trailing blanks in "STEP n/m:" and history (Docker's node.Original).
TEST(ContainerfileTest, OriginalKeepsTrailingBlanks) {
  auto f = ParseContainerfile("FROM scratch\nRUN ls /tmp \t\r\nCOPY a /b \n", "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const auto& insts = f->stages[0].instructions;
  ASSERT_EQ(insts.size(), 2u);
  EXPECT_EQ(insts[0].original, "RUN ls /tmp \t");
  EXPECT_EQ(insts[0].args, (Strings{"ls /tmp"}));
  EXPECT_EQ(insts[1].original, "COPY a /b ");
  EXPECT_EQ(insts[1].args, (Strings{"a", "/b"}));
}

TEST(ContainerfileTest, EscapedEscapeIsNotAContinuation) {
  Expected<Containerfile> f = ParseContainerfile("FROM scratch\nRUN echo a\\\\\nRUN b\n", "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->stages[0].instructions.size(), 2u);
  EXPECT_EQ(f->stages[0].instructions[0].args, (Strings{"echo a\\\\"}));
}

TEST(ContainerfileTest, CrlfLineEndings) {
  Expected<Containerfile> f = ParseContainerfile("FROM scratch\r\nRUN a \\\r\n b\r\n", "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->stages[0].instructions[0].args, (Strings{"a  b"}));
}

TEST(ContainerfileTest, ByteOrderMarkAndNoFinalNewline) {
  Expected<Containerfile> f = ParseContainerfile("\xEF\xBB\xBF" "FROM scratch\nCMD x", "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->stages[0].base, "scratch");
  EXPECT_EQ(f->stages[0].instructions[0].args, (Strings{"x"}));
}

TEST(ContainerfileTest, EscapeDirectiveBacktick) {
  Expected<Containerfile> f = ParseContainerfile(
      "# escape=`\nFROM scratch\nRUN dir C:\\ `\n  /w\nCOPY a\\b c\\\n", "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->escape, '`');
  EXPECT_EQ(f->stages[0].instructions[0].args, (Strings{"dir C:\\   /w"}));
  EXPECT_EQ(f->stages[0].instructions[1].args, (Strings{"a\\b", "c\\"}));
}

TEST(ContainerfileTest, DirectivesCaseAndSpacing) {
  Expected<Containerfile> f = ParseContainerfile("#  ESCAPE = `\n# syntax=docker/dockerfile:1\n# check=skip=all\nFROM scratch\n", "C");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->escape, '`');
}

TEST(ContainerfileTest, DirectiveAfterCommentIsAComment) {
  Expected<Containerfile> f = ParseContainerfile("# hello\n# escape=`\nFROM scratch\n", "C");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->escape, '\\');
  f = ParseContainerfile("\n# escape=`\nFROM scratch\n", "C");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->escape, '\\');
  f = ParseContainerfile("FROM scratch\n# escape=`\n", "C");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->escape, '\\');
}

TEST(ContainerfileTest, UnknownDirectiveEndsDirectives) {
  Expected<Containerfile> f = ParseContainerfile("# foo=bar\n# escape=`\nFROM scratch\n", "C");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->escape, '\\');
}

TEST(ContainerfileTest, StagesAndGlobalArgs) {
  Expected<Containerfile> f = ParseContainerfile(
      "ARG BASE=busybox\nARG TAG\n"
      "FROM --platform=linux/amd64 ${BASE}:$TAG AS Builder\nRUN x\n"
      "from builder as two\n"
      "FROM scratch\nCOPY --from=two /a /b\n",
      "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->global_args.size(), 2u);
  EXPECT_EQ(f->global_args[1].args, (Strings{"TAG", ""}));
  EXPECT_EQ(f->global_args[0].arg_has_default, (std::vector<bool>{true}));
  EXPECT_EQ(f->global_args[1].arg_has_default, (std::vector<bool>{false}));
  ASSERT_EQ(f->stages.size(), 3u);
  EXPECT_EQ(f->stages[0].base, "${BASE}:$TAG");
  EXPECT_EQ(f->stages[0].name, "builder");
  EXPECT_EQ(f->stages[0].platform, "linux/amd64");
  EXPECT_EQ(f->stages[0].from.line, 3);
  EXPECT_EQ(f->stages[0].instructions.size(), 1u);
  EXPECT_EQ(f->stages[1].index, 1);
  EXPECT_EQ(f->stages[1].base, "builder");
  EXPECT_EQ(f->stages[1].name, "two");
  EXPECT_EQ(f->stages[1].from.original, "from builder as two");
  EXPECT_TRUE(f->stages[1].instructions.empty());
  EXPECT_EQ(f->stages[2].name, "");
  EXPECT_EQ(f->stages[2].instructions[0].flags[0].value, "two");
}

TEST(ContainerfileTest, Heredocs) {
  Expected<Containerfile> f = ParseContainerfile(
      "FROM scratch\n"
      "RUN <<EOF\necho $A\necho b\nEOF\n"
      "RUN <<-'EOT' bash\n\t\techo tab\n\tEOT\n"
      "RUN <<A cat - && cat /dev/fd/3 3<<\"B\"\na1\nA\nb1\nB\n"
      "COPY <<EOF /path\ncontent\nEOF\n"
      "RUN echo after\n",
      "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const auto& insts = f->stages[0].instructions;
  ASSERT_EQ(insts.size(), 5u);
  ASSERT_EQ(insts[0].heredocs.size(), 1u);
  EXPECT_EQ(insts[0].original, "RUN <<EOF");
  EXPECT_EQ(insts[0].args, (Strings{"<<EOF"}));
  EXPECT_EQ(insts[0].heredocs[0].name, "EOF");
  EXPECT_EQ(insts[0].heredocs[0].content, "echo $A\necho b\n");
  EXPECT_TRUE(insts[0].heredocs[0].expand);
  ASSERT_EQ(insts[1].heredocs.size(), 1u);
  EXPECT_EQ(insts[1].heredocs[0].name, "EOT");
  EXPECT_EQ(insts[1].heredocs[0].content, "echo tab\n");
  EXPECT_FALSE(insts[1].heredocs[0].expand);
  ASSERT_EQ(insts[2].heredocs.size(), 2u);
  EXPECT_EQ(insts[2].heredocs[0].content, "a1\n");
  EXPECT_TRUE(insts[2].heredocs[0].expand);
  EXPECT_EQ(insts[2].heredocs[1].name, "B");
  EXPECT_EQ(insts[2].heredocs[1].content, "b1\n");
  EXPECT_FALSE(insts[2].heredocs[1].expand);
  EXPECT_EQ(insts[3].args, (Strings{"<<EOF", "/path"}));
  EXPECT_EQ(insts[3].heredocs[0].content, "content\n");
  EXPECT_EQ(insts[4].args, (Strings{"echo after"}));
  EXPECT_EQ(insts[4].line, 17);
}

TEST(ContainerfileTest, HeredocOnlyForRunCopyAdd) {
  Expected<Containerfile> f = ParseContainerfile("FROM scratch\nCMD <<EOF\nRUN [\"a\", \"<<EOF\"]\nRUN cat<<EOF\n", "C");
  ASSERT_TRUE(f.ok()) << f.status().message();
  for (const Instruction& inst : f->stages[0].instructions) EXPECT_TRUE(inst.heredocs.empty()) << inst.original;
  EXPECT_EQ(f->stages[0].instructions.size(), 3u);
}

TEST(ContainerfileTest, HeredocEmptyBodyAndKeepsBlankLines) {
  Instruction inst = One("RUN <<EOF\nEOF\nRUN <<X\n\n  # not a comment\nX\n");
  EXPECT_EQ(inst.heredocs[0].content, "");
  Expected<Containerfile> f = ParseContainerfile("FROM s\nRUN <<EOF\nEOF\nRUN <<X\n\n  # not a comment\nX\n", "C");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->stages[0].instructions[1].heredocs[0].content, "\n  # not a comment\n");
}

TEST(ContainerfileTest, MultiStageOriginalsMatchPodmanSteps) {
  const char* text =
      "FROM localhost/busybox AS builder\n"
      "ARG GREETING=hi\n"
      "RUN echo \"$GREETING from builder\" > /built.txt\n"
      "\n"
      "FROM localhost/busybox\n"
      "ARG VERSION=1.0\n"
      "ENV APP_HOME=/app PATH=/usr/local/bin:/bin\n"
      "LABEL org.example.version=$VERSION maintainer=\"peer\"\n"
      "WORKDIR /app\n"
      "# shell and exec forms\n"
      "RUN echo \"shell form $VERSION\" > /app/shell.txt\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo exec form > /app/exec.txt\"]\n"
      "COPY app/ /app/src/\n"
      "ADD stuff.tar.gz /opt/stuff/\n"
      "COPY --from=builder /built.txt /app/built.txt\n"
      "EXPOSE 8080/tcp 9090\n"
      "USER nobody\n"
      "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n"
      "CMD [\"cat /app/built.txt\"]\n";
  Expected<Containerfile> f = ParseContainerfile(text, "Containerfile");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->stages.size(), 2u);
  Strings steps;
  for (const Stage& stage : f->stages) {
    steps.push_back(stage.from.original);
    for (const Instruction& inst : stage.instructions) steps.push_back(inst.original);
  }
  EXPECT_EQ(steps, (Strings{"FROM localhost/busybox AS builder", "ARG GREETING=hi",
                            "RUN echo \"$GREETING from builder\" > /built.txt", "FROM localhost/busybox",
                            "ARG VERSION=1.0", "ENV APP_HOME=/app PATH=/usr/local/bin:/bin",
                            "LABEL org.example.version=$VERSION maintainer=\"peer\"", "WORKDIR /app",
                            "RUN echo \"shell form $VERSION\" > /app/shell.txt",
                            "RUN [\"/bin/sh\", \"-c\", \"echo exec form > /app/exec.txt\"]",
                            "COPY app/ /app/src/", "ADD stuff.tar.gz /opt/stuff/",
                            "COPY --from=builder /built.txt /app/built.txt", "EXPOSE 8080/tcp 9090",
                            "USER nobody", "ENTRYPOINT [\"/bin/sh\", \"-c\"]", "CMD [\"cat /app/built.txt\"]"}));
  EXPECT_EQ(f->stages[0].name, "builder");
  EXPECT_EQ(f->stages[1].instructions.size(), 14u - 1);
}

struct ErrorCase {
  const char* text;
  const char* message;
};

class ContainerfileErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ContainerfileErrorTest, Fails) {
  Expected<Containerfile> f = ParseContainerfile(GetParam().text, "Containerfile");
  ASSERT_FALSE(f.ok()) << GetParam().text;
  EXPECT_EQ(f.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(f.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Containerfile, ContainerfileErrorTest,
    testing::Values(
        ErrorCase{"FROM scratch\nRUN x\nFOO bar\n", "Containerfile:3: unknown instruction: FOO"},
        ErrorCase{"FROM scratch\nfoo bar\n", "Containerfile:2: unknown instruction: FOO"},
        ErrorCase{"", "Containerfile: file with no instructions"},
        ErrorCase{"# just a comment\n\n   \n", "Containerfile: file with no instructions"},
        ErrorCase{"ARG A=1\n", "Containerfile: no FROM instruction: dockerfile contains no stages to build"},
        ErrorCase{"RUN x\nFROM scratch\n", "Containerfile:1: RUN before the first FROM: no build stage in current context"},
        ErrorCase{"FROM\n", "Containerfile:1: FROM requires either one or three arguments"},
        ErrorCase{"FROM a b\n", "Containerfile:1: FROM requires either one or three arguments"},
        ErrorCase{"FROM a to b\n", "Containerfile:1: FROM requires either one or three arguments"},
        ErrorCase{"FROM a AS 1x\n", "Containerfile:1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols"},
        ErrorCase{"FROM a AS b$c\n", "Containerfile:1: invalid name for build stage: \"b$c\", name can't start with a number or contain symbols"},
        ErrorCase{"FROM a\nENV\n", "Containerfile:2: ENV requires at least one argument"},
        ErrorCase{"FROM a\nENV A\n", "Containerfile:2: ENV must have two arguments"},
        ErrorCase{"FROM a\nENV =x\n", "Containerfile:2: ENV names can not be blank"},
        ErrorCase{"FROM a\nENV A=1 B\n", "Containerfile:2: Syntax error - can't find = in \"B\". Must be of the form: name=value"},
        ErrorCase{"FROM a\nLABEL\n", "Containerfile:2: LABEL requires at least one argument"},
        ErrorCase{"FROM a\nARG\n", "Containerfile:2: ARG requires at least one argument"},
        ErrorCase{"FROM a\nARG =1\n", "Containerfile:2: ARG names can not be blank"},
        ErrorCase{"FROM a\nSHELL /bin/sh -c\n", "Containerfile:2: SHELL requires the arguments to be in JSON form"},
        ErrorCase{"FROM a\nSHELL []\n", "Containerfile:2: SHELL requires at least one argument"},
        ErrorCase{"FROM a\nRUN [\"a\", 1]\n", "Containerfile:2: when using JSON array syntax, arrays must be comprised of strings only"},
        ErrorCase{"FROM a\nCOPY [\"a\", null]\n", "Containerfile:2: when using JSON array syntax, arrays must be comprised of strings only"},
        ErrorCase{"FROM a\nCOPY onlyone\n", "Containerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"},
        ErrorCase{"FROM a\nCOPY a <<EOF\nx\nEOF\n", "Containerfile:2: COPY cannot accept a heredoc as a destination"},
        ErrorCase{"FROM a\nRUN <<EOF\necho\n", "Containerfile:2: unterminated heredoc"},
        ErrorCase{"FROM a\nRUN <<A <<B\na\nA\nb\n", "Containerfile:2: unterminated heredoc"},
        ErrorCase{"FROM a\nWORKDIR\n", "Containerfile:2: WORKDIR requires exactly one argument"},
        ErrorCase{"FROM a\nUSER\n", "Containerfile:2: USER requires exactly one argument"},
        ErrorCase{"FROM a\nEXPOSE\n", "Containerfile:2: EXPOSE requires at least one argument"},
        ErrorCase{"FROM a\nVOLUME [\"\"]\n", "Containerfile:2: VOLUME specified can not be an empty string"},
        ErrorCase{"FROM a\nHEALTHCHECK NONE x\n", "Containerfile:2: HEALTHCHECK NONE takes no arguments"},
        ErrorCase{"FROM a\nHEALTHCHECK CMD\n", "Containerfile:2: Missing command after HEALTHCHECK CMD"},
        ErrorCase{"FROM a\nHEALTHCHECK foo\n", "Containerfile:2: Unknown type \"foo\" in HEALTHCHECK (try CMD)"},
        ErrorCase{"FROM a\nONBUILD\n", "Containerfile:2: ONBUILD requires at least one argument"},
        ErrorCase{"FROM a\nONBUILD ONBUILD RUN x\n", "Containerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
        ErrorCase{"FROM a\nONBUILD FROM b\n", "Containerfile:2: FROM isn't allowed as an ONBUILD trigger"},
        ErrorCase{"FROM a\nONBUILD maintainer b\n", "Containerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger"},
        ErrorCase{"# escape=x\nFROM a\n", "Containerfile:1: invalid escape token 'x' does not match ` or \\"},
        ErrorCase{"# escape=`\n# escape=\\\nFROM a\n", "Containerfile:2: only one escape parser directive can be used"}));

TEST(ContainerfileTest, ParseInstructionLine) {
  Expected<Instruction> inst = ParseInstructionLine("RUN echo hi", '\\');
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(inst->keyword, "RUN");
  EXPECT_EQ(inst->args, (Strings{"echo hi"}));
  inst = ParseInstructionLine("copy --chown=1 a b", '\\');
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(inst->flags[0].name, "chown");
  EXPECT_EQ(inst->args, (Strings{"a", "b"}));
  EXPECT_FALSE(ParseInstructionLine("FROM x", '\\').ok());
  EXPECT_FALSE(ParseInstructionLine("ONBUILD RUN x", '\\').ok());
  EXPECT_EQ(ParseInstructionLine("BOGUS x", '\\').status().message(), "unknown instruction: BOGUS");
}

TEST(ContainerfileTest, OnbuildHeredocTrigger) {
  Instruction inst = One("ONBUILD RUN <<EOF\necho hi\nEOF\n");
  ASSERT_EQ(inst.heredocs.size(), 1u);
  EXPECT_EQ(inst.args, (Strings{"RUN <<EOF\necho hi\nEOF"}));
}

}  // namespace
}  // namespace kiln::build
