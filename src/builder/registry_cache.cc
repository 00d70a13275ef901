#include "builder/registry_cache.h"

#include "image/reference.h"
#include "registry/transfer.h"

namespace kiln::build {

Expected<std::string> ParseCacheRepository(const std::string& value, const std::string& flag) {
  const std::string what = "unable to parse value provided `" + value + "` to " + flag + ": ";
  auto named = image::ParseNormalizedNamed(value);
  if (!named.ok())
    return InvalidArgument(what + "invalid repo \"" + value + "\": must contain registry and repository: " +
                           named.status().message());
  if (!named->tag.empty() || !named->DigestString().empty())
    return InvalidArgument(what + "repository must contain neither a tag nor digest: " + named->String());
  return named->Repository();
}

std::string CacheReference(const std::string& repository, const std::string& key) { return repository + ":" + key; }

bool RegistryCache::On(const std::string& repository) {
  std::lock_guard<std::mutex> lock(mu_);
  return off_.count(repository) == 0;
}

// One warning per repository, whichever way it failed: a registry that is down for a pull is
// down for a push too.
void RegistryCache::TurnOff(const std::string& repository, const std::string& what, const Status& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!off_.insert(repository).second) return;
  }
  if (warn_) warn_(what + " failed, not using the cache in " + repository + " for the rest of this build: " + why.message());
}

std::optional<RegistryCache::Hit> RegistryCache::Pull(const std::string& key) {
  for (const auto& repository : options_.from) {
    if (!On(repository)) continue;
    const std::string reference = CacheReference(repository, key);
    registry::PullOptions po;
    po.client = options_.client;
    auto image = registry::PullImage(store_, options_.registries, reference, po, [](const std::string&) {});
    if (image.ok()) return Hit{reference, *image};
    // Not there (no such tag, or no such repository yet): a miss. Anything else: off.
    if (image.status().code() != Code::kNotFound) TurnOff(repository, "pulling cache " + reference, image.status());
  }
  return std::nullopt;
}

std::vector<std::string> RegistryCache::Push(const std::string& image_id, const std::string& key) {
  std::vector<std::string> pushed;
  for (const auto& repository : options_.to) {
    if (!On(repository)) continue;
    const std::string reference = CacheReference(repository, key);
    registry::PushOptions po;
    po.client = options_.client;
    auto result = registry::PushImage(store_, options_.registries, image_id, reference, po, [](const std::string&) {});
    if (result.ok()) pushed.push_back(reference);
    else TurnOff(repository, "pushing cache " + reference, result.status());
  }
  return pushed;
}

}  // namespace kiln::build
