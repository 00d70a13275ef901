#include "cli/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace kiln::cli {
namespace {

// CLI11's own messages, reworded the way podman (cobra) words them.
std::string PodmanStyleError(const CLI::ParseError& e) {
  std::string msg = e.what();
  for (const std::string extras : {"The following arguments were not expected: ", "The following argument was not expected: "}) {
    if (msg.rfind(extras, 0) != 0) continue;
    std::string arg = msg.substr(extras.size());
    if (auto sp = arg.find(' '); sp != std::string::npos) arg = arg.substr(0, sp);
    if (!arg.empty() && arg[0] == '-') return "unknown flag: " + arg;
    return "unexpected argument: " + arg;
  }
  return msg;
}

// "-H,--human" as pflag names it in errors: "-H, --human".
std::string PflagName(const std::string& flags) {
  std::string out = flags;
  for (size_t i = 0; (i = out.find(',', i)) != std::string::npos; i += 2) out.insert(i + 1, " ");
  return out;
}

// Go's strconv.ParseBool, which pflag uses for a boolean flag's value.
std::optional<bool> ParseGoBool(const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return std::nullopt;
}

// pflag reads "-H=false" as the value of the boolean -H; CLI11 would read "=false" as more
// short flags. Rewrites such a token to its long form ("--human=false") for the subcommand
// the arguments name, before CLI11 sees them.
void NormalizeShortBoolValues(CLI::App& app, std::vector<std::string>& args) {
  CLI::App* current = &app;
  for (std::string& a : args) {
    if (a == "--") break;
    if (a.empty() || a[0] != '-') {
      auto subs = current->get_subcommands([&a](CLI::App* sub) { return sub->check_name(a); });
      if (!subs.empty()) current = subs.front();
      continue;
    }
    if (a.size() < 3 || a[1] == '-' || a[2] != '=') continue;
    for (CLI::App* c = current; c != nullptr; c = c->get_parent()) {
      const CLI::Option* opt = c->get_option_no_throw(a.substr(0, 2));
      if (opt == nullptr) continue;
      if (opt->get_items_expected_max() == 0 && !opt->get_lnames().empty())
        a = "--" + opt->get_lnames().front() + a.substr(2);
      break;
    }
  }
}

// A command that needs a subcommand got an unknown word, or none: podman's (cobra's) text
// for stderr (a missing one after the command's help). Empty when the error is about
// something else (a required flag or argument).
std::string MissingSubcommandError(CLI::App& app) {
  CLI::App* deepest = &app;
  for (auto subs = app.get_subcommands(); !subs.empty(); subs = deepest->get_subcommands()) deepest = subs.front();
  if (deepest->get_require_subcommand_min() == 0) return "";
  std::string path;
  for (CLI::App* c = deepest; c != nullptr; c = c->get_parent()) path = c->get_name() + (path.empty() ? "" : " ") + path;
  for (const std::string& word : deepest->remaining()) {
    if (word.empty() || word[0] == '-') continue;
    return "Error: unrecognized command `" + path + " " + word + "`\nTry '" + path + " --help' for more information\n";
  }
  return deepest->help() + "Error: missing command '" + path + " COMMAND'\n";
}

}  // namespace

CLI::Option* AddRepeatable(CLI::App* cmd, const std::string& flags, std::vector<std::string>& values,
                          const std::string& description) {
  // One value per occurrence (`--change A --change B`), so that an option never swallows
  // the positional arguments after it.
  return cmd->add_option(flags, values, description)->allow_extra_args(false);
}

CLI::Option* AddBoolValue(CLI::App* cmd, const std::string& flags, bool& value, const std::string& description) {
  // A flag (it never takes the next argument, as pflag's booleans): "--layers" sets it,
  // "--layers=false" gives it a value; "-H=false" reaches us as "=false" (see NormalizeShortBoolValues).
  return cmd
      ->add_option_function<std::string>(
          flags,
          [&value, name = PflagName(flags)](const std::string& raw) {
            std::string v = raw.rfind('=', 0) == 0 ? raw.substr(1) : raw;
            auto b = ParseGoBool(v);
            if (!b)
              throw CLI::ValidationError("invalid argument \"" + v + "\" for \"" + name +
                                         "\" flag: strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
            value = *b;
          },
          description)
      ->expected(0)
      ->default_str("true");
}

CLI::App* AddCommand(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  cmd->allow_extras(false);
  cmd->positionals_at_end(false);
  return cmd;
}

CLI::App* FindCommand(CLI::App& parent, const std::string& name) {
  auto subs = parent.get_subcommands([&name](CLI::App* sub) { return sub->get_name() == name; });
  return subs.empty() ? nullptr : subs.front();
}

// Go's pflag keeps the last of a repeated single-value flag (`--name a --name b` is b);
// CLI11 would refuse it. Options that collect every value (vectors) are left as they are.
void TakeLastOfRepeatedValues(CLI::App& app) {
  for (CLI::Option* opt : app.get_options())
    if (opt->get_type_size() == 1 && opt->get_expected_max() == 1 && !opt->get_positional())
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) TakeLastOfRepeatedValues(*sub);
}

// Each command group and the argv words that select one of its commands, at any level
// (`rmi`, `image rm`, `container rm` ...). Building every command's options costs more than
// the rest of a short command's start-up, so Main registers only the groups whose words
// appear in argv; cli_test checks that these lists name every command a group registers.
const std::vector<CommandGroup>& CommandGroups() {
  static const std::vector<CommandGroup> groups = {
      {RegisterImageListCommands, {"images", "ls", "list", "exists"}},
      {RegisterTagCommands, {"tag", "untag"}},
      {RegisterRemoveCommands, {"rmi", "rm", "prune"}},
      {RegisterInspectCommands, {"inspect", "history", "tree"}},
      {RegisterSystemCommands, {"df", "prune", "reset", "migrate"}},
      {RegisterCheckCommand, {"check"}},
      {RegisterImportCommand, {"import"}},
      {RegisterRegistryCommands, {"pull", "push", "login", "logout", "search"}},
      {RegisterContainerCommands, {"container", "run", "create", "start", "stop", "kill", "wait", "logs", "rm",
                                   "export", "ps", "ls", "list", "__monitor", "prune", "exists", "commit", "exec", "inspect"}},
      {RegisterSaveLoadCommands, {"save", "load"}},
      {RegisterBuildCommands, {"build", "buildx"}},
      {RegisterManifestCommands, {"manifest", "create", "add", "annotate", "remove", "inspect", "exists", "rm", "push"}},
      {RegisterUnshareCommand, {"unshare"}},
      {RegisterInfoCommand, {"info", "version"}},
      {RegisterPodNetworkCommands, {"pod", "network", "rm", "prune", "create", "ps", "ls", "list", "inspect", "exists",
                                    "start", "stop"}},
      {RegisterVolumeCommands, {"volume", "create", "ls", "list", "inspect", "rm", "remove", "prune", "exists"}},
      {RegisterImageMountCommands, {"mount", "umount", "unmount"}},
      {RegisterLintCommand, {"lint"}},
      {RegisterDiffCommands, {"diff"}},
      {RegisterAnalyzeCommand, {"analyze"}},
      {RegisterDocCommands, {"completion", "__generate-man"}},
      {RegisterSecurityCommands, {"sbom", "scan"}},
  };
  return groups;
}

void AddGlobalFlags(CLI::App& app, GlobalOptions& o) {
  app.add_option("--root", o.root, "Path to the root directory in which data, including images, is stored");
  app.add_option("--runroot", o.runroot, "Path to the 'run directory' where all state information is stored");
  app.add_option("--log-level", o.log_level, "Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}));
  app.add_option("--runtime", o.runtime, "Path to the OCI-compatible binary used to run containers (default for build and run --runtime)");
  AddRepeatable(&app, "--runtime-flag", o.runtime_flags, "add global flags for the container runtime");
  // Accepted for scripts written for podman; kiln has one store layout, no events, no
  // network plugins, no conmon and no hooks (docs/compat.md).
  app.add_option("--storage-driver", o.storage_driver, "Storage driver: overlay (kernel or --storage-opt overlay.mount_program) or vfs (copying)");
  AddRepeatable(&app, "--storage-opt", o.storage_opts, "Storage driver option: overlay.mount_program=PATH (others ignored)");
  app.add_option("--cgroup-manager", o.cgroup_manager, "Ignored: kiln creates no cgroups (containers stay in the caller's)");
  app.add_option("--events-backend", o.events_backend, "Ignored: kiln records no events");
  app.add_option("--tmpdir", o.tmpdir, "Ignored: kiln keeps its state under --runroot");
  app.add_option("--network-cmd-path", o.network_cmd_path, "Ignored: kiln uses no network plugin");
  app.add_option("--network-config-dir", o.network_config_dir, "Ignored: kiln has no networks to configure");
  app.add_option("--conmon", o.conmon, "Ignored: kiln monitors containers itself");
  AddRepeatable(&app, "--hooks-dir", o.hooks_dirs, "Ignored: kiln runs no OCI hooks");
  app.add_option("--volumepath", o.volumepath, "Ignored");
  AddBoolValue(&app, "--syslog", o.syslog, "Ignored: kiln logs to stderr");
  // Takes effect at once: the command runs within parse().
  app.add_option_function<std::string>(
         "--noout",
         [&o](const std::string& v) {
           o.noout = ParseGoBool(v).value_or(true);
           if (!o.noout) return;
           std::fflush(stdout);
           int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
           if (fd >= 0) ::dup2(fd, STDOUT_FILENO), ::close(fd);
         },
         "do not output to stdout")
      ->expected(0)
      ->trigger_on_parse();
}

// Registers the groups that argv can select. Help, and a command line that names no
// command (usage, errors), get every group: they list them all.
void RegisterCommandGroups(Registry& r, int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto has = [&](std::string_view w) { return std::find(args.begin(), args.end(), w) != args.end(); };
  bool help = has("-h") || has("--help") || has("--help-all");
  bool version = has("-v") || has("--version");
  std::vector<const CommandGroup*> chosen;
  for (const CommandGroup& g : CommandGroups())
    if (help || std::any_of(g.words.begin(), g.words.end(), has)) chosen.push_back(&g);
  if (chosen.empty() && !version)
    for (const CommandGroup& g : CommandGroups()) chosen.push_back(&g);
  for (const CommandGroup* g : chosen) g->add(r);
}

// The root command, its image and system groups and the global flags; add_groups registers
// the command groups on the result.
static void SetUpApp(CLI::App& app, Context& ctx, int& exit_code, std::unique_ptr<Registry>& r,
              const std::function<void(Registry&)>& add_groups) {
  app.set_version_flag("-v,--version", std::string("kiln version ") + kVersion);
  AddGlobalFlags(app, ctx.options);
  app.require_subcommand(1);
  CLI::App* image = AddCommand(app, "image", "Manage images");
  image->require_subcommand(1);
  CLI::App* system = AddCommand(app, "system", "Manage kiln");
  system->require_subcommand(1);
  r = std::make_unique<Registry>(Registry{app, *image, *system, ctx, exit_code});
  add_groups(*r);
  TakeLastOfRepeatedValues(app);
}

std::unique_ptr<CommandTree> FullCommandTree() {
  auto tree = std::make_unique<CommandTree>();
  SetUpApp(tree->app, tree->ctx, tree->exit_code, tree->registry, [](Registry& r) {
    for (const CommandGroup& g : CommandGroups()) g.add(r);
  });
  return tree;
}

int Main(int argc, char** argv, bool outside_unshare) {
  Context ctx;
  ctx.outside_unshare = outside_unshare;
  int exit_code = 0;
  CLI::App app{kAppDescription, "kiln"};
  std::unique_ptr<Registry> r;
  SetUpApp(app, ctx, exit_code, r, [&](Registry& reg) { RegisterCommandGroups(reg, argc, argv); });
  std::vector<std::string> args(argv + 1, argv + argc);
  NormalizeShortBoolValues(app, args);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    std::printf("kiln version %s\n", kVersion);
    return 0;
  } catch (const CLI::RequiredError& e) {
    if (argc <= 1) {
      std::fputs(app.help().c_str(), stderr);
      std::fputs("Error: missing command 'kiln COMMAND'\n", stderr);
      return 125;
    }
    std::string missing = MissingSubcommandError(app);
    if (missing.empty()) missing = "Error: " + PodmanStyleError(e) + "\n";
    std::fputs(missing.c_str(), stderr);
    return 125;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "Error: %s\n", PodmanStyleError(e).c_str());
    return 125;
  } catch (const std::exception& e) {
    // Engine code returns errors as values; this only catches library throws (bad_alloc,
    // a JSON type error on hostile input) so they end as an error, never as an abort.
    std::fprintf(stderr, "Error: internal error: %s\n", e.what());
    return 125;
  }
  return exit_code;
}

}  // namespace kiln::cli
