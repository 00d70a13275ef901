// Pods' rows in the metadata database (podman's pods): a name, the infra container that
// holds the namespaces its containers share, and what `pod create` was asked. A container
// names its pod in its own row (ContainerRecord::pod_id).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace kiln::store {

struct PodRecord {
  std::string id;  // 64 hex
  std::string name;
  int64_t created = 0;   // unix nanos
  std::string infra_id;  // "" when the pod has no infra container
  nlohmann::ordered_json config = nlohmann::ordered_json::object();  // labels, namespaces, command
};

class Pods {
 public:
  explicit Pods(Db& db) : db_(db) {}

  // Fails with kAlreadyExists (podman's text) when the name is taken.
  Status Insert(const PodRecord& p);
  Status SetInfra(const std::string& id, const std::string& infra_id);
  // Newest first, as `pod ps` lists them.
  Expected<std::vector<PodRecord>> List();
  // By full ID, name, or unique ID prefix; kNotFound with podman's message otherwise.
  Expected<PodRecord> Lookup(std::string_view query);
  Status Delete(const std::string& id);

 private:
  Db& db_;
};

// podman's "no pod with name or ID X found: no such pod".
Status NoSuchPod(std::string_view query);

}  // namespace kiln::store
