// network prune (and the pod commands, pod_cmd.cc): kiln has no networks (containers use the
// host's network or none, see ParseNetwork), so this answers as podman does on a host that
// has none. Scripts written for podman (its own system tests' teardown among them) call it
// to clean up.
#include <cstdio>
#include <memory>

#include "cli/commands.h"

namespace kiln::cli {
namespace {

struct NetworkPruneOptions {
  bool force = false;
  std::vector<std::string> filters;  // nothing to match them against
};

int RunNetworkPrune(bool force) {
  if (!force) {
    auto yes = Confirm("WARNING! This will remove all networks not used by at least one container.\n");
    if (!yes.ok()) return Fail(yes.status());
  }
  return 0;  // nothing to prune: kiln creates no networks
}

}  // namespace

void RegisterPodNetworkCommands(Registry& r) {
  AddPodCommands(r);

  CLI::App* network = AddCommand(r.root, "network", "Manage networks (kiln has none)");
  network->require_subcommand(1);
  auto no = std::make_shared<NetworkPruneOptions>();
  CLI::App* prune = AddCommand(*network, "prune", "Prune unused networks");
  prune->add_flag("-f,--force", no->force, "do not prompt for confirmation");
  AddRepeatable(prune, "--filter", no->filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  prune->callback([&r, no] { r.exit_code = RunNetworkPrune(no->force); });
}

}  // namespace kiln::cli
