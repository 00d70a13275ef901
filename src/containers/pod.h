// Pods (podman's): containers that share namespaces (uts, ipc and net, podman's default),
// held by an infra container that runs catatonit from the pause image (pause_image.h).
// The infra container is made with the pod and starts first; a member joins its
// namespaces when it starts (SpecFor). Rows are store/pods.h; a container names its pod.
//
//   ASSIGN_OR_RETURN(store::PodRecord p, containers::CreatePod(store, {.name = "web"}, warn));
//   containers::CreateOptions o{...}; o.pod = p.id;  containers::Create(store, o, warn);
//   containers::StartPod(store, p);  containers::RemovePod(store, p, /*force=*/true, 10, warn);
#pragma once

#include <string>
#include <vector>

#include "containers/containers.h"
#include "store/pods.h"

namespace kiln::containers {

struct PodCreateOptions {
  std::string name;                 // "" = a generated one
  bool infra = true;                // --infra
  std::vector<std::string> labels;  // --label KEY[=VALUE]
  std::string hostname;             // --hostname, default the pod's name
  std::string network;              // --network of the infra (kiln's default: host)
  std::vector<std::string> create_command;  // kiln's argv, for inspect's CreateCommand
  // The infra container's isolation, as for `create`.
  IsolationRequest isolation;
};

// Makes the pod's row and, with infra, the pause image (when missing) and the infra
// container, named "<first 12 of the pod ID>-infra".
Expected<store::PodRecord> CreatePod(store::Store& store, const PodCreateOptions& options, const WarnFn& warn);

// The pod's containers, infra first, each reconciled with its process.
Expected<std::vector<store::ContainerRecord>> PodContainers(store::Store& store, const std::string& pod_id);
// podman's pod state from its containers': Created, Running, Degraded (some running),
// Exited (all ended), Stopped (some ended, none running).
std::string PodStatus(const std::vector<store::ContainerRecord>& containers);

// Starts the infra container, then the others that do not run.
Status StartPod(store::Store& store, const store::PodRecord& pod);
// Stops the members, then the infra container.
Status StopPod(store::Store& store, const store::PodRecord& pod, int timeout, const WarnFn& warn);
// Removes every container of the pod (running ones are stopped), then the pod. Without
// force a running container other than the infra is refused, as for `rm`.
Status RemovePod(store::Store& store, const store::PodRecord& pod, bool force, int timeout, const WarnFn& warn);
// pod prune, system prune: removes every pod none of whose containers runs; their IDs.
Expected<std::vector<std::string>> PrunePods(store::Store& store, const WarnFn& warn);
// rmi -f of an image that infra containers run: their pods go, with all their containers.
Status RemovePodsOfInfraImage(store::Store& store, const std::string& image_id, const WarnFn& warn);

// pod ps --filter: name= (a regexp), id= (a prefix), label=KEY[=VALUE], status=; one key's
// values OR together, different keys AND.
Expected<std::vector<store::PodRecord>> FilterPods(store::Store& store, std::vector<store::PodRecord> pods,
                                                   const std::vector<std::string>& filters);

}  // namespace kiln::containers
