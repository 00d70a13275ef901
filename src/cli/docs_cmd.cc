// completion bash|zsh|fish and __generate-man DIR: both read the command tree that --help
// reads (every group registered), so commands, flags and their texts cannot drift apart.
#include <cstdio>
#include <functional>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

// Every visible command below `app` with its words ("image diff"), depth first.
void Walk(CLI::App& app, const std::string& path, const std::function<void(CLI::App&, const std::string&)>& fn) {
  fn(app, path);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name().rfind("__", 0) == 0 || sub->get_description().empty()) continue;
    Walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), fn);
  }
}

std::vector<CLI::App*> Subcommands(CLI::App& app) {
  std::vector<CLI::App*> out;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (sub->get_name().rfind("__", 0) != 0 && !sub->get_description().empty()) out.push_back(sub);
  return out;
}

bool TakesValue(const CLI::Option* opt) { return opt->get_type_size() > 0 && opt->get_items_expected_max() > 0; }

// The options a command takes itself, then its parents' (the global flags last).
std::vector<const CLI::Option*> Options(CLI::App& app, bool inherited) {
  std::vector<const CLI::Option*> out;
  for (CLI::App* a = &app; a != nullptr; a = inherited ? a->get_parent() : nullptr)
    for (const CLI::Option* opt : a->get_options())
      if (!opt->get_positional()) out.push_back(opt);
  return out;
}

std::string Join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::vector<std::string> FlagWords(const CLI::Option* opt) {
  std::vector<std::string> out;
  for (const auto& s : opt->get_snames()) out.push_back("-" + s);
  for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
  return out;
}

// ---- Man pages --------------------------------------------------------------------------

std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string PageName(const std::string& path) {
  std::string name = "kiln";
  for (char c : path) name += c == ' ' ? '-' : c;
  return path.empty() ? name : name.insert(4, "-");
}

std::string ManPage(CLI::App& app, const std::string& path) {
  std::string name = PageName(path), words = path.empty() ? "kiln" : "kiln " + path;
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out = ".TH \"" + upper + "\" \"1\" \"\" \"kiln\" \"kiln Manual\"\n";
  out += ".SH NAME\n" + Roff(name) + " \\- " + Roff(app.get_description()) + "\n";
  std::string positionals;
  for (const CLI::Option* opt : app.get_options())
    if (opt->get_positional()) positionals += " " + (opt->get_description().empty() ? opt->get_name() : opt->get_description());
  out += ".SH SYNOPSIS\n\\fB" + Roff(words) + "\\fR [\\fIoptions\\fR]" + (Subcommands(app).empty() ? "" : " \\fICOMMAND\\fR") +
         Roff(positionals) + "\n";
  out += ".SH DESCRIPTION\n" + Roff(app.get_description()) + "\n";
  std::vector<const CLI::Option*> own = Options(app, false);
  if (!own.empty()) {
    out += ".SH OPTIONS\n";
    for (const CLI::Option* opt : own) {
      out += ".TP\n\\fB" + Roff(Join(FlagWords(opt), ", ")) + "\\fR" + (TakesValue(opt) ? "=\\fIvalue\\fR" : "") + "\n";
      out += Roff(opt->get_description().empty() ? "(no description)" : opt->get_description()) + "\n";
    }
  }
  std::vector<CLI::App*> subs = Subcommands(app);
  if (!subs.empty()) {
    out += ".SH COMMANDS\n";
    for (CLI::App* sub : subs) {
      std::string sub_path = path.empty() ? sub->get_name() : path + " " + sub->get_name();
      out += ".TP\n\\fB" + Roff(PageName(sub_path)) + "\\fR(1)\n" + Roff(sub->get_description()) + "\n";
    }
  }
  out += ".SH SEE ALSO\n";
  out += path.empty() ? "\\fBpodman\\fR(1)\n" : "\\fB" + Roff(PageName(path.substr(0, path.rfind(' ') == std::string::npos ? 0 : path.rfind(' ')))) + "\\fR(1)\n";
  return out;
}

int GenerateMan(const std::string& dir) {
  if (dir.empty()) return Fail(InvalidArgument("usage: kiln __generate-man DIR"));
  Status made = MakeDirs(dir);
  if (!made.ok()) return Fail(made);
  auto tree = FullCommandTree();
  Status written = Status::Ok();
  Walk(tree->app, "", [&](CLI::App& app, const std::string& path) {
    if (written.ok()) written = WriteFileAtomic(JoinPath(dir, PageName(path) + ".1"), ManPage(app, path));
  });
  return written.ok() ? 0 : Fail(written);
}

// ---- Completion -------------------------------------------------------------------------

// Commands whose arguments are containers (the rest take images).
bool TakesContainers(const std::string& path) {
  static const std::set<std::string> kContainer = {"start", "stop", "kill", "wait", "logs", "rm", "export", "diff",
                                                   "container start", "container stop", "container kill",
                                                   "container wait", "container logs", "container rm",
                                                   "container export", "container exists", "container inspect",
                                                   "mount", "umount", "unmount", "container mount",
                                                   "container umount", "container unmount", "container diff"};
  return kContainer.count(path) > 0;
}

std::string BashCompletion() {
  auto tree = FullCommandTree();
  std::string cases, paths;
  Walk(tree->app, "", [&](CLI::App& app, const std::string& path) {
    std::vector<std::string> subs, flags, valued;
    for (CLI::App* sub : Subcommands(app)) {
      subs.push_back(sub->get_name());
      for (const auto& alias : sub->get_aliases()) subs.push_back(alias);
    }
    for (const CLI::Option* opt : Options(app, true)) {
      for (const auto& w : FlagWords(opt)) {
        flags.push_back(w);
        if (TakesValue(opt)) valued.push_back(w);
      }
    }
    if (!path.empty()) paths += (paths.empty() ? "" : "|") + std::string("\"") + path + "\"";
    cases += "    \"" + path + "\") cmds=\"" + Join(subs, " ") + "\"; flags=\"" + Join(flags, " ") + "\"; valued=\" " +
             Join(valued, " ") + " \"; kind=" + (TakesContainers(path) ? "containers" : "images") + " ;;\n";
    for (CLI::App* sub : Subcommands(app))
      for (const auto& alias : sub->get_aliases()) {
        std::string alias_path = path.empty() ? alias : path + " " + alias;
        std::string real = path.empty() ? sub->get_name() : path + " " + sub->get_name();
        paths += (paths.empty() ? "\"" : "|\"") + alias_path + "\"";
        cases += "    \"" + alias_path + "\") _kiln_data \"" + real + "\"; return ;;\n";
      }
  });
  return "# bash completion for kiln (kiln completion bash): commands, flags, image and container names.\n"
         "_kiln_data() {\n"
         "  case \"$1\" in\n" + cases +
         "  esac\n"
         "}\n"
         "_kiln_names() {\n"
         "  local args=() i\n"
         "  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do\n"
         "    case ${COMP_WORDS[i]} in --root | --runroot) args+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i + 1]}\") ;; esac\n"
         "  done\n"
         "  if [ \"$1\" = containers ]; then\n"
         "    \"${COMP_WORDS[0]}\" \"${args[@]}\" ps -a --format '{{.Names}}' 2>/dev/null\n"
         "  else\n"
         "    \"${COMP_WORDS[0]}\" \"${args[@]}\" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>'\n"
         "  fi\n"
         "}\n"
         "_kiln() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" i w cmds flags valued kind next\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    w=${COMP_WORDS[i]}\n"
         "    _kiln_data \"$path\"\n"
         "    if [[ $w == -* ]]; then\n"
         "      [[ $w != *=* && $valued == *\" $w \"* ]] && ((i++))\n"
         "      continue\n"
         "    fi\n"
         "    next=${path:+$path }$w\n"
         "    case \"$next\" in " + paths + ") path=$next ;; esac\n"
         "  done\n"
         "  _kiln_data \"$path\"\n"
         "  if [[ $cur == -* ]]; then\n"
         "    mapfile -t COMPREPLY < <(compgen -W \"$flags\" -- \"$cur\")\n"
         "  elif [ -n \"$cmds\" ]; then\n"
         "    mapfile -t COMPREPLY < <(compgen -W \"$cmds\" -- \"$cur\")\n"
         "  else\n"
         "    mapfile -t COMPREPLY < <(compgen -W \"$(_kiln_names \"$kind\")\" -- \"$cur\")\n"
         "  fi\n"
         "}\n"
         "complete -F _kiln kiln\n";
}

std::string FishQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("\\'") : std::string(1, c);
  return out + "'";
}

std::string FishCompletion(bool descriptions) {
  auto tree = FullCommandTree();
  std::string out = "# fish completion for kiln (kiln completion fish)\ncomplete -c kiln -e\n";
  Walk(tree->app, "", [&](CLI::App& app, const std::string& path) {
    std::string name = path.substr(path.rfind(' ') == std::string::npos ? 0 : path.rfind(' ') + 1);
    std::string cond = path.empty() ? "__fish_use_subcommand" : "__fish_seen_subcommand_from " + name;
    for (CLI::App* sub : Subcommands(app))
      out += "complete -c kiln -f -n " + FishQuote(cond) + " -a " + FishQuote(sub->get_name()) +
             (descriptions ? " -d " + FishQuote(sub->get_description()) : "") + "\n";
    for (const CLI::Option* opt : Options(app, false)) {
      out += "complete -c kiln -n " + FishQuote(cond);
      for (const auto& s : opt->get_snames()) out += " -s " + s;
      for (const auto& l : opt->get_lnames()) out += " -l " + l;
      out += TakesValue(opt) ? " -r" : "";
      out += (descriptions ? " -d " + FishQuote(opt->get_description()) : "") + "\n";
    }
    if (!path.empty() && Subcommands(app).empty()) {
      std::string list = TakesContainers(path) ? "(kiln ps -a --format '{{.Names}}' 2>/dev/null)"
                                               : "(kiln images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | string match -v '*<none>*')";
      out += "complete -c kiln -f -n " + FishQuote(cond) + " -a \"" + list + "\"\n";
    }
  });
  return out;
}

struct CompletionOptions {
  std::string shell, file;
  bool no_desc = false;
};

int RunCompletion(const CompletionOptions& o) {
  std::string script;
  if (o.shell == "bash") {
    script = BashCompletion();
  } else if (o.shell == "zsh") {
    // zsh reads the bash script through its bashcompinit layer.
    script = "#compdef kiln\n# zsh completion for kiln (kiln completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n" +
             BashCompletion();
  } else if (o.shell == "fish") {
    script = FishCompletion(!o.no_desc);  // bash and zsh scripts carry no descriptions
  } else {
    return Fail(InvalidArgument(o.shell.empty() ? "accepts 1 arg(s), received 0"
                                                : "unsupported shell \"" + o.shell + "\": bash, zsh or fish"));
  }
  if (o.file.empty() || o.file == "-") {
    std::fputs(script.c_str(), stdout);
    return 0;
  }
  Status st = WriteFileAtomic(o.file, script);
  return st.ok() ? 0 : Fail(st);
}

}  // namespace

void RegisterDocCommands(Registry& r) {
  auto o = std::make_shared<CompletionOptions>();
  CLI::App* cmd = AddCommand(r.root, "completion", "Generate shell autocompletions");
  cmd->add_option("shell", o->shell, "bash, zsh or fish");
  cmd->add_option("-f,--file", o->file, "Output the completion to file rather than stdout");
  cmd->add_flag("--no-desc", o->no_desc, "Don't include descriptions in the completion output");
  cmd->callback([&r, o] { r.exit_code = RunCompletion(*o); });

  auto dir = std::make_shared<std::string>();
  CLI::App* man = AddCommand(r.root, "__generate-man", "");
  man->add_option("dir", *dir, "DIR");
  man->group("");  // hidden: the build runs it
  man->callback([&r, dir] { r.exit_code = GenerateMan(*dir); });
}

}  // namespace kiln::cli
