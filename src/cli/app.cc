#include "cli/app.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace kiln::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

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

}  // namespace

CLI::Option* AddRepeatable(CLI::App* cmd, const std::string& flags, std::vector<std::string>& values,
                          const std::string& description) {
  // One value per occurrence (`--change A --change B`), so that an option never swallows
  // the positional arguments after it.
  return cmd->add_option(flags, values, description)->allow_extra_args(false);
}

CLI::Option* AddBoolValue(CLI::App* cmd, const std::string& flags, bool& value, const std::string& description) {
  // Go's pflag accepts "-H=false"; CLI11 hands us "=false" for it.
  return cmd
      ->add_option_function<std::string>(
          flags,
          [&value](const std::string& raw) {
            std::string v = raw.rfind('=', 0) == 0 ? raw.substr(1) : raw;
            if (v != "true" && v != "false") throw CLI::ValidationError("invalid argument \"" + v + "\": must be true or false");
            value = v == "true";
          },
          description)
      ->default_str(value ? "true" : "false");
}

CLI::App* AddCommand(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  cmd->allow_extras(false);
  cmd->positionals_at_end(false);
  return cmd;
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
                                   "export", "ps", "ls", "list", "__monitor", "prune", "exists"}},
      {RegisterSaveLoadCommands, {"save", "load"}},
      {RegisterBuildCommands, {"build"}},
      {RegisterUnshareCommand, {"unshare"}},
      {RegisterInfoCommand, {"info"}},
  };
  return groups;
}

void AddGlobalFlags(CLI::App& app, GlobalOptions& options) {
  app.add_option("--root", options.root, "Path to the root directory in which data is stored");
  app.add_option("--runroot", options.runroot, "Path to the 'run directory' where all state information is stored");
  app.add_option("--log-level", options.log_level, "Log messages above specified level (debug, info, warn, error)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}));
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

int Main(int argc, char** argv) {
  Context ctx;
  int exit_code = 0;
  CLI::App app{"kiln: build and manage OCI container images, daemonless", "kiln"};
  app.set_version_flag("-v,--version", std::string("kiln version ") + kVersion);
  AddGlobalFlags(app, ctx.options);
  app.require_subcommand(1);

  CLI::App* image = AddCommand(app, "image", "Manage images");
  image->require_subcommand(1);
  CLI::App* system = AddCommand(app, "system", "Manage kiln");
  system->require_subcommand(1);

  Registry r{app, *image, *system, ctx, exit_code};
  RegisterCommandGroups(r, argc, argv);

  TakeLastOfRepeatedValues(app);
  try {
    app.parse(argc, argv);
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
    std::fprintf(stderr, "Error: %s\n", PodmanStyleError(e).c_str());
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
