#include "archive/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "archive/tar.h"
#include "image/config.h"
#include "image/reference.h"
#include "util/compression.h"
#include "util/fs.h"
#include "util/json_text.h"

namespace kiln::archive {
namespace {

using Json = image::Json;

constexpr size_t kMaxMetadata = 32u << 20;  // a JSON file held in memory (configs, manifests)
constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

// One file of an archive or layout, read once.
struct Entry {
  std::string name;
  bool in_memory = false;
  std::string bytes;     // in_memory
  Digest raw_digest;     // of the bytes as stored in the archive
  uint64_t raw_size = 0;
  Digest diff_id;        // of the content after decompression (= raw for uncompressed)
  uint64_t diff_size = 0;
  // A layer streamed into an ingest is hashed once, by the ingest, and checked against
  // the digest it must have when it is committed: then raw_known/diff_known are false
  // and `claimed` holds what the manifest and config say it is.
  bool raw_known = true, diff_known = true;
  Digest claimed;
  Compression compression = Compression::kNone;
  std::optional<store::Ingest> ingest;  // the uncompressed content, not yet committed
};

// Replays a prefix already read, then the rest of the source.
class PrefixReader final : public Reader {
 public:
  PrefixReader(std::string_view prefix, Reader& rest) : prefix_(prefix), rest_(rest) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return rest_.Read(buf, n);
  }

 private:
  std::string_view prefix_;
  size_t pos_ = 0;
  Reader& rest_;
};

// DigestingReader with the hashing on a second thread: the bytes of a compressed layer are
// hashed while the caller decompresses and stores them. At most kQueued chunks wait.
class PipelinedDigestingReader final : public Reader {
 public:
  explicit PipelinedDigestingReader(Reader& inner) : inner_(inner), worker_([this] { Run(); }) {}
  ~PipelinedDigestingReader() override { Stop(); }
  Expected<size_t> Read(void* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t k, inner_.Read(buf, n));
    if (k == 0) return k;
    bytes_ += k;
    std::string chunk(static_cast<const char*>(buf), k);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kQueued; });
    queue_.push_back(std::move(chunk));
    cv_.notify_all();
    return k;
  }
  uint64_t bytes() const { return bytes_; }
  Digest Finish() {
    Stop();
    return sha_.Finish();
  }

 private:
  static constexpr size_t kQueued = 4;
  void Run() {
    for (;;) {
      std::string chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        chunk = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
      }
      sha_.Update(chunk.data(), chunk.size());
    }
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done_) return;
      done_ = true;
      cv_.notify_all();
    }
    worker_.join();
  }

  Reader& inner_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;
  std::thread worker_;
};

std::string BaseName(std::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

bool MetadataName(std::string_view name) {
  std::string base = BaseName(name);
  return base == "manifest.json" || base == "index.json" || base == "repositories" || base == "oci-layout" ||
         base == "VERSION" || base == "version" || base == "json" ||
         (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0);
}

bool LooksLikeJson(std::string_view prefix) {
  for (char c : prefix) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

// The digest a blob's name promises ("<hex>.tar", "blobs/sha256/<hex>", "<hex>"), if any.
std::optional<Digest> NameHint(std::string_view name) {
  std::string base = BaseName(name);
  if (base.size() == 68 && base.compare(64, 4, ".tar") == 0) base.resize(64);
  auto d = Digest::FromHex(base);
  if (!d.ok()) return std::nullopt;
  return *d;
}

// Reads one file (size bytes, or to its end when size is unknown) into e: small JSON into
// memory, anything else decompressed into an ingest file while it is hashed.
Status ReadEntry(store::Store& store, Reader& data, uint64_t size, Entry& e) {
  char head[512];
  size_t want = size ? static_cast<size_t>(std::min<uint64_t>(size, sizeof head)) : sizeof head;
  ASSIGN_OR_RETURN(size_t got, ReadFull(data, head, want));
  std::string_view prefix(head, got);
  if ((MetadataName(e.name) || LooksLikeJson(prefix)) && size <= kMaxMetadata) {
    e.in_memory = true;
    e.bytes.assign(prefix);
    ASSIGN_OR_RETURN(std::string rest, ReadAll(data, kMaxMetadata));
    e.bytes += rest;
    if (e.bytes.size() > kMaxMetadata) return InvalidArgument("archive entry \"" + e.name + "\" is too large");
    e.raw_digest = e.diff_id = Digest::OfBytes(e.bytes);
    e.raw_size = e.diff_size = e.bytes.size();
    return Status::Ok();
  }
  e.compression = DetectCompression(prefix);
  PrefixReader whole(prefix, data);
  if (e.compression == Compression::kNone) {
    DigestingReader raw(whole);
    // Uncompressed: the raw digest is the diffID. A layer the store already has (its name
    // says which, the hash confirms) is only hashed, not written again.
    std::optional<Digest> hint = NameHint(e.name);
    if (hint && store.content().Has(*hint)) {
      DiscardWriter discard;
      RETURN_IF_ERROR(CopyStream(raw, discard).status());
      e.raw_size = e.diff_size = raw.bytes();
      e.raw_digest = e.diff_id = raw.Finish();
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(store::Ingest ingest, store.content().BeginIngest());
    RETURN_IF_ERROR(CopyStream(whole, ingest).status());
    e.raw_size = e.diff_size = ingest.size();
    e.raw_known = e.diff_known = false;
    e.ingest.emplace(std::move(ingest));
    return Status::Ok();
  }
  PipelinedDigestingReader raw(whole);
  auto decompressed = OpenDecompressorFor(e.compression, std::make_unique<ReaderRef>(raw));
  if (!decompressed.ok()) return decompressed.status().Wrap("archive entry \"" + e.name + "\"");
  ASSIGN_OR_RETURN(store::Ingest ingest, store.content().BeginIngest());
  Status st = CopyStream(**decompressed, ingest).status();
  if (!st.ok()) return st.Wrap("decompressing archive entry \"" + e.name + "\"");
  // Whatever follows the compressed stream inside the entry still counts for its digest.
  DiscardWriter discard;
  RETURN_IF_ERROR(CopyStream(raw, discard).status());
  e.raw_size = raw.bytes();
  e.raw_digest = raw.Finish();
  e.diff_size = ingest.size();
  e.diff_known = false;
  e.ingest.emplace(std::move(ingest));
  return Status::Ok();
}

// Where the files of an archive or layout come from.
class Source {
 public:
  virtual ~Source() = default;
  // The file at name (as a manifest spells it); links inside the archive are followed.
  virtual Expected<Entry*> Get(const std::string& name) = 0;
  virtual bool Has(const std::string& name) = 0;
};

// A tar archive read in one pass, up front.
class TarSource final : public Source {
 public:
  Status Consume(store::Store& store, TarReader& tar, const std::function<void()>& tick) {
    for (;;) {
      ASSIGN_OR_RETURN(std::optional<TarEntry> te, tar.Next());
      if (!te) return Status::Ok();
      tick();
      if (te->name.empty()) continue;  // "./"
      switch (te->type) {
        case '5':
          break;
        case '2': {  // symlink: resolved inside the archive, never on disk
          std::string_view dir = te->name;
          size_t slash = dir.rfind('/');
          std::string base = slash == std::string_view::npos ? "" : std::string(dir.substr(0, slash + 1));
          if (!te->linkname.empty() && te->linkname[0] == '/')
            return InvalidArgument("archive entry \"" + te->name + "\": symlink to \"" + te->linkname +
                                   "\" points outside the archive");
          auto target = CleanEntryName(base + te->linkname);
          if (!target.ok())
            return InvalidArgument("archive entry \"" + te->name + "\": symlink to \"" + te->linkname +
                                   "\" points outside the archive");
          links_[te->name] = *target;
          break;
        }
        case '1': {  // hard link: names another entry of the archive
          auto target = CleanEntryName(te->linkname);
          if (!target.ok())
            return InvalidArgument("archive entry \"" + te->name + "\": hard link to \"" + te->linkname +
                                   "\" points outside the archive");
          links_[te->name] = *target;
          break;
        }
        case '0': {
          Entry e;
          e.name = te->name;
          RETURN_IF_ERROR(ReadEntry(store, tar.data(), static_cast<uint64_t>(te->size), e));
          entries_.erase(e.name);
          links_.erase(e.name);
          entries_.emplace(e.name, std::move(e));
          break;
        }
        default:
          break;  // devices, fifos: nothing an image archive needs
      }
    }
  }

  Expected<Entry*> Get(const std::string& name) override {
    ASSIGN_OR_RETURN(std::string path, Resolve(name));
    auto it = entries_.find(path);
    if (it == entries_.end()) return NotFound("file does not exist");
    return &it->second;
  }
  bool Has(const std::string& name) override {
    auto path = Resolve(name);
    return path.ok() && entries_.count(*path);
  }

 private:
  Expected<std::string> Resolve(const std::string& name) {
    ASSIGN_OR_RETURN(std::string path, CleanEntryName(name));
    for (int hops = 0; hops < 40; ++hops) {
      // A link may stand for the file itself or for a directory above it.
      bool changed = false;
      for (size_t end = path.size();; end = path.rfind('/', end - 1)) {
        auto it = links_.find(path.substr(0, end));
        if (it != links_.end()) {
          ASSIGN_OR_RETURN(path, CleanEntryName(it->second + path.substr(end)));
          changed = true;
          break;
        }
        if (end == 0 || path.rfind('/', end - 1) == std::string::npos) break;
      }
      if (!changed) return path;
    }
    return InvalidArgument("archive entry \"" + name + "\": too many levels of symbolic links");
  }

  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> links_;
};

// An oci-dir or docker-dir: files are read when a manifest asks for them.
class DirSource final : public Source {
 public:
  DirSource(store::Store& store, std::string dir) : store_(store), dir_(std::move(dir)) {}

  Expected<Entry*> Get(const std::string& name) override {
    ASSIGN_OR_RETURN(std::string path, CleanEntryName(name));
    auto it = entries_.find(path);
    if (it != entries_.end()) return &it->second;
    std::string full = JoinPath(dir_, path);
    UniqueFd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + full, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return InvalidArgument(full + ": not a regular file");
    FdReader reader(std::move(fd));
    Entry e;
    e.name = path;
    RETURN_IF_ERROR(ReadEntry(store_, reader, static_cast<uint64_t>(st.st_size), e));
    return &entries_.emplace(path, std::move(e)).first->second;
  }
  bool Has(const std::string& name) override {
    auto path = CleanEntryName(name);
    return path.ok() && PathExists(JoinPath(dir_, *path));
  }

 private:
  store::Store& store_;
  std::string dir_;
  std::map<std::string, Entry> entries_;
};

// ---- images ----

struct PlannedLayer {
  Entry* entry;
  Digest diff_id;
};

struct PlannedImage {
  std::string config;
  std::string manifest;
  std::string manifest_type;
  std::vector<PlannedLayer> layers;
  std::vector<std::string> names;
  bool list_instance = false;  // loaded for a list; the list's name is what gets reported
};

// A manifest list of an OCI layout, restored whole under its name (after its instances).
struct PlannedList {
  std::string index;  // exact bytes
  std::string name;
};

struct Plan {
  std::vector<PlannedImage> images;
  std::vector<PlannedList> lists;
};

Expected<std::string> MemoryBytes(Entry* e, const std::string& what) {
  if (!e->in_memory) return Corrupt(what + " is not a JSON document");
  return e->bytes;
}

// Records what an entry that was not hashed on the way must turn out to be.
Status Claim(Entry* e, const Digest& d, const std::string& what) {
  if (!e->claimed.empty() && e->claimed != d)
    return Corrupt(what + " " + e->name + ": expected both " + e->claimed.str() + " and " + d.str());
  e->claimed = d;
  return Status::Ok();
}

// Checks the layers an image's config lists against the entries that hold them.
Status PlanLayers(const image::ImageConfig& config, const std::vector<Entry*>& entries, PlannedImage& img) {
  std::vector<Digest> diff_ids = config.DiffIds();
  if (diff_ids.size() != entries.size())
    return Corrupt("image has " + std::to_string(entries.size()) + " layers but its config lists " +
                   std::to_string(diff_ids.size()) + " diffIDs");
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry* e = entries[i];
    if (!e->diff_known) {
      RETURN_IF_ERROR(Claim(e, diff_ids[i], "layer"));
    } else if (e->diff_id != diff_ids[i])
      return Corrupt("layer " + e->name + ": digest mismatch: expected " + diff_ids[i].str() + ", got " + e->diff_id.str());
    img.layers.push_back({e, diff_ids[i]});
  }
  return Status::Ok();
}

// The v2s2 manifest containers/image makes for an image of a docker-archive.
std::string DockerArchiveManifest(const std::string& config, const std::vector<PlannedLayer>& layers) {
  Json m = Json::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = std::string(image::kDockerManifest);
  m["config"] = Json{{"mediaType", std::string(image::kDockerConfig)},
                     {"size", config.size()},
                     {"digest", Digest::OfBytes(config).str()}};
  m["layers"] = Json::array();
  for (const auto& l : layers)
    m["layers"].push_back(Json{{"mediaType", std::string(image::kDockerLayerGzip)},
                               {"size", l.entry->diff_size},
                               {"digest", l.diff_id.str()}});
  return JsonText(m);
}

Expected<Plan> PlanDockerArchive(Source& src) {
  ASSIGN_OR_RETURN(Entry * m, src.Get("manifest.json"));
  ASSIGN_OR_RETURN(std::string bytes, MemoryBytes(m, "manifest.json"));
  Json items = Json::parse(bytes, nullptr, false);
  if (!items.is_array()) return Corrupt("decoding tar manifest.json: not a JSON array");
  std::vector<PlannedImage> out;
  for (const auto& item : items) {
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string())
      return Corrupt("manifest.json: an item without a Config");
    PlannedImage img;
    std::string config_path = item["Config"].get<std::string>();
    auto ce = src.Get(config_path);
    if (!ce.ok()) return ce.status().Wrap("loading tar component " + config_path);
    ASSIGN_OR_RETURN(img.config, MemoryBytes(*ce, config_path));
    ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(img.config));
    std::vector<Entry*> layers;
    if (item.contains("Layers") && item["Layers"].is_array())
      for (const auto& l : item["Layers"]) {
        if (!l.is_string()) return Corrupt("manifest.json: a layer path is not a string");
        auto le = src.Get(l.get<std::string>());
        if (!le.ok()) return le.status().Wrap("loading tar component " + l.get<std::string>());
        layers.push_back(*le);
      }
    RETURN_IF_ERROR(PlanLayers(config, layers, img));
    img.manifest = DockerArchiveManifest(img.config, img.layers);
    img.manifest_type = std::string(image::kDockerManifest);
    if (item.contains("RepoTags") && item["RepoTags"].is_array())
      for (const auto& t : item["RepoTags"]) {
        if (!t.is_string()) continue;
        // podman names short RepoTags as it names everything local: busybox:1 is
        // localhost/busybox:1 (not docker.io/library/busybox:1, as docker would have it).
        auto ref = image::ParseNormalizedLocal(t.get<std::string>());
        if (!ref.ok()) return InvalidArgument("invalid tag \"" + t.get<std::string>() + "\" in manifest.json: " + ref.status().message());
        img.names.push_back(ref->String());
      }
    out.push_back(std::move(img));
  }
  if (out.empty()) return Corrupt("manifest.json lists no images");
  return Plan{std::move(out), {}};
}

// A blob of an OCI layout, checked against its descriptor.
Expected<Entry*> OciBlob(Source& src, const Json& desc, const std::string& what) {
  if (!desc.is_object() || !desc.contains("digest") || !desc["digest"].is_string())
    return Corrupt(what + ": descriptor without a digest");
  ASSIGN_OR_RETURN(Digest d, Digest::Parse(desc["digest"].get<std::string>()));
  auto e = src.Get("blobs/sha256/" + d.hex());
  if (!e.ok()) return e.status().Wrap(what + " " + d.str());
  if (!(*e)->raw_known) {
    RETURN_IF_ERROR(Claim(*e, d, what));
  } else if ((*e)->raw_digest != d) {
    return Corrupt(what + " " + d.str() + ": digest mismatch: expected " + d.str() + ", got " + (*e)->raw_digest.str());
  }
  if (desc.contains("size") && desc["size"].is_number_integer() && desc["size"].get<int64_t>() >= 0 &&
      static_cast<uint64_t>(desc["size"].get<int64_t>()) != (*e)->raw_size)
    return Corrupt(what + " " + d.str() + ": expected " + std::to_string(desc["size"].get<int64_t>()) + " bytes, got " +
                   std::to_string((*e)->raw_size));
  return *e;
}

// The architecture of this machine as OCI spells it.
std::string HostArchitecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__)
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#else
  return "unknown";
#endif
}

Status PlanOciManifest(Source& src, const Json& desc, std::vector<PlannedImage>& out, int depth,
                       const std::string& inherited_ref = "", Plan* plan = nullptr);

// A named index at the top of a layout whose instances are all in it (what `save
// --format oci-archive LIST` and `manifest push --all LIST oci-archive:…` write): every
// instance is loaded, unnamed, and the list kept under the name. False when the layout
// lacks an instance or the name: then the host's image alone is loaded, as podman does.
Expected<bool> PlanWholeList(Source& src, const Json& m, const std::string& bytes, const std::string& ref, Plan& plan) {
  if (ref.empty()) return false;
  auto name = image::ParseNormalizedLocal(ref);
  if (!name.ok()) return false;
  for (const auto& d : m["manifests"]) {
    if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string()) return false;
    auto digest = Digest::Parse(d["digest"].get<std::string>());
    if (!digest.ok() || !src.Has("blobs/sha256/" + digest->hex())) return false;
    if (image::IsIndexMediaType(d.value("mediaType", std::string()))) return false;
  }
  RETURN_IF_ERROR(image::ParseIndex(bytes).status());
  for (const auto& d : m["manifests"]) {
    size_t before = plan.images.size();
    RETURN_IF_ERROR(PlanOciManifest(src, d, plan.images, 1));
    for (size_t i = before; i < plan.images.size(); ++i) plan.images[i].list_instance = true;
  }
  plan.lists.push_back({bytes, name->String()});
  return true;
}

// An image index inside the layout (a multi-platform image): like podman, load the one
// image for this machine's platform, under the name the outer descriptor gave.
Status PlanNestedIndex(Source& src, const Json& m, std::vector<PlannedImage>& out, int depth, const std::string& ref) {
  const Json* chosen = nullptr;
  bool any_platform = false;
  for (const auto& d : m["manifests"]) {
    if (!d.is_object() || !d.contains("platform") || !d["platform"].is_object()) continue;
    any_platform = true;
    if (d["platform"].value("os", std::string()) == "linux" &&
        d["platform"].value("architecture", std::string()) == HostArchitecture()) {
      chosen = &d;
      break;
    }
  }
  if (chosen) return PlanOciManifest(src, *chosen, out, depth + 1, ref);
  if (any_platform) return Unsupported("image index has no image for linux/" + HostArchitecture());
  for (const auto& d : m["manifests"]) RETURN_IF_ERROR(PlanOciManifest(src, d, out, depth + 1, ref));
  return Status::Ok();
}

Status PlanOciManifest(Source& src, const Json& desc, std::vector<PlannedImage>& out, int depth,
                       const std::string& inherited_ref, Plan* plan) {
  std::string ref = inherited_ref;
  if (desc.is_object() && desc.contains("annotations") && desc["annotations"].is_object())
    ref = desc["annotations"].value(std::string(kRefNameAnnotation), ref);
  ASSIGN_OR_RETURN(Entry * me, OciBlob(src, desc, "manifest"));
  ASSIGN_OR_RETURN(std::string bytes, MemoryBytes(me, "manifest " + me->raw_digest.str()));
  Json m = Json::parse(bytes, nullptr, false);
  if (!m.is_object()) return Corrupt("manifest " + me->raw_digest.str() + " is not a JSON object");
  std::string media = m.value("mediaType", desc.value("mediaType", std::string()));
  if (media == kOciIndex || media == kDockerList || m.contains("manifests")) {
    if (depth > 2 || !m["manifests"].is_array()) return Unsupported("image index nested too deep");
    if (depth == 0 && plan) {
      ASSIGN_OR_RETURN(bool whole, PlanWholeList(src, m, bytes, ref, *plan));
      if (whole) return Status::Ok();
    }
    return PlanNestedIndex(src, m, out, depth, ref);
  }
  PlannedImage img;
  if (!m.contains("config")) return Corrupt("manifest " + me->raw_digest.str() + " has no config");
  ASSIGN_OR_RETURN(Entry * ce, OciBlob(src, m["config"], "config"));
  ASSIGN_OR_RETURN(img.config, MemoryBytes(ce, "config " + ce->raw_digest.str()));
  ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(img.config));
  std::vector<Entry*> layers;
  if (m.contains("layers") && m["layers"].is_array())
    for (const auto& l : m["layers"]) {
      ASSIGN_OR_RETURN(Entry * le, OciBlob(src, l, "layer"));
      layers.push_back(le);
    }
  RETURN_IF_ERROR(PlanLayers(config, layers, img));
  img.manifest = bytes;
  img.manifest_type = media.empty() ? std::string(image::kOciManifest) : media;
  // As podman: the annotation is a name, normalised like any local one ("1.0", which the
  // OCI spec has in mind, becomes localhost/1.0:latest); one that does not parse gives none.
  if (!ref.empty()) {
    auto r = image::ParseNormalizedLocal(ref);
    if (r.ok()) img.names.push_back(r->String());
  }
  out.push_back(std::move(img));
  return Status::Ok();
}

Expected<Plan> PlanOci(Source& src) {
  ASSIGN_OR_RETURN(Entry * ie, src.Get("index.json"));
  ASSIGN_OR_RETURN(std::string bytes, MemoryBytes(ie, "index.json"));
  Json index = Json::parse(bytes, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
    return Corrupt("index.json is not an OCI image index");
  Plan plan;
  for (const auto& d : index["manifests"]) RETURN_IF_ERROR(PlanOciManifest(src, d, plan.images, 0, "", &plan));
  if (plan.images.empty()) return Corrupt("index.json lists no images");
  return plan;
}

Expected<Plan> PlanDockerDir(Source& src) {
  ASSIGN_OR_RETURN(Entry * me, src.Get("manifest.json"));
  ASSIGN_OR_RETURN(std::string bytes, MemoryBytes(me, "manifest.json"));
  Json m = Json::parse(bytes, nullptr, false);
  if (!m.is_object() || !m.contains("config")) return Corrupt("manifest.json is not an image manifest");
  auto blob = [&](const Json& desc, const std::string& what) -> Expected<Entry*> {
    if (!desc.is_object() || !desc.contains("digest") || !desc["digest"].is_string())
      return Corrupt(what + ": descriptor without a digest");
    ASSIGN_OR_RETURN(Digest d, Digest::Parse(desc["digest"].get<std::string>()));
    ASSIGN_OR_RETURN(Entry * e, src.Get(d.hex()));
    if (!e->raw_known) {
      RETURN_IF_ERROR(Claim(e, d, what));
    } else if (e->raw_digest != d) {
      return Corrupt(what + " " + d.str() + ": digest mismatch: expected " + d.str() + ", got " + e->raw_digest.str());
    }
    return e;
  };
  PlannedImage img;
  ASSIGN_OR_RETURN(Entry * ce, blob(m["config"], "config"));
  ASSIGN_OR_RETURN(img.config, MemoryBytes(ce, "config"));
  ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(img.config));
  std::vector<Entry*> layers;
  if (m.contains("layers") && m["layers"].is_array())
    for (const auto& l : m["layers"]) {
      ASSIGN_OR_RETURN(Entry * le, blob(l, "layer"));
      layers.push_back(le);
    }
  RETURN_IF_ERROR(PlanLayers(config, layers, img));
  img.manifest = bytes;
  img.manifest_type = m.value("mediaType", std::string(image::kDockerManifest));
  Plan plan;
  plan.images.push_back(std::move(img));
  return plan;
}

// Phase two, after everything checked out: blobs, snapshots, then one transaction per image.
// In three steps, so that no image is listed unless every image of the archive made it:
// all blobs (each checked against its diffID as it is committed), all snapshots, then one
// transaction per image.
Expected<LoadResult> CommitImages(store::Store& store, Plan& plan, Progress& progress) {
  std::vector<PlannedImage>& images = plan.images;
  for (auto& img : images)
    for (auto& l : img.layers) {
      if (l.entry->in_memory && !store.content().Has(l.diff_id)) {
        // A small layer that looked like JSON (its first file name starts with "{" or "[").
        ASSIGN_OR_RETURN(Digest d, store.content().Put(l.entry->bytes));
        if (d != l.diff_id) return Internal("layer " + l.entry->name + " changed while loading");
      } else if (l.entry->ingest) {
        // Commit hashes what was written and refuses anything but the diffID.
        auto st = l.entry->ingest->Commit(l.diff_id, l.entry->diff_size);
        if (!st.ok()) return st.status().Wrap("layer " + l.entry->name);
        l.entry->ingest.reset();
      } else if (!l.entry->in_memory && !store.content().Has(l.diff_id)) {
        return Internal("layer " + l.diff_id.str() + " vanished from the store while loading");
      }
    }
  std::vector<store::NewImage> ready;
  for (auto& img : images) {
    store::NewImage ni;
    Digest parent;
    for (auto& l : img.layers) {
      auto layer = store.EnsureLayer(parent, l.diff_id);
      if (!layer.ok()) return layer.status().Wrap("writing blob: adding layer with blob \"" + l.diff_id.str() + "\"");
      ni.layers.push_back(*layer);
      parent = layer->chain_id;
    }
    ni.config = img.config;
    ni.manifest = img.manifest;
    ni.manifest_type = img.manifest_type;
    ni.names = img.names;
    ready.push_back(std::move(ni));
  }
  LoadResult result;
  for (size_t i = 0; i < images.size(); ++i) {
    progress.Line("Getting image source signatures");
    for (const auto& l : images[i].layers)
      progress.Line("Copying blob " + (l.entry->raw_known ? l.entry->raw_digest : l.diff_id).str());
    progress.Line("Copying config " + Digest::OfBytes(images[i].config).str());
    progress.Line("Writing manifest to image destination");
    ASSIGN_OR_RETURN(store::ImageRecord rec, store.CommitImage(ready[i]));
    progress.Line("Storing signatures");
    if (images[i].names.empty() && !images[i].list_instance) result.loaded.push_back("sha256:" + rec.id);
    for (const auto& n : images[i].names) result.loaded.push_back(n);
  }
  // Lists last, once every instance is there; the name moves to the loaded list.
  for (const auto& l : plan.lists) {
    progress.Line("Writing manifest list to image destination");
    auto rec = store.CreateList(l.index, l.name, /*move_name=*/true);
    if (!rec.ok()) return rec.status().Wrap("storing manifest list " + l.name);
    progress.Line("Storing list signatures");
    result.loaded.push_back(l.name);
  }
  return result;
}

Expected<LoadResult> Commit(store::Store& store, Plan& plan, Progress& progress) {
  auto result = CommitImages(store, plan, progress);
  // A layer that failed its check at commit time may come after others that were stored:
  // nothing refers to those, and a garbage-collection pass takes them away again (unless
  // another kiln process is busy; then the next pass does).
  if (!result.ok()) (void)store.CollectGarbage();
  return result;
}

// The lists' plan, and the docker-archive images that are not one of their instances; an
// instance that manifest.json also names gets those names.
Plan MergeListPlan(Plan lists, Plan docker) {
  for (auto& img : docker.images) {
    auto same = std::find_if(lists.images.begin(), lists.images.end(),
                             [&](const PlannedImage& i) { return i.config == img.config; });
    if (same == lists.images.end()) {
      lists.images.push_back(std::move(img));
      continue;
    }
    for (auto& n : img.names)
      if (std::find(same->names.begin(), same->names.end(), n) == same->names.end()) same->names.push_back(n);
  }
  return lists;
}

class CountingReader final : public Reader {
 public:
  CountingReader(Reader& in, Progress& p, uint64_t total) : in_(in), p_(p), total_(total) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t k, in_.Read(buf, n));
    done_ += k;
    if (done_ - reported_ >= (8u << 20) || k == 0) {
      reported_ = done_;
      p_.Bytes(done_, total_);
    }
    return k;
  }

 private:
  Reader& in_;
  Progress& p_;
  uint64_t total_;
  uint64_t done_ = 0, reported_ = 0;
};

Status NoFormat(const std::string& why_docker, const std::string& why_oci) {
  return InvalidArgument("payload does not match any of the supported image formats:\n * oci-archive: " + why_oci +
                         "\n * docker-archive: " + why_docker);
}

}  // namespace

Expected<LoadResult> LoadArchive(store::Store& store, std::unique_ptr<Reader> input, uint64_t size, Progress& progress) {
  CountingReader counted(*input, progress, size);
  Compression c = Compression::kNone;
  auto tar_stream = OpenDecompressor(std::make_unique<ReaderRef>(counted), &c);
  if (!tar_stream.ok()) return NoFormat(tar_stream.status().message(), tar_stream.status().message());
  TarReader tar(**tar_stream);
  TarSource src;
  uint64_t entries = 0;
  Status st = src.Consume(store, tar, [&] { ++entries; });
  if (!st.ok()) {
    // Not a tar at all: podman's "payload does not match" with the reason for each format.
    if (entries == 0 && st.code() != Code::kInvalidArgument) return NoFormat(st.message(), st.message());
    if (entries == 0 && st.message().rfind("archive/tar:", 0) == 0) return NoFormat(st.message(), st.message());
    return st.Wrap("loading archive");
  }
  Plan images;
  if (src.Has("manifest.json")) {
    auto planned = PlanDockerArchive(src);
    if (!planned.ok()) return planned.status().Wrap("docker-archive");
    images = std::move(*planned);
    if (src.Has("index.json")) {
      // kiln's `save -m LIST …`: the lists come from the OCI layout beside manifest.json.
      auto lists = PlanOci(src);
      if (lists.ok() && !lists->lists.empty()) images = MergeListPlan(std::move(*lists), std::move(images));
    }
  } else if (src.Has("index.json")) {
    auto planned = PlanOci(src);
    if (!planned.ok()) return planned.status().Wrap("oci-archive");
    images = std::move(*planned);
  } else {
    return NoFormat("loading tar component manifest.json: file does not exist",
                    "loading index: open index.json: no such file or directory");
  }
  return Commit(store, images, progress);
}

Expected<LoadResult> LoadDirectory(store::Store& store, const std::string& dir, Progress& progress) {
  DirSource src(store, dir);
  Plan images;
  if (src.Has("index.json")) {
    ASSIGN_OR_RETURN(images, PlanOci(src));
  } else if (src.Has("manifest.json")) {
    ASSIGN_OR_RETURN(images, PlanDockerDir(src));
  } else {
    return InvalidArgument("payload does not match any of the supported image formats:\n * oci: open " + dir +
                           "/index.json: no such file or directory\n * dir: open " + dir +
                           "/manifest.json: no such file or directory");
  }
  return Commit(store, images, progress);
}

}  // namespace kiln::archive
