#include <fcntl.h>
#include <cerrno>
#include <csignal>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "image/config.h"
#include "image/reference.h"
#include "registry/tee.h"
#include "registry/transfer.h"
#include "image/index.h"
#include "store/layer_apply.h"
#include "util/background_writer.h"

namespace kiln::registry {
namespace {

// podman's words when no instance of a list fits the platform; said as they are, not under
// "initializing source".
constexpr std::string_view kChoosing = "choosing an image from manifest list docker://";
constexpr int64_t kLeaseTtl = 24LL * 3600 * 1000000000LL;

bool IsIndex(const std::string& mt) { return mt == kOciIndex || mt == kDockerManifestList; }

// What kiln can store: image manifests whose config is an image config and whose layers
// are tar streams. Anything else (artifacts, foreign or encrypted layers) is refused
// before a byte of it is downloaded.
Status CheckMediaTypes(const image::Manifest& m, const std::string& ctx) {
  if (m.media_type != image::kOciManifest && m.media_type != image::kDockerManifest)
    return Unsupported(ctx + ": unsupported manifest media type \"" + m.media_type + "\"");
  if (m.config.media_type != image::kOciConfig && m.config.media_type != image::kDockerConfig)
    return Unsupported(ctx + ": unsupported image-specific operation on artifact with type \"" + m.config.media_type + "\"");
  static constexpr std::string_view kLayerTypes[] = {
      image::kOciLayerTar, image::kOciLayerGzip, image::kOciLayerZstd, image::kDockerLayerGzip,
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar",  // uncompressed v2s2 (containers/image writes it)
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
  for (const auto& l : m.layers)
    if (std::find(std::begin(kLayerTypes), std::end(kLayerTypes), l.media_type) == std::end(kLayerTypes))
      return Unsupported(ctx + ": unsupported layer media type \"" + l.media_type + "\" of " + l.digest.str());
  return Status::Ok();
}

uint64_t BlobCap(const image::Descriptor& d) {
  return d.size > 0 ? static_cast<uint64_t>(d.size) : std::numeric_limits<uint64_t>::max();
}

// Live per-layer bars on a terminal, redrawn in place (podman's mpb bars, simplified):
//   Copying blob 6ab2a2ecf5c4 [=========>----------] 1.2MiB / 3.4MiB
class Bars {
 public:
  void Add(std::string label, uint64_t total) {
    rows_.push_back(std::make_unique<Row>());
    rows_.back()->label = std::move(label);
    rows_.back()->total = total;
  }
  std::atomic<uint64_t>& done(size_t i) { return rows_[i]->done; }
  void SetState(size_t i, const char* state) { rows_[i]->state.store(state); }
  void Start() {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        Draw();
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(150), [this] { return stop_.load(); });
      }
      Draw();
    });
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    cv_.notify_all();
    thread_.join();
  }
  ~Bars() { Stop(); }

 private:
  struct Row {
    std::string label;
    uint64_t total = 0;
    std::atomic<uint64_t> done{0};
    std::atomic<const char*> state{nullptr};
  };
  static std::string Size(double b) {
    const char* units[] = {"b", "KiB", "MiB", "GiB"};
    int u = 0;
    while (b >= 1024 && u < 3) b /= 1024, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u ? "%.1f%s" : "%.0f%s", b, units[u]);
    return buf;
  }
  void Draw() {
    std::string out;
    if (drawn_) out += "\x1b[" + std::to_string(rows_.size()) + "A";
    for (const auto& r : rows_) {
      out += "\r\x1b[2K" + r->label + " ";
      if (const char* st = r->state.load()) {
        out += st;
      } else {
        uint64_t d = r->done.load(), t = std::max<uint64_t>(r->total, 1);
        int fill = static_cast<int>(30.0 * std::min<uint64_t>(d, t) / t);
        out += "[" + std::string(fill, '=') + (fill < 30 ? ">" + std::string(29 - fill, '-') : "") + "] " +
               Size(static_cast<double>(d)) + " / " + Size(static_cast<double>(r->total));
      }
      out += "\n";
    }
    drawn_ = true;
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
  }
  std::vector<std::unique_ptr<Row>> rows_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool drawn_ = false;
};

// Counts bytes into an atomic on their way to the next writer.
class CountingWriter final : public Writer {
 public:
  CountingWriter(Writer& inner, std::atomic<uint64_t>* counter) : inner_(inner), counter_(counter) {}
  Status Write(const void* data, size_t n) override {
    RETURN_IF_ERROR(inner_.Write(data, n));
    if (counter_) *counter_ += n;
    return Status::Ok();
  }

 private:
  Writer& inner_;
  std::atomic<uint64_t>* counter_;
};

struct LayerJob {
  std::atomic<uint64_t>* bytes = nullptr;  // progress bar counter, if any
  Digest parent_chain;
  image::Descriptor desc;
  Digest diff_id;
  Digest chain_id;
  bool have_snapshot = false;
  // results
  bool done = false;
  Status status;
};

// Hands on what it reads from `inner` and writes it to `copy` too.
class TeeReader final : public Reader {
 public:
  TeeReader(Reader& inner, Writer& copy) : inner_(inner), copy_(copy) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t got, inner_.Read(buf, n));
    if (got > 0) RETURN_IF_ERROR(copy_.Write(buf, got));
    return got;
  }

 private:
  Reader& inner_;
  Writer& copy_;
};

Status CommitTar(store::Ingest& tar, const LayerJob& job) {
  auto d = tar.Commit(job.diff_id);
  if (!d.ok())
    return Corrupt("layer " + job.desc.digest.str() + " does not match its diffID " + job.diff_id.str() + ": " +
                   d.status().message());
  return Status::Ok();
}

// Decompresses a layer as it arrives into the tar ingest and, unless its snapshot exists,
// extracts it into the snapshot in the same pass (the stored tar is not read again). The
// snapshot is published only after the tar was verified against the diffID and is durable.
Status Unpack(const store::Snapshots& snapshots, Reader& compressed, store::Ingest& tar, const LayerJob& job) {
  ASSIGN_OR_RETURN(auto src, OpenDecompressor(std::make_unique<ReaderRef>(compressed)));
  if (snapshots.Has(job.chain_id)) {
    RETURN_IF_ERROR(CopyStream(*src, tar).status());
    return CommitTar(tar, job);
  }
  return snapshots.Create(job.chain_id, [&](const std::string& fs) -> Status {
    BackgroundWriter to_tar(tar);  // hashing and storing the tar on another core
    TeeReader tee(*src, to_tar);
    store::ApplyStats stats;
    RETURN_IF_ERROR(store::ApplyLayer(tee, fs, store::ApplyOptions{}, &stats));
    RETURN_IF_ERROR(to_tar.Finish());
    return CommitTar(tar, job);
  });
}

// One pass over the download: it goes to the store as it is and, through a pipe, to a
// thread that decompresses it into the store and the layer's snapshot.
Status StreamLayer(const store::Store& store, Client& client, LayerJob& job) {
  const auto& content = store.content();
  ASSIGN_OR_RETURN(store::Ingest blob, content.BeginIngest());
  ASSIGN_OR_RETURN(store::Ingest tar, content.BeginIngest());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  (void)::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  UniqueFd rd(fds[0]), wr(fds[1]);
  Status unpacked;
  std::thread decompressor([&] {
    FdReader pipe(std::move(rd));
    unpacked = Unpack(store.snapshots(), pipe, tar, job);
  });
  Status got;
  {
    BackgroundWriter to_blob(blob);  // hashing and storing the download on another core
    FdWriter pipe = FdWriter::Borrow(wr.get());
    TeeWriter tee(to_blob, pipe);
    CountingWriter counted(tee, job.bytes);
    CappedWriter capped(counted, BlobCap(job.desc), "blob " + job.desc.digest.str());
    got = client.GetBlob(job.desc.digest, capped);
    wr = UniqueFd();  // EOF for the decompressor
    Status stored = to_blob.Finish();
    if (got.ok()) got = stored;
  }
  Status committed = got;
  if (got.ok())
    committed = blob.Commit(job.desc.digest, job.desc.size > 0 ? std::optional<uint64_t>(job.desc.size) : std::nullopt)
                    .status()
                    .Wrap("reading blob " + job.desc.digest.str());
  decompressor.join();
  RETURN_IF_ERROR(committed);
  RETURN_IF_ERROR(unpacked);
  static std::atomic<int> fetched{0};
  if (const char* k = std::getenv("KILN_TEST_PULL_KILL_AFTER_BLOBS"))
    if (++fetched >= std::atoi(k)) ::kill(::getpid(), SIGKILL);
  return Status::Ok();
}

// Makes sure the uncompressed tar of the layer is in the content store: from the stored
// compressed blob if there is one, else downloaded (retried from the start on failure).
Status FetchLayerJob(store::Store& store, Client& client, LayerJob& job, int retries) {
  const auto& content = store.content();
  if (content.Has(job.diff_id)) return Status::Ok();
  if (!content.Has(job.desc.digest) && job.desc.digest != job.diff_id) {
    // One pass: the download goes to the store as it is and, through a pipe, to a thread
    // that decompresses it into the store and the snapshot. Any failure falls back to the slow path.
    if (StreamLayer(store, client, job).ok()) return Status::Ok();
  }
  if (!content.Has(job.desc.digest)) {
    Status last;
    for (int attempt = 0; attempt <= retries; ++attempt) {
      ASSIGN_OR_RETURN(store::Ingest ingest, content.BeginIngest());
      if (job.bytes) *job.bytes = 0;
      CountingWriter counted(ingest, job.bytes);
      CappedWriter capped(counted, BlobCap(job.desc), "blob " + job.desc.digest.str());
      last = client.GetBlob(job.desc.digest, capped);
      if (last.ok()) {
        auto d = ingest.Commit(job.desc.digest, job.desc.size > 0 ? std::optional<uint64_t>(job.desc.size) : std::nullopt);
        if (d.ok()) break;
        last = d.status().Wrap("reading blob " + job.desc.digest.str());
      }
      if (last.code() == Code::kNotFound || last.code() == Code::kInvalidArgument) break;
    }
    RETURN_IF_ERROR(last);
    // A crash test hook: die like `kill -9` after this many downloaded blobs.
    static std::atomic<int> fetched{0};
    if (const char* k = std::getenv("KILN_TEST_PULL_KILL_AFTER_BLOBS"))
      if (++fetched >= std::atoi(k)) ::kill(::getpid(), SIGKILL);
  }
  if (job.desc.digest == job.diff_id) return Status::Ok();  // an uncompressed layer
  ASSIGN_OR_RETURN(auto file, OpenFileReader(content.BlobPath(job.desc.digest)));
  ASSIGN_OR_RETURN(auto tar, OpenDecompressor(std::move(file)));
  ASSIGN_OR_RETURN(store::Ingest ingest, content.BeginIngest());
  RETURN_IF_ERROR(CopyStream(*tar, ingest).status().Wrap("decompressing blob " + job.desc.digest.str()));
  auto d = ingest.Commit(job.diff_id);
  if (!d.ok())
    return Corrupt("layer " + job.desc.digest.str() + " does not match its diffID " + job.diff_id.str() + ": " +
                   d.status().message());
  return Status::Ok();
}

// The manifest (an index's instance for the platform) and the config, kept in the store.
Expected<RemoteImage> Resolve(store::Store& store, Client& client, const std::string& reference,
                              const std::string& name, const PullOptions& options, const ProgressFn& progress) {
  RETURN_IF_ERROR(client.Ping());
  ASSIGN_OR_RETURN(FetchedManifest top, client.GetManifest(reference));
  FetchedManifest chosen = top;
  if (IsIndex(top.media_type)) {
    std::string os = options.os, arch = options.arch, variant = options.variant;
    image::Platform host = image::HostPlatform();
    if (os.empty()) os = host.os;
    if (arch.empty()) arch = host.architecture;
    ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(top.bytes));
    auto entry = image::ChooseInstance(index, image::Platform{os, arch, variant, "", {}});
    if (!entry.ok()) return entry.status().Wrap(std::string(kChoosing) + client.Name() + ":" + reference);
    ASSIGN_OR_RETURN(chosen, client.GetManifest((*entry)->digest.str()));
  }
  if (chosen.media_type == kDockerSchema1 || chosen.media_type == "application/vnd.docker.distribution.manifest.v1+json")
    return Unsupported("reading manifest " + reference + " in " + client.Name() +
                       ": Docker schema 1 manifests are not supported");
  auto parsed = image::ParseManifest(chosen.bytes);
  if (!parsed.ok()) return parsed.status().Wrap("parsing manifest " + reference + " in " + client.Name());
  image::Manifest manifest = *parsed;
  RETURN_IF_ERROR(CheckMediaTypes(manifest, "reading manifest " + reference + " in " + client.Name()));
  progress("Getting image source signatures");

  // The config: small, fetched into memory and verified.
  std::string config_bytes;
  if (store.content().Has(manifest.config.digest)) {
    ASSIGN_OR_RETURN(config_bytes, store.content().Read(manifest.config.digest));
  } else {
    const auto& cd = manifest.config;
    if (static_cast<uint64_t>(cd.size) > kMaxConfigSize)
      return Corrupt("reading blob " + cd.digest.str() + ": image config of " + std::to_string(cd.size) +
                     " bytes is larger than " + std::to_string(kMaxConfigSize));
    StringWriter w;
    CappedWriter capped(w, cd.size > 0 ? cd.size : kMaxConfigSize, "image config " + cd.digest.str());
    RETURN_IF_ERROR(client.GetBlob(cd.digest, capped));
    config_bytes = w.Take();
    if (cd.size > 0 && config_bytes.size() != static_cast<uint64_t>(cd.size))
      return Corrupt("reading blob " + cd.digest.str() + ": expected " + std::to_string(cd.size) + " bytes, got " +
                     std::to_string(config_bytes.size()));
    if (Digest::OfBytes(config_bytes) != cd.digest)
      return Corrupt("reading blob " + cd.digest.str() + ": digest mismatch");
    // Kept at once (the lease protects it), so a resumed pull does not fetch it again.
    RETURN_IF_ERROR(store.content().Put(config_bytes).status());
  }
  auto config = image::ParseConfig(config_bytes);
  if (!config.ok()) return config.status().Wrap("parsing image configuration");
  std::vector<Digest> diff_ids = config->DiffIds();
  if (diff_ids.size() != manifest.layers.size())
    return Corrupt("image has " + std::to_string(manifest.layers.size()) + " layers but its config lists " +
                   std::to_string(diff_ids.size()) + " diffIDs");
  RemoteImage out;
  out.name = name;
  out.manifest = std::move(chosen);
  out.parsed = std::move(manifest);
  out.config_bytes = std::move(config_bytes);
  out.chain_ids = image::ChainIds(diff_ids);
  out.diff_ids = std::move(diff_ids);
  return out;
}

LayerJob JobFor(const RemoteImage& image, size_t i) {
  LayerJob job;
  job.desc = image.parsed.layers[i];
  job.diff_id = image.diff_ids[i];
  job.chain_id = image.chain_ids[i];
  if (i > 0) job.parent_chain = image.chain_ids[i - 1];
  return job;
}

// The layer's tar and snapshot, downloaded unless there; then its snapshot made (files only).
Status FetchAndExtract(store::Store& store, Client& client, LayerJob& job, int retries) {
  RETURN_IF_ERROR(FetchLayerJob(store, client, job, retries));
  return store.EnsureLayer(job.parent_chain, job.diff_id).status().Wrap("applying layer " + job.desc.digest.str());
}

Expected<store::ImageRecord> PullFrom(store::Store& store, Client& client, const image::Reference& ref,
                                      const std::string& name, const PullOptions& options, const ProgressFn& progress) {
  std::string reference = ref.digest.empty() ? (ref.tag.empty() ? "latest" : ref.tag) : ref.digest.str();
  ASSIGN_OR_RETURN(RemoteImage remote, Resolve(store, client, reference, name, options, progress));
  const image::Manifest& manifest = remote.parsed;
  ASSIGN_OR_RETURN(std::string lease, LeaseImage(store, remote));
  auto fail = [&](const Status& st) -> Status {
    (void)store.ReleaseLease(lease);
    return st;
  };

  std::vector<LayerJob> jobs(remote.diff_ids.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i] = JobFor(remote, i);
    if (!options.progress_bars) progress("Copying blob " + manifest.layers[i].digest.str());
    jobs[i].have_snapshot = HasLayer(store, remote, i);
    if (jobs[i].have_snapshot) jobs[i].done = true;
    else todo.push_back(i);
  }

  Bars bars;
  if (options.progress_bars) {
    for (size_t i = 0; i < jobs.size(); ++i) {
      bars.Add("Copying blob " + jobs[i].desc.digest.hex().substr(0, 12), static_cast<uint64_t>(jobs[i].desc.size));
      if (jobs[i].done) bars.SetState(i, "skipped: already exists");
      else jobs[i].bytes = &bars.done(i);
    }
    bars.Start();
  }
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (;;) {
      size_t k = next++;
      if (k >= todo.size()) return;
      LayerJob& job = jobs[todo[k]];
      // Extracted here, in parallel: a snapshot holds only its own layer's changes, so it
      // does not need the layers below it (the chain ID that names it is known already).
      Status s = FetchAndExtract(store, client, job, options.client.retries);
      std::lock_guard<std::mutex> lock(mu);
      job.status = s;
      job.done = true;
      cv.notify_all();
    }
  };
  int n = std::max(1, std::min<int>(options.jobs, static_cast<int>(todo.size())));
  std::vector<std::thread> threads;
  if (!todo.empty())
    for (int t = 0; t < n; ++t) threads.emplace_back(worker);

  // Wait for the layers in order (the workers extract each one as soon as it is downloaded).
  Status result;
  for (size_t i = 0; i < jobs.size() && result.ok(); ++i) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return jobs[i].done; });
      result = jobs[i].status;
    }
    if (result.ok() && options.progress_bars && !jobs[i].have_snapshot) bars.SetState(i, "done");
  }
  if (!result.ok()) next = todo.size();  // the workers stop after their current blob
  for (auto& t : threads) t.join();
  bars.Stop();
  if (!result.ok()) return fail(result);

  progress("Copying config " + manifest.config.digest.str());
  progress("Writing manifest to image destination");
  progress("Storing signatures");
  return CommitRemote(store, remote, lease);
}

}  // namespace

Expected<RemoteImage> ResolveImage(store::Store& store, Client& client, const std::string& reference,
                                   const std::string& name, const PullOptions& options, const ProgressFn& progress) {
  RETURN_IF_ERROR(InitCurl());
  ::signal(SIGPIPE, SIG_IGN);  // a decompressor that stops early closes its pipe: an error, not a death
  return Resolve(store, client, reference, name, options, progress);
}

Expected<std::string> LeaseImage(store::Store& store, const RemoteImage& image) {
  ASSIGN_OR_RETURN(std::string lease, store.CreateLease(kLeaseTtl));
  Status st = store.db().Transaction([&]() -> Status {
    RETURN_IF_ERROR(store.AddLeaseRef(lease, "blob", image.parsed.config.digest.str()));
    for (size_t i = 0; i < image.diff_ids.size(); ++i) {
      RETURN_IF_ERROR(store.AddLeaseRef(lease, "blob", image.parsed.layers[i].digest.str()));
      RETURN_IF_ERROR(store.AddLeaseRef(lease, "blob", image.diff_ids[i].str()));
      RETURN_IF_ERROR(store.AddLeaseRef(lease, "layer", image.chain_ids[i].hex()));
    }
    return Status::Ok();
  });
  if (!st.ok()) {
    (void)store.ReleaseLease(lease);
    return st;
  }
  return lease;
}

bool HasLayer(const store::Store& store, const RemoteImage& image, size_t i) {
  return store.content().Has(image.diff_ids[i]) && store.snapshots().Has(image.chain_ids[i]);
}

Status FetchLayer(store::Store& store, Client& client, const RemoteImage& image, size_t i, int retries) {
  LayerJob job = JobFor(image, i);
  return FetchAndExtract(store, client, job, retries);
}

Expected<store::ImageRecord> CommitRemote(store::Store& store, const RemoteImage& image, const std::string& lease) {
  auto fail = [&](const Status& st) -> Status {
    (void)store.ReleaseLease(lease);
    return st;
  };
  std::vector<store::LayerInfo> layers;
  Digest parent;
  for (size_t i = 0; i < image.diff_ids.size(); ++i) {
    auto layer = store.EnsureLayer(parent, image.diff_ids[i]);
    if (!layer.ok()) return fail(layer.status().Wrap("applying layer " + image.parsed.layers[i].digest.str()));
    layers.push_back(*layer);
    parent = layer->chain_id;
  }
  store::NewImage img;
  img.config = image.config_bytes;
  img.manifest = image.manifest.bytes;
  img.manifest_type = image.parsed.media_type;
  img.layers = layers;
  img.names = {image.name};
  auto record = store.CommitImage(img);
  if (!record.ok()) return fail(record.status());
  // The form the registry has is recorded even when its bytes are not here (a layer that was
  // here already): a later push asks the destination for it (HEAD) before compressing the
  // layer itself.
  for (size_t i = 0; i < image.diff_ids.size(); ++i) {
    const auto& d = image.parsed.layers[i];
    if (d.digest != image.diff_ids[i]) (void)store.AddLayerBlob(image.diff_ids[i], {d.digest, d.media_type, d.size});
  }
  (void)store.ReleaseLease(lease);
  return record;
}

Expected<store::ImageRecord> PullImage(store::Store& store, const RegistriesConf& conf, const std::string& input_raw,
                                       const PullOptions& options, const ProgressFn& progress) {
  RETURN_IF_ERROR(InitCurl());
  ::signal(SIGPIPE, SIG_IGN);  // a decompressor that stops early closes its pipe: an error, not a death
  std::string input = input_raw;
  if (input.rfind("docker://", 0) == 0) input = input.substr(9);
  ASSIGN_OR_RETURN(image::Reference parsed, image::ParseNormalizedPull(input));
  std::vector<image::Reference> candidates;
  if (image::IsShortName(input)) {
    std::string bare = input;
    std::string suffix;
    if (auto at = bare.find('@'); at != std::string::npos) suffix = bare.substr(at), bare.resize(at);
    else if (auto colon = bare.rfind(':'); colon != std::string::npos) suffix = bare.substr(colon), bare.resize(colon);
    std::string alias;
    for (const auto& [k, v] : conf.short_names.aliases)
      if (k == bare) alias = v;
    if (!alias.empty()) {
      ASSIGN_OR_RETURN(image::Reference r, image::ParseDockerRef(alias + suffix));
      candidates.push_back(r);
    } else {
      if (conf.short_names.unqualified_search_registries.empty())
        return InvalidArgument("short-name \"" + input + "\" did not resolve to an alias and no unqualified-search "
                               "registries are defined in \"" + conf.main_file + "\"");
      for (const auto& reg : conf.short_names.unqualified_search_registries) {
        auto r = image::ParseDockerRef(reg + "/" + input);
        if (r.ok()) candidates.push_back(*r);
      }
    }
  } else {
    candidates.push_back(parsed);
  }

  std::vector<std::string> errors;
  for (const auto& cand : candidates) {
    std::string name = cand.String();
    progress("Trying to pull " + name + "...");
    auto sources = PullSources(conf, cand);
    if (!sources.ok()) {
      errors.push_back("initializing source docker://" + name + ": " + sources.status().message());
      continue;
    }
    Status last;
    for (const auto& src : *sources) {
      ClientOptions co = options.client;
      co.insecure = src.insecure;
      std::string path = src.repository.substr(src.domain.size() + 1);
      Client client(src.domain, path, co, "pull");
      image::Reference at = cand;
      auto r = PullFrom(store, client, at, name, options, progress);
      if (r.ok()) return r;
      last = r.status();
      if (last.message().rfind(kChoosing, 0) == 0) return last;
    }
    errors.push_back("initializing source docker://" + name + ": " + last.message());
    if (candidates.size() == 1) return Status(last.code(), errors.back());
  }
  std::string msg = std::to_string(errors.size()) + " errors occurred while pulling:";
  for (const auto& e : errors) msg += "\n * " + e;
  return IoError(msg);
}

}  // namespace kiln::registry
