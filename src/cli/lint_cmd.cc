// lint: the Containerfile checks of src/lint/, with compiler-style, JSON or SARIF output;
// exit 1 when an error-level rule fires. build --check calls LintContainerfile too.

#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "lint/report.h"
#include "lint/rules.h"
#include "store/paths.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

struct LintFlags {
  std::vector<std::string> positional;  // [CONTEXT]
  std::string file, format = "text", level, config, explain;
  std::vector<std::string> build_args;
  bool list = false;
};

// The environment of an image already in the store, for UndefinedVar; never creates a store.
lint::BaseEnvLookup StoreEnvLookup(Context& ctx) {
  return [&ctx](const std::string& image) -> std::optional<std::vector<std::string>> {
    std::string root = ctx.options.root.empty() ? store::DefaultRoot() : ctx.options.root;
    if (!PathExists(JoinPath(root, "kiln.db"))) return std::nullopt;
    auto store = ctx.Store();
    if (!store.ok()) return std::nullopt;
    auto record = (*store)->LookupImage(image);
    if (!record.ok()) return std::nullopt;
    auto config = (*store)->ReadConfig(*record);
    if (!config.ok()) return std::nullopt;
    std::vector<std::string> env;
    const auto& rc = config->RuntimeConfig();
    if (rc.contains("Env") && rc["Env"].is_array()) {
      for (const auto& e : rc["Env"]) {
        if (e.is_string()) env.push_back(e.get<std::string>());
      }
    }
    return env;
  };
}

Expected<lint::Config> LoadConfig(const std::string& explicit_path, const std::string& context_dir) {
  std::string path = explicit_path.empty() ? JoinPath(context_dir, ".kiln-lint.toml") : explicit_path;
  if (explicit_path.empty() && !PathExists(path)) return lint::Config{};
  auto text = ReadFile(path);
  if (!text.ok()) return NotFound("lint configuration \"" + path + "\": no such file or directory");
  return lint::ParseConfig(*text, path);
}

Expected<std::string> Render(const std::vector<lint::Finding>& findings, const std::string& format) {
  if (format == "text") return lint::FormatText(findings);
  if (format == "json") return lint::FormatJson(findings);
  if (format == "sarif") return lint::FormatSarif(findings);
  return InvalidArgument("unknown format \"" + format + "\": must be text, json or sarif");
}

int ListRules() {
  for (const lint::RuleInfo& r : lint::AllRules()) {
    std::printf("%-32s %-8s %s\n", std::string(r.id).c_str(), std::string(lint::SeverityName(r.severity)).c_str(),
                std::string(r.reason).c_str());
  }
  return 0;
}

int RunLint(Context& ctx, const LintFlags& f) {
  if (f.list) return ListRules();
  if (!f.explain.empty()) {
    auto text = lint::Explain(f.explain);
    if (!text.ok()) return Fail(text.status());
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  if (f.positional.size() > 1) return Fail(InvalidArgument("accepts at most 1 arg(s), received " + std::to_string(f.positional.size())));
  LintRequest req;
  if (!f.positional.empty()) req.context_dir = f.positional[0];
  if (!f.file.empty()) req.files.push_back(f.file);
  req.format = f.format;
  req.level = f.level;
  req.config = f.config;
  for (const std::string& a : f.build_args) {
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      req.build_args.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else if (const char* v = getenv(a.c_str())) {
      req.build_args.emplace_back(a, v);
    }
  }
  return LintContainerfile(ctx, req);
}

// The name findings show: the -f path as given, else CONTEXT/NAME as the context was given.
std::string DisplayName(const LintRequest& req, const std::string& path) {
  if (!req.files.empty()) return req.files.front();
  std::string name = path.substr(path.rfind('/') + 1);
  return req.context_dir.empty() ? name : JoinPath(req.context_dir, name);
}

Status LintTo(Context& ctx, const LintRequest& req, bool* errors) {
  ASSIGN_OR_RETURN(ContainerfileSource source, ReadContainerfileAsBuild(req.files, req.context_dir));
  lint::Input in;
  in.text = std::move(source.text);
  in.filename = source.path.empty() ? "-" : DisplayName(req, source.path);
  ASSIGN_OR_RETURN(in.context, lint::ScanContext(source.context_dir, source.path));
  in.build_args = req.build_args;
  in.base_env = StoreEnvLookup(ctx);
  ASSIGN_OR_RETURN(lint::Config config, LoadConfig(req.config, source.context_dir));
  lint::Severity level = config.level.value_or(lint::Severity::kWarning);
  if (!req.level.empty()) {
    ASSIGN_OR_RETURN(level, lint::ParseSeverity(req.level));
  }
  ASSIGN_OR_RETURN(std::vector<lint::Finding> all, lint::Lint(in, config.options));
  std::vector<lint::Finding> shown;
  for (lint::Finding& f : all) {
    *errors = *errors || f.severity == lint::Severity::kError;
    if (f.severity >= level) shown.push_back(std::move(f));
  }
  ASSIGN_OR_RETURN(std::string out, Render(shown, req.format));
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

int LintContainerfile(Context& ctx, const LintRequest& req) {
  bool errors = false;
  Status st = LintTo(ctx, req, &errors);
  if (!st.ok()) return Fail(st);
  return errors ? 1 : 0;
}

void RegisterLintCommand(Registry& r) {
  auto f = std::make_shared<LintFlags>();
  CLI::App* cmd = AddCommand(r.root, "lint", "Check a Containerfile against best practices");
  cmd->add_option("context", f->positional, "CONTEXT directory (default: current directory)");
  cmd->add_option("-f,--file", f->file, "`pathname` of the Containerfile (- for stdin)");
  cmd->add_option("--format", f->format, "output `format`: text, json or sarif");
  cmd->add_option("--level", f->level, "lowest severity shown: info, warning (default) or error");
  cmd->add_option("--config", f->config, "`file` with ignore and severity settings (default CONTEXT/.kiln-lint.toml)");
  cmd->add_option("--explain", f->explain, "explain the rule `ID`");
  cmd->add_flag("--list-rules", f->list, "list every rule with its severity");
  AddRepeatable(cmd, "--build-arg", f->build_args, "`argument=value` for the ARGs used in FROM");
  cmd->callback([&r, f] { r.exit_code = RunLint(r.ctx, *f); });
}

}  // namespace kiln::cli
