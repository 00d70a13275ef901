#include "lint/checks.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "containerfile/expand.h"
#include "lint/shell.h"

namespace kiln::lint {
namespace {

using build::Containerfile;
using build::Instruction;
using build::Stage;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The keyword as written ("run", "Run", "RUN").
std::string WrittenKeyword(const Instruction& inst) {
  std::string_view o = inst.original;
  size_t end = o.find_first_of(" \t");
  return std::string(o.substr(0, end));
}

const Instruction* FindFlag(const Instruction& inst, std::string_view name, std::string* value) {
  for (const build::Flag& f : inst.flags) {
    if (f.name == name) {
      if (value) *value = f.value;
      return &inst;
    }
  }
  return nullptr;
}

class Checker {
 public:
  explicit Checker(const CheckInput& in) : in_(in), file_(in.file) { ResolveGlobalArgs(); }

  std::vector<RawFinding> Run() {
    MergeRunSteps();
    PackageRules();
    CopyContextBeforeDependencies();
    NoContainerignore();
    AddInsteadOfCopy();
    BaseImageNotPinned();
    RunsAsRoot();
    SecretsUsedInArgOrEnv();
    WorkdirRelativePath();
    CdInRun();
    JSONArgsRecommended();
    ExposeInvalidPort();
    StageNames();
    FromAsCasing();
    NoEmptyContinuation();
    ConsistentInstructionCasing();
    MaintainerDeprecated();
    UndefinedArgInFrom();
    UndefinedVar();
    MultipleInstructionsDisallowed();
    LegacyKeyValueFormat();
    return std::move(out_);
  }

 private:
  // ---- Positions --------------------------------------------------------------------------

  std::string_view Line(int line) const {
    if (line < 1 || line > static_cast<int>(in_.lines.size())) return {};
    return in_.lines[line - 1];
  }
  int Column(const Instruction& inst) const {
    std::string_view l = Line(inst.line);
    size_t c = l.find_first_not_of(" \t");
    return c == std::string_view::npos ? 1 : static_cast<int>(c) + 1;
  }
  // The column of `word` on the instruction's first line after the keyword, else the keyword's.
  int ColumnOf(const Instruction& inst, std::string_view word) const {
    std::string_view l = Line(inst.line);
    size_t from = static_cast<size_t>(Column(inst) - 1) + WrittenKeyword(inst).size();
    size_t at = word.empty() ? std::string_view::npos : l.find(word, from);
    return at == std::string_view::npos ? Column(inst) : static_cast<int>(at) + 1;
  }
  int VarColumn(const Instruction& inst, const std::string& v) const {
    int braced = ColumnOf(inst, "${" + v);
    return braced != Column(inst) ? braced : ColumnOf(inst, "$" + v);
  }
  void Report(const Instruction& inst, std::string_view rule, std::string message, int column = 0) {
    out_.push_back({inst.line, column > 0 ? column : Column(inst), std::string(rule), std::move(message)});
  }

  // ---- Shared readings ----------------------------------------------------------------------

  // The shell text a RUN executes (exec form: the -c script, else the words), heredocs included.
  static std::string RunScript(const Instruction& inst) {
    std::string script;
    if (inst.json) {
      if (inst.args.size() >= 3 && inst.args[1] == "-c") {
        script = inst.args[2];
      } else {
        for (const std::string& a : inst.args) script += a + " ";
      }
    } else if (!inst.args.empty()) {
      script = inst.args[0];
    }
    for (const build::Heredoc& doc : inst.heredocs) script += "\n" + doc.content;
    return script;
  }
  static bool HasCacheMount(const Instruction& inst) {
    return std::any_of(inst.flags.begin(), inst.flags.end(), [](const build::Flag& f) {
      return f.name == "mount" && f.value.find("type=cache") != std::string::npos;
    });
  }
  // COPY/ADD from the context (not --from), and its sources.
  static bool FromContext(const Instruction& inst) {
    return (inst.keyword == "COPY" || inst.keyword == "ADD") && !FindFlag(inst, "from", nullptr) && inst.heredocs.empty();
  }
  static std::vector<std::string> Sources(const Instruction& inst) {
    if (inst.args.size() < 2) return {};
    return {inst.args.begin(), inst.args.end() - 1};
  }
  static bool IsWholeContext(const std::string& src) { return src == "." || src == "./" || src == "*" || src == "./*"; }
  static bool CopiesWholeContext(const Instruction& inst) {
    if (!FromContext(inst)) return false;
    auto srcs = Sources(inst);
    return std::any_of(srcs.begin(), srcs.end(), IsWholeContext);
  }

  // The program that installs packages or dependencies in a command, "" if none.
  static std::string InstallCommand(const Command& cmd) {
    std::vector<std::string> ops = Operands(cmd);
    std::string sub = ops.empty() ? "" : ops[0];
    for (std::string_view p : {"apt-get", "apt", "yum", "dnf", "microdnf", "zypper"}) {
      if (IsProgram(cmd, p) && (sub == "install" || sub == "in")) return std::string(p) + " install";
    }
    if (IsProgram(cmd, "apk") && sub == "add") return "apk add";
    if (PipCommand(cmd) && PipSub(cmd) == "install") return "pip install";
    for (std::string_view p : {"npm", "pnpm"}) {
      if (IsProgram(cmd, p) && (sub == "install" || sub == "ci" || sub == "i")) return std::string(p) + " " + sub;
    }
    if (IsProgram(cmd, "yarn") && (sub.empty() || sub == "install")) return "yarn install";
    if (IsProgram(cmd, "go") && ops.size() >= 2 && ops[0] == "mod" && ops[1] == "download") return "go mod download";
    for (std::string_view p : {"bundle", "composer", "poetry", "pipenv"}) {
      if (IsProgram(cmd, p) && sub == "install") return std::string(p) + " install";
    }
    if (IsProgram(cmd, "cargo") && sub == "fetch") return "cargo fetch";
    return "";
  }
  // pip, pip3, or python -m pip.
  static bool PipCommand(const Command& cmd) {
    if (IsProgram(cmd, "pip") || IsProgram(cmd, "pip3")) return true;
    if (!(IsProgram(cmd, "python") || IsProgram(cmd, "python3"))) return false;
    auto m = std::find(cmd.begin(), cmd.end(), "-m");
    return m != cmd.end() && m + 1 != cmd.end() && (m[1] == "pip" || m[1] == "pip3");
  }
  static std::string PipSub(const Command& cmd) {
    size_t i = 1;
    if (!(IsProgram(cmd, "pip") || IsProgram(cmd, "pip3"))) {
      i = static_cast<size_t>(std::find(cmd.begin(), cmd.end(), "-m") - cmd.begin()) + 2;
    }
    for (; i < cmd.size(); ++i) {
      if (!cmd[i].empty() && cmd[i][0] != '-') return cmd[i];
    }
    return "";
  }
  static bool RemovesPath(const std::vector<Command>& cmds, std::string_view prefix) {
    return std::any_of(cmds.begin(), cmds.end(),
                       [&](const Command& c) { return IsProgram(c, "rm") && HasWordWithPrefix(c, prefix); });
  }
  static bool RunsWith(const std::vector<Command>& cmds, std::initializer_list<std::string_view> progs,
                       std::initializer_list<std::string_view> words) {
    return std::any_of(cmds.begin(), cmds.end(), [&](const Command& c) {
      bool prog = std::any_of(progs.begin(), progs.end(), [&](std::string_view p) { return IsProgram(c, p); });
      return prog && std::all_of(words.begin(), words.end(), [&](std::string_view w) { return HasWord(c, w); });
    });
  }

  // ---- The tutorial's advice -------------------------------------------------------------------

  void MergeRunSteps() {
    for (const Stage& stage : file_.stages) {
      const auto& insts = stage.instructions;
      for (size_t i = 1; i < insts.size(); ++i) {
        const Instruction& prev = insts[i - 1];
        const Instruction& cur = insts[i];
        if (prev.keyword != "RUN" || cur.keyword != "RUN") continue;
        if (!SameFlags(prev, cur)) continue;
        Report(cur, "MergeRunSteps",
               "RUN follows the RUN at line " + std::to_string(prev.line) + ": join them with && into one layer");
      }
    }
  }
  static bool SameFlags(const Instruction& a, const Instruction& b) {
    if (a.flags.size() != b.flags.size()) return false;
    for (size_t i = 0; i < a.flags.size(); ++i) {
      if (a.flags[i].name != b.flags[i].name || a.flags[i].value != b.flags[i].value) return false;
    }
    return true;
  }

  void PackageRules() {
    for (const Stage& stage : file_.stages) {
      bool pip_no_cache_env = false;
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword == "ENV" || inst.keyword == "ARG") {
          for (size_t i = 0; i < inst.args.size(); i += 2) pip_no_cache_env |= inst.args[i] == "PIP_NO_CACHE_DIR";
        }
        if (inst.keyword != "RUN") continue;
        std::vector<Command> cmds = SimpleCommands(RunScript(inst));
        AptRecommends(inst, cmds);
        if (!HasCacheMount(inst)) CacheNotCleaned(inst, cmds, pip_no_cache_env);
      }
    }
  }

  void AptRecommends(const Instruction& inst, const std::vector<Command>& cmds) {
    for (const Command& c : cmds) {
      if (!(IsProgram(c, "apt-get") || IsProgram(c, "apt"))) continue;
      std::vector<std::string> ops = Operands(c);
      if (ops.empty() || ops[0] != "install") continue;
      bool off = HasWord(c, "--no-install-recommends") ||
                 std::any_of(c.begin(), c.end(), [](const std::string& w) {
                   return w.find("Install-Recommends=false") != std::string::npos ||
                          w.find("Install-Recommends=0") != std::string::npos;
                 });
      if (!off) {
        Report(inst, "AptNoInstallRecommends", c[0] + " install without --no-install-recommends");
        return;
      }
    }
  }

  void CacheNotCleaned(const Instruction& inst, const std::vector<Command>& cmds, bool pip_no_cache_env) {
    std::set<std::string> reported;
    auto report = [&](const std::string& what, const std::string& message) {
      if (reported.insert(what).second) Report(inst, "PackageCacheNotCleaned", message);
    };
    for (const Command& c : cmds) {
      std::vector<std::string> ops = Operands(c);
      std::string sub = ops.empty() ? "" : ops[0];
      if ((IsProgram(c, "apt-get") || IsProgram(c, "apt")) && (sub == "update" || sub == "install") &&
          !RemovesPath(cmds, "/var/lib/apt/lists")) {
        report("apt", c[0] + " " + sub + " leaves /var/lib/apt/lists in the layer: rm -rf /var/lib/apt/lists/* in the same RUN");
      }
      if (IsProgram(c, "apk") && sub == "add" && !HasWord(c, "--no-cache") && !RemovesPath(cmds, "/var/cache/apk")) {
        report("apk", "apk add without --no-cache leaves /var/cache/apk in the layer");
      }
      for (std::string_view p : {"yum", "dnf", "microdnf"}) {
        if (IsProgram(c, p) && sub == "install" && !RunsWith(cmds, {"yum", "dnf", "microdnf"}, {"clean", "all"}) &&
            !RemovesPath(cmds, "/var/cache/yum") && !RemovesPath(cmds, "/var/cache/dnf")) {
          report("rpm", std::string(p) + " install without '" + std::string(p) + " clean all' in the same RUN");
        }
      }
      if (IsProgram(c, "zypper") && (sub == "install" || sub == "in") && !RunsWith(cmds, {"zypper"}, {"clean"}) &&
          !RunsWith(cmds, {"zypper"}, {"cc"}) && !RemovesPath(cmds, "/var/cache/zypp")) {
        report("zypper", "zypper install without 'zypper clean' in the same RUN");
      }
      if (PipCommand(c) && PipSub(c) == "install" && !HasWord(c, "--no-cache-dir") && !pip_no_cache_env &&
          !RunsWith(cmds, {"pip", "pip3"}, {"cache", "purge"}) && !RemovesPath(cmds, "/root/.cache")) {
        report("pip", "pip install without --no-cache-dir keeps its download cache in the layer");
      }
      if (IsProgram(c, "npm") && (sub == "install" || sub == "ci" || sub == "i") &&
          !RunsWith(cmds, {"npm"}, {"cache", "clean"}) && !RemovesPath(cmds, "/root/.npm")) {
        report("npm", "npm " + sub + " without 'npm cache clean --force' keeps its cache in the layer");
      }
    }
  }

  void CopyContextBeforeDependencies() {
    for (const Stage& stage : file_.stages) {
      const Instruction* whole = nullptr;
      for (const Instruction& inst : stage.instructions) {
        if (!whole && CopiesWholeContext(inst)) whole = &inst;
        if (!whole || inst.keyword != "RUN") continue;
        std::string install = FirstInstall(inst);
        if (install.empty()) continue;
        Report(*whole, "CopyContextBeforeDependencies",
               whole->keyword + " of the whole context before '" + install + "' (line " + std::to_string(inst.line) +
                   "): any change to any file re-runs it");
        break;
      }
    }
  }
  static std::string FirstInstall(const Instruction& inst) {
    for (const Command& c : SimpleCommands(RunScript(inst))) {
      std::string install = InstallCommand(c);
      if (!install.empty()) return install;
    }
    return "";
  }

  void NoContainerignore() {
    if (!in_.input.context || in_.input.context->unexcluded_bulk.empty()) return;
    const ContextFacts& facts = *in_.input.context;
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (!FromContext(inst)) continue;
        auto srcs = Sources(inst);
        bool sends = std::any_of(srcs.begin(), srcs.end(), [&](const std::string& s) {
          std::string clean = s;
          while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
          if (StartsWith(clean, "./")) clean = clean.substr(2);
          return IsWholeContext(s) || std::find(facts.unexcluded_bulk.begin(), facts.unexcluded_bulk.end(), clean) !=
                                          facts.unexcluded_bulk.end();
        });
        if (!sends) continue;
        std::string names;
        for (const std::string& n : facts.unexcluded_bulk) names += (names.empty() ? "" : ", ") + n;
        Report(inst, "NoContainerignore",
               inst.keyword + " sends " + names + " from the context: " +
                   (facts.has_ignore_file ? "the ignore file does not exclude them" : "add a .containerignore"));
        return;
      }
    }
  }

  void AddInsteadOfCopy() {
    static const std::vector<std::string_view> kArchives = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz",
                                                            ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz4"};
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword != "ADD" || !inst.heredocs.empty() || !inst.flags.empty()) continue;
        auto srcs = Sources(inst);
        if (srcs.empty()) continue;
        bool plain = std::all_of(srcs.begin(), srcs.end(), [&](const std::string& s) {
          std::string l = Lower(s);
          if (s.find('$') != std::string::npos || l.find("://") != std::string::npos || StartsWith(l, "git@")) return false;
          return std::none_of(kArchives.begin(), kArchives.end(), [&](std::string_view ext) { return EndsWith(l, ext); });
        });
        if (plain) Report(inst, "AddInsteadOfCopy", "ADD of local files: COPY does the same");
      }
    }
  }

  // ---- Base images and stages ----------------------------------------------------------------

  void ResolveGlobalArgs() {
    for (const Instruction& arg : file_.global_args) {
      for (size_t i = 0; i + 1 < arg.args.size(); i += 2) {
        const std::string& name = arg.args[i];
        global_arg_names_.insert(name);
        std::optional<std::string> value;
        for (const auto& [k, v] : in_.input.build_args) {
          if (k == name) value = v;
        }
        if (!value && arg.arg_has_default[i / 2]) {
          Expected<std::string> v = build::ExpandWord(arg.args[i + 1], GlobalLookup(), file_.escape);
          if (v.ok()) value = *v;
        }
        if (value) global_values_[name] = *value;
      }
    }
  }
  build::VarLookup GlobalLookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = global_values_.find(std::string(name));
      if (it == global_values_.end()) return std::nullopt;
      return it->second;
    };
  }
  // FROM's image with the global ARGs expanded; nullopt when a variable has no value.
  std::optional<std::string> ExpandedBase(const Stage& stage) const {
    for (const std::string& v : build::ReferencedVars(stage.base, file_.escape)) {
      if (!global_values_.count(v)) return std::nullopt;
    }
    Expected<std::string> base = build::ExpandWord(stage.base, GlobalLookup(), file_.escape);
    if (!base.ok()) return std::nullopt;
    return *base;
  }
  // The earlier stage a stage builds on, or nullptr.
  const Stage* ParentStage(const Stage& stage) const {
    std::optional<std::string> base = ExpandedBase(stage);
    if (!base) return nullptr;
    std::string name = Lower(*base);
    for (const Stage& s : file_.stages) {
      if (s.index >= stage.index) break;
      if (!s.name.empty() && s.name == name) return &s;
    }
    return nullptr;
  }

  void BaseImageNotPinned() {
    for (const Stage& stage : file_.stages) {
      std::optional<std::string> base = ExpandedBase(stage);
      if (!base || ParentStage(stage) || Lower(*base) == "scratch" || StartsWith(*base, "localhost/")) continue;
      if (base->find('@') != std::string::npos) continue;
      std::string_view last = *base;
      if (size_t slash = last.rfind('/'); slash != std::string_view::npos) last.remove_prefix(slash + 1);
      size_t colon = last.find(':');
      int column = ColumnOf(stage.from, stage.base);
      if (colon == std::string_view::npos) {
        Report(stage.from, "BaseImageNotPinned", "base image " + *base + " has no tag: it means " + *base + ":latest", column);
      } else if (last.substr(colon + 1) == "latest") {
        Report(stage.from, "BaseImageNotPinned", "base image " + *base + " uses the moving tag latest", column);
      }
    }
  }

  void RunsAsRoot() {
    if (file_.stages.empty()) return;
    const Stage* stage = &file_.stages.back();
    const Stage* final_stage = stage;
    while (stage) {
      for (auto it = stage->instructions.rbegin(); it != stage->instructions.rend(); ++it) {
        if (it->keyword != "USER" || it->args.empty()) continue;
        std::string user = it->args[0].substr(0, it->args[0].find(':'));
        if (user == "root" || user == "0") Report(*it, "RunsAsRoot", "USER " + it->args[0] + ": the image runs as root");
        return;
      }
      stage = ParentStage(*stage);
    }
    Report(final_stage->from, "RunsAsRoot", "the final stage sets no USER: the image runs as root");
  }

  static bool LooksSecret(const std::string& name) {
    static const std::set<std::string> kSecret = {"apikey", "auth", "credential", "credentials", "key",
                                                  "password", "pword", "passwd", "secret", "token"};
    bool secret = false;
    size_t start = 0;
    std::string lower = Lower(name);
    while (start <= lower.size()) {
      size_t end = lower.find('_', start);
      std::string part = lower.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (part == "public") return false;
      secret = secret || kSecret.count(part) > 0;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return secret;
  }
  void SecretsIn(const Instruction& inst) {
    if (inst.keyword != "ARG" && inst.keyword != "ENV") return;
    for (size_t i = 0; i < inst.args.size(); i += 2) {
      if (LooksSecret(inst.args[i])) {
        Report(inst, "SecretsUsedInArgOrEnv",
               inst.keyword + " \"" + inst.args[i] + "\" looks like a secret: ARG and ENV values are stored in the image",
               ColumnOf(inst, inst.args[i]));
      }
    }
  }
  void SecretsUsedInArgOrEnv() {
    for (const Instruction& inst : file_.global_args) SecretsIn(inst);
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) SecretsIn(inst);
    }
  }

  void WorkdirRelativePath() {
    std::map<int, bool> absolute_set;  // stage index -> has an absolute WORKDIR
    for (const Stage& stage : file_.stages) {
      const Stage* parent = ParentStage(stage);
      bool absolute = parent && absolute_set[parent->index];
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword != "WORKDIR" || inst.args.empty()) continue;
        const std::string& dir = inst.args[0];
        if (!dir.empty() && (dir[0] == '/' || dir[0] == '$')) {
          absolute = true;
        } else if (!absolute) {
          Report(inst, "WorkdirRelativePath",
                 "relative WORKDIR \"" + dir + "\" depends on the base image's working directory", ColumnOf(inst, dir));
        }
      }
      absolute_set[stage.index] = absolute;
    }
  }

  void CdInRun() {
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword != "RUN") continue;
        for (const Command& c : SimpleCommands(RunScript(inst))) {
          if (IsProgram(c, "cd")) {
            Report(inst, "CdInRun", "cd " + (c.size() > 1 ? c[1] : std::string()) + " in RUN: use WORKDIR");
            break;
          }
        }
      }
    }
  }

  void JSONArgsRecommended() {
    for (const Stage& stage : file_.stages) {
      bool shell_changed = false;
      for (const Instruction& inst : stage.instructions) {
        shell_changed |= inst.keyword == "SHELL";
        if ((inst.keyword == "CMD" || inst.keyword == "ENTRYPOINT") && !inst.json && !shell_changed) {
          Report(inst, "JSONArgsRecommended",
                 "JSON arguments recommended for " + inst.keyword + " to prevent unintended behavior related to OS signals");
        }
      }
    }
  }

  static std::optional<long> PortNumber(std::string_view s) {
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    long n = std::stol(std::string(s));
    if (n < 1 || n > 65535) return std::nullopt;
    return n;
  }
  void ExposeInvalidPort() {
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword != "EXPOSE") continue;
        for (const std::string& spec : inst.args) {
          if (spec.find('$') != std::string::npos) continue;
          std::string_view port = spec, proto;
          if (size_t slash = port.find('/'); slash != std::string_view::npos) {
            proto = port.substr(slash + 1);
            port = port.substr(0, slash);
          }
          std::string why;
          std::string lp = Lower(proto);
          if (!proto.empty() && lp != "tcp" && lp != "udp" && lp != "sctp") why = "unknown protocol " + std::string(proto);
          size_t dash = port.find('-');
          auto lo = PortNumber(port.substr(0, dash));
          auto hi = dash == std::string_view::npos ? lo : PortNumber(port.substr(dash + 1));
          if (!lo || !hi || *hi < *lo) why = "not a port from 1 to 65535";
          if (!why.empty()) Report(inst, "ExposeInvalidPort", "EXPOSE " + spec + ": " + why, ColumnOf(inst, spec));
        }
      }
    }
  }

  // ---- BuildKit's checks ----------------------------------------------------------------------

  void StageNames() {
    std::map<std::string, int> seen;
    for (const Stage& stage : file_.stages) {
      if (stage.from.args.size() != 3) continue;
      const std::string& written = stage.from.args[2];
      int column = ColumnOf(stage.from, " " + written) + 1;
      if (written != Lower(written)) {
        Report(stage.from, "StageNameCasing", "Stage name '" + written + "' should be lowercase", column);
      }
      if (stage.name == "scratch" || stage.name == "context") {
        Report(stage.from, "ReservedStageName",
               "Stage name should not use the same name as reserved stage '" + stage.name + "'", column);
      }
      auto [it, fresh] = seen.emplace(stage.name, stage.from.line);
      if (!fresh) {
        Report(stage.from, "DuplicateStageName",
               "Duplicate stage name '" + stage.name + "' (first at line " + std::to_string(it->second) +
                   "), stage names should be unique",
               column);
      }
    }
  }

  void FromAsCasing() {
    for (const Stage& stage : file_.stages) {
      if (stage.from.args.size() != 3) continue;
      std::string from = WrittenKeyword(stage.from);
      const std::string& as = stage.from.args[1];
      bool bad = (from == Upper(from) && as != "AS") || (from == Lower(from) && as != "as");
      if (bad) {
        Report(stage.from, "FromAsCasing", "'" + as + "' and '" + from + "' keywords' casing do not match",
               ColumnOf(stage.from, " " + as + " ") + 1);
      }
    }
  }

  std::vector<const Instruction*> AllInstructions() const {
    std::vector<const Instruction*> all;
    for (const Instruction& a : file_.global_args) all.push_back(&a);
    for (const Stage& s : file_.stages) {
      all.push_back(&s.from);
      for (const Instruction& i : s.instructions) all.push_back(&i);
    }
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->line < b->line; });
    return all;
  }

  static bool IsBlankOrComment(std::string_view l, bool* comment) {
    size_t c = l.find_first_not_of(" \t\r");
    *comment = c != std::string_view::npos && l[c] == '#';
    return c == std::string_view::npos;
  }
  void NoEmptyContinuation() {
    std::vector<const Instruction*> all = AllInstructions();
    const char esc = file_.escape;
    for (size_t k = 0; k < all.size(); ++k) {
      const Instruction& inst = *all[k];
      if (!inst.heredocs.empty()) continue;  // a heredoc's body is text, not continuation lines
      int end = k + 1 < all.size() ? all[k + 1]->line : static_cast<int>(in_.lines.size()) + 1;
      bool continued = false, empty = false;
      for (int n = inst.line; n < end; ++n) {
        std::string_view l = Line(n);
        bool comment = false;
        if (n > inst.line && IsBlankOrComment(l, &comment)) {
          if (!comment && continued) empty = true;
          continue;
        }
        while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
        continued = !l.empty() && l.back() == esc && !(l.size() >= 2 && l[l.size() - 2] == esc);
        if (!continued) break;
      }
      if (empty) Report(inst, "NoEmptyContinuation", "Empty continuation line found in: " + inst.keyword + " ...");
    }
  }

  void ConsistentInstructionCasing() {
    int upper = 0, lower = 0;
    std::vector<const Instruction*> all = AllInstructions();
    for (const Instruction* i : all) {
      std::string kw = WrittenKeyword(*i);
      upper += kw == Upper(kw);
      lower += kw == Lower(kw);
    }
    bool majority_upper = upper >= lower;
    for (const Instruction* i : all) {
      std::string kw = WrittenKeyword(*i);
      if (kw == (majority_upper ? Upper(kw) : Lower(kw))) continue;
      Report(*i, "ConsistentInstructionCasing",
             "Command '" + kw + "' should match the case of the command majority (" +
                 (majority_upper ? "uppercase" : "lowercase") + ")");
    }
  }

  void MaintainerDeprecated() {
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword == "MAINTAINER") {
          Report(inst, "MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label");
        }
      }
    }
  }

  static const std::set<std::string>& PlatformArgs() {
    static const std::set<std::string> names = {"TARGETPLATFORM", "TARGETOS",      "TARGETARCH",   "TARGETVARIANT",
                                                "BUILDPLATFORM",  "BUILDOS",       "BUILDARCH",    "BUILDVARIANT"};
    return names;
  }
  static const std::set<std::string>& ProxyArgs() {
    static const std::set<std::string> names = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                                "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                                "ALL_PROXY",  "all_proxy"};
    return names;
  }

  void UndefinedArgInFrom() {
    for (const Stage& stage : file_.stages) {
      std::set<std::string> reported;
      for (const std::string& word : {stage.base, stage.platform}) {
        for (const std::string& v : build::ReferencedVars(word, file_.escape)) {
          if (global_arg_names_.count(v) || PlatformArgs().count(v) || !reported.insert(v).second) continue;
          Report(stage.from, "UndefinedArgInFrom", "FROM argument '" + v + "' is not declared", VarColumn(stage.from, v));
        }
      }
    }
  }

  // The words of an instruction that the builder expands.
  static std::vector<std::string> ExpandedWords(const Instruction& inst) {
    static const std::set<std::string> kExpands = {"ENV",  "LABEL",   "ARG",    "COPY",      "ADD",
                                                   "USER", "WORKDIR", "EXPOSE", "VOLUME",    "STOPSIGNAL"};
    std::vector<std::string> words;
    if (!kExpands.count(inst.keyword)) return words;
    for (const build::Flag& f : inst.flags) words.push_back(f.value);
    if (inst.keyword == "ENV" || inst.keyword == "LABEL" || inst.keyword == "ARG") {
      for (size_t i = 1; i < inst.args.size(); i += 2) words.push_back(inst.args[i]);
    } else {
      words.insert(words.end(), inst.args.begin(), inst.args.end());
    }
    return words;
  }

  struct Scope {
    std::set<std::string> names;
    bool complete = true;  // false when the base image's environment is unknown
  };
  Scope StageScope(const Stage& stage, const std::map<int, Scope>& done) const {
    if (const Stage* parent = ParentStage(stage)) return done.at(parent->index);
    Scope scope;
    std::optional<std::string> base = ExpandedBase(stage);
    if (base && Lower(*base) == "scratch") return scope;
    std::optional<std::vector<std::string>> env;
    if (base && in_.input.base_env) env = in_.input.base_env(*base);
    if (!env) {
      scope.complete = false;
      return scope;
    }
    for (const std::string& kv : *env) scope.names.insert(kv.substr(0, kv.find('=')));
    return scope;
  }

  void UndefinedVar() {
    std::map<int, Scope> done;
    for (const Stage& stage : file_.stages) {
      Scope scope = StageScope(stage, done);
      for (const Instruction& inst : stage.instructions) {
        std::set<std::string> reported;
        for (const std::string& word : ExpandedWords(inst)) {
          for (const std::string& v : build::ReferencedVars(word, file_.escape)) {
            if (scope.names.count(v) || ProxyArgs().count(v) || !reported.insert(v).second) continue;
            // With the base image's environment unknown, only a global ARG that the stage
            // did not re-declare is certainly undefined (the classic mistake).
            if (!scope.complete && !global_arg_names_.count(v)) continue;
            Report(inst, "UndefinedVar", "Usage of undefined variable '$" + v + "'" + Hint(v), VarColumn(inst, v));
          }
        }
        if (inst.keyword == "ENV" || inst.keyword == "ARG") {
          for (size_t i = 0; i < inst.args.size(); i += 2) scope.names.insert(inst.args[i]);
        }
      }
      done[stage.index] = scope;
    }
  }
  std::string Hint(const std::string& v) const {
    if (global_arg_names_.count(v)) return " (the ARG before FROM must be declared again in the stage)";
    return "";
  }

  void MultipleInstructionsDisallowed() {
    for (const Stage& stage : file_.stages) {
      for (std::string_view kw : {"CMD", "ENTRYPOINT", "HEALTHCHECK"}) {
        std::vector<const Instruction*> seen;
        for (const Instruction& inst : stage.instructions) {
          if (inst.keyword == kw) seen.push_back(&inst);
        }
        for (size_t i = 0; i + 1 < seen.size(); ++i) {
          Report(*seen[i], "MultipleInstructionsDisallowed",
                 "Multiple " + std::string(kw) +
                     " instructions should not be used in the same stage because only the last one will be used");
        }
      }
    }
  }

  void LegacyKeyValueFormat() {
    for (const Stage& stage : file_.stages) {
      for (const Instruction& inst : stage.instructions) {
        if (inst.keyword != "ENV" && inst.keyword != "LABEL") continue;
        std::string_view rest = inst.rest;
        std::string_view first = rest.substr(0, rest.find_first_of(" \t"));
        if (first.find('=') != std::string_view::npos) continue;
        Report(inst, "LegacyKeyValueFormat",
               "\"" + inst.keyword + " key=value\" should be used instead of legacy \"" + inst.keyword +
                   " key value\" format");
      }
    }
  }

  const CheckInput& in_;
  const Containerfile& file_;
  std::set<std::string> global_arg_names_;
  std::map<std::string, std::string> global_values_;
  std::vector<RawFinding> out_;
};

}  // namespace

std::vector<RawFinding> RunChecks(const CheckInput& in) { return Checker(in).Run(); }

}  // namespace kiln::lint
