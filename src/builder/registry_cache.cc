#include "builder/registry_cache.h"

#include "image/reference.h"
#include "image/config.h"
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

RegistryCache::~RegistryCache() {
  Drain();
  for (auto& t : threads_) t.join();
}

Expected<std::vector<std::shared_ptr<registry::Client>>*> RegistryCache::Clients(const std::string& repository) {
  auto it = clients_.find(repository);
  if (it != clients_.end()) return &it->second;
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseDockerRef(repository));
  ASSIGN_OR_RETURN(std::vector<registry::PullSource> sources, registry::PullSources(options_.registries, ref));
  std::vector<std::shared_ptr<registry::Client>> clients;
  for (const auto& src : sources) {
    registry::ClientOptions co = options_.client;
    co.insecure = src.insecure;
    clients.push_back(std::make_shared<registry::Client>(src.domain, src.repository.substr(src.domain.size() + 1), co,
                                                         "pull"));
  }
  return &clients_.emplace(repository, std::move(clients)).first->second;
}

std::shared_ptr<RegistryCache::Hit> RegistryCache::Find(const std::string& key,
                                                         const std::function<bool(int64_t)>& usable) {
  for (const auto& repository : options_.from) {
    if (!On(repository)) continue;
    const std::string reference = CacheReference(repository, key);
    auto clients = Clients(repository);
    if (!clients.ok()) {
      TurnOff(repository, "pulling cache " + reference, clients.status());
      continue;
    }
    // Mirrors first, then the repository itself; not there anywhere (404): a miss.
    Status failed;
    for (const auto& client : **clients) {
      registry::PullOptions po;
      po.client = options_.client;
      auto image = registry::ResolveImage(store_, *client, key, reference, po, [](const std::string&) {});
      if (!image.ok()) {
        if (image.status().code() != Code::kNotFound) failed = image.status();
        continue;
      }
      auto hit = std::make_shared<Hit>();
      hit->reference = reference;
      hit->repository = repository;
      hit->image = std::move(*image);
      hit->image_id = Digest::OfBytes(hit->image.config_bytes).hex();
      auto config = image::ParseConfig(hit->image.config_bytes);
      if (!config.ok()) {
        failed = config.status();
        break;
      }
      hit->created = config->Created();
      hit->config = config->json;
      if (!usable(hit->created)) return nullptr;
      auto lease = registry::LeaseImage(store_, hit->image);
      if (!lease.ok()) {
        failed = lease.status();
        break;
      }
      hit->lease = *lease;
      StartFetches(client, *hit);
      return hit;
    }
    if (!failed.ok()) TurnOff(repository, "pulling cache " + reference, failed);
  }
  return nullptr;
}

// Each layer the store lacks and no earlier hit is fetching: downloaded on a thread of its
// own, at most kFetchers at once (files only: no database, no store lock).
void RegistryCache::StartFetches(const std::shared_ptr<registry::Client>& client, Hit& hit) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < hit.image.diff_ids.size(); ++i) {
    const std::string chain = hit.image.chain_ids[i].hex();
    if (auto it = fetching_.find(chain); it != fetching_.end()) {
      hit.layers.push_back(it->second);
      continue;
    }
    if (registry::HasLayer(store_, hit.image, i)) continue;
    auto done = std::make_shared<std::promise<Status>>();
    std::shared_future<Status> f = done->get_future().share();
    fetching_.emplace(chain, f);
    hit.layers.push_back(f);
    threads_.emplace_back([this, client, image = hit.image, i, done] {
      slots_.acquire();
      Status st = registry::FetchLayer(store_, *client, image, i, options_.client.retries);
      slots_.release();
      done->set_value(st);
    });
  }
}

Status RegistryCache::Wait(const Hit& hit) {
  for (const auto& f : hit.layers) RETURN_IF_ERROR(f.get());
  return Status::Ok();
}

Expected<store::ImageRecord> RegistryCache::Commit(Hit& hit, const Status& waited) {
  hit.settled = true;
  if (!waited.ok()) {
    (void)store_.ReleaseLease(hit.lease);
    TurnOff(hit.repository, "pulling cache " + hit.reference, waited);
    return waited;
  }
  auto rec = registry::CommitRemote(store_, hit.image, hit.lease);
  if (!rec.ok()) TurnOff(hit.repository, "pulling cache " + hit.reference, rec.status());
  return rec;
}

void RegistryCache::Abandon(Hit& hit) {
  if (hit.settled) return;
  hit.settled = true;
  (void)store_.ReleaseLease(hit.lease);
}

std::vector<std::string> RegistryCache::PushLater(const std::string& image_id, const std::string& key) {
  std::vector<std::string> refs;
  for (const auto& repository : options_.to)
    if (On(repository)) refs.push_back(CacheReference(repository, key));
  if (refs.empty()) return refs;
  std::lock_guard<std::mutex> lock(mu_);
  pushes_.emplace_back(image_id, key);
  if (!pusher_.joinable()) pusher_ = std::thread([this] { Pusher(); });
  push_cv_.notify_all();
  return refs;
}

void RegistryCache::Drain() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!pusher_.joinable()) return;
    pushes_.emplace_back();  // the end
    push_cv_.notify_all();
  }
  pusher_.join();
}

// The pusher's own connection to the store: the build's is guarded by the build's lock,
// which a push of many megabytes must not hold.
void RegistryCache::Pusher() {
  auto store = store::Store::Open(store::StoreOptions{store_.root(), store_.runroot()});
  for (;;) {
    std::pair<std::string, std::string> next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      push_cv_.wait(lock, [this] { return !pushes_.empty(); });
      next = pushes_.front();
      pushes_.pop_front();
    }
    if (next.first.empty()) return;
    if (store.ok()) {
      Push(**store, next.first, next.second);
      continue;
    }
    for (const auto& repository : options_.to)
      TurnOff(repository, "pushing cache " + CacheReference(repository, next.second), store.status());
  }
}

void RegistryCache::Push(store::Store& store, const std::string& image_id, const std::string& key) {
  for (const auto& repository : options_.to) {
    if (!On(repository)) continue;
    const std::string reference = CacheReference(repository, key);
    registry::PushOptions po;
    po.client = options_.client;
    auto result = registry::PushImage(store, options_.registries, image_id, reference, po, [](const std::string&) {});
    if (!result.ok()) TurnOff(repository, "pushing cache " + reference, result.status());
  }
}

}  // namespace kiln::build
