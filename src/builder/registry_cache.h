// The build cache in a registry, podman 4.3's --cache-to/--cache-from scheme: every image a
// build step commits is pushed to each --cache-to repository as REPO:KEY, KEY being the step's
// cache key (64 hex digits: a valid tag, so any OCI distribution registry holds the cache);
// a step the local cache misses is looked up as REPO:KEY in each --cache-from repository and,
// when found, pulled (only the layers the store lacks) and recorded as a local cache entry.
// A registry that fails for another reason than not having the tag is warned about once and
// not asked again in this build: the cache is a speed-up, never a reason to fail.
// docs/cache.md describes the format.
//
// A hit is pulled in two halves so that the build goes on while layers download: Find gets
// the manifest and config (the next step's key needs only the config) and starts fetching
// the layers nobody is fetching yet in the background (at most kFetchers at a time, over one
// connection-keeping client per repository); Complete waits for them and commits the image.
//
//   RegistryCache rc(store, options, warn);
//   auto hit = rc.Find(key, usable);     // caller holds the store's lock
//   ... hit->config ...                  // go on with the step's result
//   auto rec = rc.Complete(*hit);        // without the lock: waits; then with it: commits
//   for (const auto& ref : rc.Push(image_id, key)) ...   // the references pushed
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <semaphore>
#include <thread>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/client.h"
#include "registry/config.h"
#include "registry/transfer.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::build {

struct RegistryCacheOptions {
  std::vector<std::string> to, from;  // repositories as ParseCacheRepository returns them
  registry::ClientOptions client;
  registry::RegistriesConf registries;

  bool empty() const { return to.empty() && from.empty(); }
};

// A --cache-to/--cache-from value checked as buildah 1.28 does (a repository: no tag, no
// digest), in its words; returns the normalised repository ("localhost:5000/cache").
Expected<std::string> ParseCacheRepository(const std::string& value, const std::string& flag);

// REPO:KEY, the image that holds a step's result in a cache repository.
std::string CacheReference(const std::string& repository, const std::string& key);

class RegistryCache {
 public:
  using WarnFn = std::function<void(const std::string&)>;
  static constexpr int kFetchers = 4;  // layer downloads at a time, across the build

  RegistryCache(store::Store& store, const RegistryCacheOptions& options, WarnFn warn)
      : store_(store), options_(options), warn_(std::move(warn)) {}
  ~RegistryCache();
  RegistryCache(const RegistryCache&) = delete;
  RegistryCache& operator=(const RegistryCache&) = delete;

  bool pulls() const { return !options_.from.empty(); }
  bool pushes() const { return !options_.to.empty(); }

  // A hit whose layers may still be downloading.
  struct Hit {
    std::string reference;  // REPO:KEY it came from
    std::string repository;
    registry::RemoteImage image;
    std::string image_id;   // the config's digest
    int64_t created = 0;    // the config's, unix nanos
    image::Json config;
    std::string lease;
    std::vector<std::shared_future<Status>> layers;  // the downloads it waits for
    bool settled = false;
  };
  // The first --cache-from repository, in the order given, that has the key and whose image
  // `usable(created)` accepts; its missing layers start downloading. Caller holds the store lock.
  std::shared_ptr<Hit> Find(const std::string& key, const std::function<bool(int64_t)>& usable);
  // Waits for the hit's layers (call without the store lock).
  Status Wait(const Hit& hit);
  // Commits the hit's image once Wait succeeded (caller holds the store lock). A failed hit,
  // of Wait or here, turns its repository off with the one warning; its lease is released.
  Expected<store::ImageRecord> Commit(Hit& hit, const Status& waited);
  // A hit the build will not use (it failed first): its lease released (caller holds the store lock).
  void Abandon(Hit& hit);
  // Queues the image's push to every --cache-to repository still on and returns the
  // references it goes to (podman prints them before it pushes). Pushes run one after the
  // other (a layer sent for one step is not sent again for the next) on a thread with its own
  // store connection, while the build goes on; Drain waits for them. A failed push costs the
  // repository's one warning.
  std::vector<std::string> PushLater(const std::string& image_id, const std::string& key);
  void Drain();

 private:
  bool On(const std::string& repository);
  void TurnOff(const std::string& repository, const std::string& what, const Status& why);
  // The repository's clients, one per pull source (mirrors first), made once per build.
  Expected<std::vector<std::shared_ptr<registry::Client>>*> Clients(const std::string& repository);
  void StartFetches(const std::shared_ptr<registry::Client>& client, Hit& hit);
  void Pusher();
  void Push(store::Store& store, const std::string& image_id, const std::string& key);

  store::Store& store_;
  const RegistryCacheOptions& options_;
  WarnFn warn_;
  std::mutex mu_;
  std::set<std::string> off_;  // repositories that failed
  std::map<std::string, std::vector<std::shared_ptr<registry::Client>>> clients_;
  // Layer downloads by chain ID: a hit whose lower layers an earlier hit is fetching waits
  // for that download instead of starting its own.
  std::map<std::string, std::shared_future<Status>> fetching_;
  std::vector<std::thread> threads_;
  std::counting_semaphore<kFetchers> slots_{kFetchers};
  std::deque<std::pair<std::string, std::string>> pushes_;  // (image ID, key) queued
  std::condition_variable push_cv_;
  std::thread pusher_;
};

}  // namespace kiln::build
