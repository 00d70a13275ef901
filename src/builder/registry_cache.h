// The build cache in a registry, podman 4.3's --cache-to/--cache-from scheme: every image a
// build step commits is pushed to each --cache-to repository as REPO:KEY, KEY being the step's
// cache key (64 hex digits: a valid tag, so any OCI distribution registry holds the cache);
// a step the local cache misses is looked up as REPO:KEY in each --cache-from repository and,
// when found, pulled (only the layers the store lacks) and recorded as a local cache entry.
// A registry that fails for another reason than not having the tag is warned about once and
// not asked again in this build: the cache is a speed-up, never a reason to fail.
// docs/cache.md describes the format.
//
//   RegistryCache rc(store, options, warn);
//   if (auto hit = rc.Pull(key)) ... hit->image ...      // the caller holds the store's lock
//   for (const auto& ref : rc.Push(image_id, key)) ...   // the references pushed
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/client.h"
#include "registry/config.h"
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
  RegistryCache(store::Store& store, const RegistryCacheOptions& options, WarnFn warn)
      : store_(store), options_(options), warn_(std::move(warn)) {}

  bool pulls() const { return !options_.from.empty(); }
  bool pushes() const { return !options_.to.empty(); }

  struct Hit {
    std::string reference;  // REPO:KEY it came from
    store::ImageRecord image;
  };
  // The first --cache-from repository, in the order given, that has the key.
  std::optional<Hit> Pull(const std::string& key);
  // Pushes the image to every --cache-to repository still on; returns the references pushed.
  std::vector<std::string> Push(const std::string& image_id, const std::string& key);

 private:
  bool On(const std::string& repository);
  void TurnOff(const std::string& repository, const std::string& what, const Status& why);

  store::Store& store_;
  const RegistryCacheOptions& options_;
  WarnFn warn_;
  std::mutex mu_;
  std::set<std::string> off_;  // repositories that failed
};

}  // namespace kiln::build
