#include "cli/app.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "cli/commands.h"

namespace kiln::cli {
namespace {

void CollectNames(CLI::App& app, std::set<std::string>& names) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.insert(sub->get_name());
    CollectNames(*sub, names);
  }
}

// Main registers a group only when one of its words is in argv, so a command missing from
// its group's words would be unreachable.
TEST(CommandGroups, WordsNameEveryCommandTheGroupAdds) {
  for (const CommandGroup& group : CommandGroups()) {
    Context ctx;
    int exit_code = 0;
    CLI::App root, image, system;
    Registry r{root, image, system, ctx, exit_code};
    group.add(r);
    std::set<std::string> names;
    for (CLI::App* app : {&root, &image, &system}) CollectNames(*app, names);
    EXPECT_FALSE(names.empty());
    for (const std::string& name : names)
      EXPECT_NE(std::find(group.words.begin(), group.words.end(), name), group.words.end())
          << "command '" << name << "' is not among its group's words";
  }
}

}  // namespace
}  // namespace kiln::cli
