// pod rm, network prune: kiln has no pods and no networks (containers use the host's
// network or none, see ParseNetwork), so these answer as podman does on a host that has
// none of them. Scripts written for podman (its own system tests' teardown among them)
// call them to clean up.
#include <cstdio>
#include <memory>

#include "cli/commands.h"

namespace kiln::cli {
namespace {

struct PodRmOptions {
  bool all = false, force = false, ignore = false;
  int timeout = 10;
  std::vector<std::string> names;
};

int RunPodRm(const PodRmOptions& o) {
  if (o.all && !o.names.empty()) return Fail(InvalidArgument("when using the --all switch, you may not pass any pod names or IDs"));
  if (!o.all && o.names.empty()) return Fail(InvalidArgument("you must provide at least one name or id"));
  if (o.ignore) return 0;
  int exit_code = 0;
  for (const auto& name : o.names) {
    std::fprintf(stderr, "Error: no pod with name or ID %s found: no such pod\n", name.c_str());
    exit_code = 1;
  }
  return exit_code;
}

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
  CLI::App* pod = AddCommand(r.root, "pod", "Manage pods (kiln has none)");
  pod->require_subcommand(1);
  auto po = std::make_shared<PodRmOptions>();
  CLI::App* rm = AddCommand(*pod, "rm", "Remove one or more stopped pods and containers");
  rm->add_flag("-a,--all", po->all, "Remove all running pods");
  rm->add_flag("-f,--force", po->force, "Force removal of a running pod by first stopping all containers, then removing all containers in the pod");
  rm->add_flag("-i,--ignore", po->ignore, "Ignore errors when a specified pod is missing");
  rm->add_option("-t,--time", po->timeout, "Seconds to wait for pod stop before killing the container");
  rm->add_option("pods", po->names, "POD [POD...]");
  rm->callback([&r, po] { r.exit_code = RunPodRm(*po); });

  CLI::App* network = AddCommand(r.root, "network", "Manage networks (kiln has none)");
  network->require_subcommand(1);
  auto no = std::make_shared<NetworkPruneOptions>();
  CLI::App* prune = AddCommand(*network, "prune", "Prune unused networks");
  prune->add_flag("-f,--force", no->force, "do not prompt for confirmation");
  AddRepeatable(prune, "--filter", no->filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  prune->callback([&r, no] { r.exit_code = RunNetworkPrune(no->force); });

}

}  // namespace kiln::cli
