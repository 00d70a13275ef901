// Containers' rows in the metadata database: what `ps`, `wait`, `rm` and the monitor of a
// running container read and write. A class over Store::db() (or over a Db the monitor
// opened itself: a monitor outlives the kiln process that started it and must not hold the
// store's GC lock). Files of a container live in ROOT/containers/<id>/; rows first, files
// later, as for images.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace kiln::store {

struct ContainerRecord {
  std::string id;  // 64 hex
  std::string name;
  std::string image_id;
  int64_t created = 0;          // unix nanos
  std::string state = "created";  // created | running | exited
  nlohmann::ordered_json config = nlohmann::ordered_json::object();  // what run/create was asked
  int64_t pid = 0;          // the process to signal (container init), 0 when none
  int64_t pid_start = 0;    // its start time in clock ticks (/proc/PID/stat field 22): guards pid reuse
  int64_t monitor_pid = 0;  // the process that waits for it and records the exit
  int64_t started = 0;      // unix nanos, 0 = never
  int64_t finished = 0;     // unix nanos, 0 = never
  int64_t exit_code = 0;
  std::string pod_id;       // the pod it belongs to, "" for none
};

class Containers {
 public:
  explicit Containers(Db& db) : db_(db) {}

  // Fails with kAlreadyExists (podman's text) when the name is taken.
  Status Insert(const ContainerRecord& c);
  Expected<std::vector<ContainerRecord>> List();
  // By full ID, name, or unique ID prefix; kNotFound with podman's message otherwise.
  Expected<ContainerRecord> Lookup(std::string_view query);
  Expected<ContainerRecord> Get(const std::string& id);
  Status MarkRunning(const std::string& id, int64_t pid, int64_t pid_start, int64_t monitor_pid, int64_t started);
  // Records an exit; a no-op when the row is gone (rm -f raced the monitor).
  Status MarkExited(const std::string& id, int64_t exit_code, int64_t finished);
  // A running container whose process and monitor are gone without a word: exited, code -1.
  // Only while the row still says it runs that process: never over an exit a monitor
  // recorded meanwhile, nor over a restart.
  Status MarkLost(const std::string& id, int64_t pid, int64_t finished);
  Status Delete(const std::string& id);
  bool NameTaken(const std::string& name);

 private:
  Db& db_;
};

// A random 64-hex container ID and podman-style "adjective_name" names.
std::string NewContainerId();
std::string RandomContainerName();

}  // namespace kiln::store
