#include "archive/save.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>

#include "archive/tar.h"
#include "image/config.h"
#include "image/index.h"
#include "image/reference.h"
#include "util/compression.h"
#include "util/json_text.h"
#include "util/parallel_gzip.h"
#include "util/fs.h"

namespace kiln::archive {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr std::string_view kOciLayoutBody = "{\"imageLayoutVersion\": \"1.0.0\"}";
constexpr std::string_view kDirVersionBody = "Directory Transport Version: 1.1\n";

// One image to save, resolved before anything is written.
struct SaveItem {
  store::ImageRecord image;
  std::string config;  // exact bytes
  std::vector<store::LayerInfo> layers;
  std::vector<std::string> tags;  // RepoTags / ref.name, normalised; empty when saved by ID
  std::string stored_manifest;
};

// The stored name an argument refers to ("demo" → "localhost/demo:latest"), or "" when
// the argument named the image by ID.
Expected<std::string> NameForArgument(const store::ImageRecord& img, const std::string& arg) {
  if (img.id.rfind(arg, 0) == 0 || arg == "sha256:" + img.id) return std::string();
  ASSIGN_OR_RETURN(image::ImageQuery q, image::ParseQuery(arg));
  for (const auto& c : q.candidates)
    for (const auto& n : img.names)
      if (n == c) return n;
  for (const auto& n : img.names)
    if (image::NameMatches(n, q)) return n;
  if (!q.manifest_digest.empty()) return std::string();  // name@digest: podman saves it untagged
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseNormalizedLocal(arg));
  return ref.String();
}

// The config, layers and stored manifest of an image (not a list).
Expected<SaveItem> ReadItem(store::Store& store, const store::ImageRecord& image) {
  SaveItem item;
  item.image = image;
  ASSIGN_OR_RETURN(Digest config_digest, Digest::FromHex(item.image.id));
  ASSIGN_OR_RETURN(item.config, store.content().Read(config_digest));
  ASSIGN_OR_RETURN(item.layers, store.ImageLayers(item.image.id));
  ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(item.config));
  std::vector<Digest> diff_ids = config.DiffIds();
  if (diff_ids.size() != item.layers.size())
    return Corrupt("image " + item.image.id + ": config lists " + std::to_string(diff_ids.size()) +
                   " layers, the store has " + std::to_string(item.layers.size()));
  auto manifest = store.content().Read(item.image.manifest_digest);
  if (manifest.ok()) item.stored_manifest = std::move(*manifest);
  return item;
}

Expected<SaveItem> Resolve(store::Store& store, const std::string& arg) {
  ASSIGN_OR_RETURN(store::ImageRecord found, store.LookupImage(arg));
  // A list saves as its instance for this host, under the list's name (podman 4.3.1), in a
  // docker-archive or docker-dir (oci-* formats save the whole list: SaveList).
  ASSIGN_OR_RETURN(store::ImageRecord image, store.InstanceFor(found, image::HostPlatform()));
  ASSIGN_OR_RETURN(SaveItem item, ReadItem(store, image));
  ASSIGN_OR_RETURN(std::string name, NameForArgument(item.image, arg));
  if (!name.empty()) item.tags.push_back(name);
  return item;
}

// ---- Go JSON helpers ----

// Splits a JSON object's top level into key -> raw value (the last of duplicate keys wins,
// as in Go). Returns false when the bytes are not an object.
bool TopLevelRaw(std::string_view s, std::map<std::string, std::string_view>& out) {
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  auto skip_string = [&]() -> bool {
    if (i >= s.size() || s[i] != '"') return false;
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        ++i;
        return true;
      }
    }
    return false;
  };
  auto skip_value = [&]() -> bool {
    ws();
    if (i >= s.size()) return false;
    if (s[i] == '"') return skip_string();
    if (s[i] == '{' || s[i] == '[') {
      int depth = 0;
      while (i < s.size()) {
        char c = s[i];
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') {
          if (--depth == 0) {
            ++i;
            return true;
          }
        }
        ++i;
      }
      return false;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
           s[i] != '\t' && s[i] != '\r')
      ++i;
    return true;
  };
  ws();
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  for (;;) {
    ws();
    if (i < s.size() && s[i] == '}') return true;
    size_t key_start = i;
    if (!skip_string()) return false;
    std::string key(s.substr(key_start + 1, i - key_start - 2));
    ws();
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    ws();
    size_t value_start = i;
    if (!skip_value()) return false;
    out[key] = s.substr(value_start, i - value_start);
    ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return i < s.size() && s[i] == '}';
  }
}

std::string GoString(std::string_view s) { return JsonText(Json(std::string(s))); }

}  // namespace

std::string GoCompactJson(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool in_string = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (in_string) {
      if (c == '\\' && i + 1 < raw.size()) {
        out += c;
        out += raw[++i];
        continue;
      }
      if (c == '"') in_string = false;
    } else {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
      if (c == '"') in_string = true;
    }
    if (c == '<' || c == '>' || c == '&') {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) are escaped too.
    if (static_cast<unsigned char>(c) == 0xe2 && i + 2 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(raw[i + 2]) == 0xa8 || static_cast<unsigned char>(raw[i + 2]) == 0xa9)) {
      out += static_cast<unsigned char>(raw[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

Expected<std::vector<LegacyLayer>> LegacyLayers(const std::vector<Digest>& diff_ids, std::string_view config) {
  std::map<std::string, std::string_view> raw;
  if (!TopLevelRaw(config, raw)) return Corrupt("unmarshaling config: not a JSON object");
  std::vector<LegacyLayer> out;
  Digest chain;
  std::string last;
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    chain = chain.empty() ? diff_ids[i] : Digest::OfBytes(chain.str() + " " + diff_ids[i].str());
    // Go marshals map[string]any with sorted keys.
    std::map<std::string, std::string> fields;
    if (!last.empty()) fields["parent"] = GoString(last);
    if (i + 1 == diff_ids.size()) {
      for (const char* attr : {"architecture", "config", "container", "container_config", "created", "docker_version", "os"}) {
        auto it = raw.find(attr);
        fields[attr] = it == raw.end() ? "null" : GoCompactJson(it->second);
      }
    }
    auto render = [](const std::map<std::string, std::string>& f) {
      std::string s = "{";
      for (const auto& [k, v] : f) s += (s.size() > 1 ? "," : "") + GoString(k) + ":" + v;
      return s + "}";
    };
    auto with_layer_id = fields;
    with_layer_id["layer_id"] = GoString(chain.str());
    std::string id = Digest::OfBytes(render(with_layer_id)).hex();
    fields["id"] = GoString(id);
    out.push_back({id, render(fields)});
    last = id;
  }
  return out;
}

Expected<SaveFormat> ParseSaveFormat(const std::string& name) {
  if (name == "docker-archive") return SaveFormat::kDockerArchive;
  if (name == "oci-archive") return SaveFormat::kOciArchive;
  if (name == "oci-dir") return SaveFormat::kOciDir;
  if (name == "docker-dir") return SaveFormat::kDockerDir;
  return InvalidArgument("format value must be one of oci-dir oci-archive docker-dir docker-archive");
}

namespace {

std::string_view FormatName(SaveFormat f) {
  switch (f) {
    case SaveFormat::kDockerArchive: return "docker-archive";
    case SaveFormat::kOciArchive: return "oci-archive";
    case SaveFormat::kOciDir: return "oci-dir";
    case SaveFormat::kDockerDir: return "docker-dir";
  }
  return "";
}

// A blob to put in a layout: a stored file, or a temporary file holding a compressed layer.
struct Blob {
  Digest digest;
  uint64_t size = 0;
  std::string media_type;
  std::string path;  // to open; empty when `fd` holds it
  std::shared_ptr<UniqueFd> fd;
  std::string bytes;  // small blobs (configs, manifests) from memory
  bool in_memory = false;
};

Expected<UniqueFd> OpenRead(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  return fd;
}

// gzip-compresses a stored layer into an anonymous temporary file in dir.
Expected<Blob> CompressLayer(store::Store& store, const Digest& diff_id, const std::string& dir) {
  UniqueFd tmp(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0644));
  if (!tmp.valid()) {
    std::string path = JoinPath(dir, ".kiln-save-" + RandomHex(8));
    tmp = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!tmp.valid()) return ErrnoError("creating a temporary file in " + dir, errno);
    ::unlink(path.c_str());
  }
  FdWriter file = FdWriter::Borrow(tmp.get());
  DigestingWriter digesting(file);
  RETURN_IF_ERROR(ParallelGzipFile(store.content().BlobPath(diff_id), digesting));
  Blob b;
  b.size = digesting.bytes();
  b.digest = digesting.Finish();
  b.fd = std::make_shared<UniqueFd>(std::move(tmp));
  return b;
}

std::string TempDir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/var/tmp";
}

// A gzip form of the layer the store already has (a pulled layer, as its registry had it):
// saving it costs a copy instead of a compression, and the layer keeps its digest.
std::optional<Blob> StoredGzip(store::Store& store, const Digest& diff_id, std::string_view media_type) {
  auto forms = store.LayerBlobs(diff_id);
  if (!forms.ok()) return std::nullopt;
  for (const auto& f : *forms) {
    bool gzip = f.media_type.size() >= 4 && f.media_type.compare(f.media_type.size() - 4, 4, "gzip") == 0;
    if (!gzip || !store.content().Has(f.blob)) continue;
    auto size = store.content().Size(f.blob);
    if (!size.ok() || (f.size > 0 && *size != static_cast<uint64_t>(f.size))) continue;
    Blob b;
    b.digest = f.blob;
    b.size = *size;
    b.path = store.content().BlobPath(f.blob);
    b.media_type = std::string(media_type);
    return b;
  }
  return std::nullopt;
}

// The layers of an item as blobs: stored uncompressed tars, or gzip ones made on the way.
Expected<std::vector<Blob>> LayerBlobs(store::Store& store, const SaveItem& item, bool gzip, const std::string& tmp_dir,
                                       std::string_view tar_type, std::string_view gzip_type,
                                       std::map<Digest, Blob>& cache) {
  std::vector<Blob> out;
  for (const auto& l : item.layers) {
    auto it = cache.find(l.diff_id);
    if (it == cache.end()) {
      Blob b;
      if (gzip) {
        if (auto stored = StoredGzip(store, l.diff_id, gzip_type)) {
          b = std::move(*stored);
        } else {
          ASSIGN_OR_RETURN(b, CompressLayer(store, l.diff_id, tmp_dir));
          b.media_type = std::string(gzip_type);
        }
      } else {
        b.digest = l.diff_id;
        b.size = static_cast<uint64_t>(l.size);
        b.path = store.content().BlobPath(l.diff_id);
        b.media_type = std::string(tar_type);
      }
      it = cache.emplace(l.diff_id, std::move(b)).first;
    }
    out.push_back(it->second);
  }
  return out;
}

Blob MemoryBlob(std::string bytes, std::string media_type) {
  Blob b;
  b.digest = Digest::OfBytes(bytes);
  b.size = bytes.size();
  b.bytes = std::move(bytes);
  b.in_memory = true;
  b.media_type = std::move(media_type);
  return b;
}

Json DescriptorJson(const Blob& b, bool docker) {
  if (docker) return Json{{"mediaType", b.media_type}, {"size", b.size}, {"digest", b.digest.str()}};
  return Json{{"mediaType", b.media_type}, {"digest", b.digest.str()}, {"size", b.size}};
}

// The OCI manifest of an item: the stored one's annotations, these layers.
std::string OciManifest(const SaveItem& item, const Blob& config, const std::vector<Blob>& layers) {
  Json m = Json::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = std::string(image::kOciManifest);
  m["config"] = DescriptorJson(config, false);
  m["layers"] = Json::array();
  for (const auto& l : layers) m["layers"].push_back(DescriptorJson(l, false));
  Json stored = Json::parse(item.stored_manifest, nullptr, false);
  if (stored.is_object() && stored.contains("annotations") && stored["annotations"].is_object() &&
      !stored["annotations"].empty() && stored.value("mediaType", std::string(image::kOciManifest)) == image::kOciManifest)
    m["annotations"] = stored["annotations"];
  return JsonText(m);
}

std::string DockerManifest(const Blob& config, const std::vector<Blob>& layers) {
  Json m = Json::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = std::string(image::kDockerManifest);
  m["config"] = DescriptorJson(config, true);
  m["layers"] = Json::array();
  for (const auto& l : layers) m["layers"].push_back(DescriptorJson(l, true));
  return JsonText(m);
}

// Writes blob b to the layout file path (temporary name, then rename).
Status WriteBlobFile(const Blob& b, const std::string& path) {
  if (PathExists(path)) return Status::Ok();  // content-addressed: same name, same bytes
  if (b.in_memory) return WriteFileAtomic(path, b.bytes, 0644);
  if (b.fd) {
    // A compressed layer made in the same directory: give the anonymous file its name.
    std::string proc = "/proc/self/fd/" + std::to_string(b.fd->get());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return Status::Ok();
  }
  std::string tmp = path + ".tmp-" + RandomHex(4);
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoError("creating " + tmp, errno);
  UniqueFd owned;
  int in_fd;
  if (b.fd) {
    in_fd = b.fd->get();
  } else {
    ASSIGN_OR_RETURN(owned, OpenRead(b.path));
    in_fd = owned.get();
  }
  auto sink = FdSink(out.get());
  Status st = sink->CopyFromFd(in_fd, 0, b.size);
  if (st.ok()) st = sink->Flush();
  if (st.ok() && ::close(out.release()) != 0) st = ErrnoError("close " + tmp, errno);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoError("rename " + tmp, errno);
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Status AddBlobToTar(TarWriter& tar, const std::string& name, const Blob& b) {
  if (b.in_memory) return tar.AddBytes(name, b.bytes, 0644);
  UniqueFd owned;
  int in_fd;
  if (b.fd) {
    in_fd = b.fd->get();
  } else {
    ASSIGN_OR_RETURN(owned, OpenRead(b.path));
    in_fd = owned.get();
  }
  return tar.AddFromFd(name, in_fd, 0, b.size, 0644);
}

// ---- docker-archive ----

// `extra` adds entries before manifest.json (the OCI layout of the lists `save -m` was given),
// knowing which blobs went in as "<hex>.tar" layers and "<hex>.json" configs.
using ExtraEntries = std::function<Status(TarWriter&, const std::set<Digest>& sent)>;

Status WriteDockerArchive(store::Store& store, const std::vector<SaveItem>& items, ArchiveSink& sink,
                          Progress& progress, const ExtraEntries& extra = nullptr) {
  TarWriter tar(sink);
  std::set<Digest> sent_blobs;
  std::set<std::string> sent_legacy;
  Json manifest = Json::array();
  std::map<std::string, size_t> manifest_by_config;
  std::map<std::string, std::map<std::string, std::string>> repositories;  // sorted, as Go marshals maps
  for (const auto& item : items) {
    std::vector<Digest> diff_ids;
    Json layer_paths = Json::array();
    for (const auto& l : item.layers) {
      diff_ids.push_back(l.diff_id);
      layer_paths.push_back(l.diff_id.hex() + ".tar");
      progress.Line("Copying blob " + l.diff_id.str());
      if (!sent_blobs.insert(l.diff_id).second) continue;
      ASSIGN_OR_RETURN(UniqueFd fd, OpenRead(store.content().BlobPath(l.diff_id)));
      RETURN_IF_ERROR(tar.AddFromFd(l.diff_id.hex() + ".tar", fd.get(), 0, static_cast<uint64_t>(l.size)));
    }
    progress.Line("Copying config sha256:" + item.image.id);
    ASSIGN_OR_RETURN(Digest config_digest, Digest::FromHex(item.image.id));
    if (sent_blobs.insert(config_digest).second) RETURN_IF_ERROR(tar.AddBytes(item.image.id + ".json", item.config));
    progress.Line("Writing manifest to image destination");
    ASSIGN_OR_RETURN(std::vector<LegacyLayer> legacy, LegacyLayers(diff_ids, item.config));
    for (size_t i = 0; i < legacy.size(); ++i) {
      if (!sent_legacy.insert(legacy[i].id).second) continue;
      RETURN_IF_ERROR(tar.AddSymlink(legacy[i].id + "/layer.tar", "../" + diff_ids[i].hex() + ".tar"));
      RETURN_IF_ERROR(tar.AddBytes(legacy[i].id + "/VERSION", "1.0"));
      RETURN_IF_ERROR(tar.AddBytes(legacy[i].id + "/json", legacy[i].json));
    }
    auto [it, fresh] = manifest_by_config.emplace(item.image.id, manifest.size());
    if (fresh) manifest.push_back(Json{{"Config", item.image.id + ".json"}, {"RepoTags", Json::array()}, {"Layers", layer_paths}});
    Json& entry = manifest[it->second];
    for (const auto& t : item.tags) {
      if (std::find(entry["RepoTags"].begin(), entry["RepoTags"].end(), t) == entry["RepoTags"].end())
        entry["RepoTags"].push_back(t);
      if (!legacy.empty()) {
        ASSIGN_OR_RETURN(image::Reference ref, image::Parse(t));
        repositories[ref.Repository()][ref.tag] = legacy.back().id;
      }
    }
    progress.Line("Storing signatures");
  }
  if (extra) RETURN_IF_ERROR(extra(tar, sent_blobs));
  RETURN_IF_ERROR(tar.AddBytes("manifest.json", JsonText(manifest)));
  RETURN_IF_ERROR(tar.AddBytes("repositories", JsonText(nlohmann::json(repositories))));
  return tar.Close();
}

// ---- OCI layouts ----

struct OciImage {
  Blob manifest;
  std::string ref_name;
};

Status CollectOci(store::Store& store, const std::vector<SaveItem>& items, bool gzip, const std::string& tmp_dir,
                  Progress& progress, std::map<Digest, Blob>& blobs, std::vector<OciImage>& images) {
  std::map<Digest, Blob> layer_cache;
  for (const auto& item : items) {
    ASSIGN_OR_RETURN(std::vector<Blob> layers,
                     LayerBlobs(store, item, gzip, tmp_dir, image::kOciLayerTar, image::kOciLayerGzip, layer_cache));
    for (const auto& l : layers) {
      progress.Line("Copying blob " + l.digest.str());
      blobs.emplace(l.digest, l);
    }
    Blob config = MemoryBlob(item.config, std::string(image::kOciConfig));
    progress.Line("Copying config " + config.digest.str());
    blobs.emplace(config.digest, config);
    Blob manifest = MemoryBlob(OciManifest(item, config, layers), std::string(image::kOciManifest));
    progress.Line("Writing manifest to image destination");
    blobs.emplace(manifest.digest, manifest);
    images.push_back({manifest, item.tags.empty() ? "" : item.tags[0]});
    progress.Line("Storing signatures");
  }
  return Status::Ok();
}

Json IndexEntry(const OciImage& img) {
  Json e = DescriptorJson(img.manifest, false);
  if (!img.ref_name.empty()) e["annotations"] = Json{{std::string(kRefNameAnnotation), img.ref_name}};
  return e;
}

// Passes writes on to an archive sink.
class SinkWriter final : public Writer {
 public:
  explicit SinkWriter(ArchiveSink& sink) : sink_(sink) {}
  Status Write(const void* data, size_t n) override { return sink_.Write(data, n); }

 private:
  ArchiveSink& sink_;
};

// Blobs go out as they are made: each layer where an image first uses it, then that
// image's config and manifest; index.json and oci-layout last. A gzip layer going to a
// regular file is compressed straight into the archive and its header (which names the
// compressed digest and size) is written afterwards in the place kept for it; into a
// pipe it goes through a temporary file first.
Status WriteOciArchive(store::Store& store, const std::vector<SaveItem>& items, bool gzip, ArchiveSink& sink,
                       Progress& progress) {
  TarWriter tar(sink);
  RETURN_IF_ERROR(tar.AddDir("blobs/"));
  RETURN_IF_ERROR(tar.AddDir("blobs/sha256/"));
  std::map<Digest, Blob> by_diff_id;
  std::set<Digest> sent;
  std::vector<OciImage> images;
  for (const auto& item : items) {
    std::vector<Blob> layers;
    for (const auto& l : item.layers) {
      auto it = by_diff_id.find(l.diff_id);
      if (it == by_diff_id.end()) {
        Blob b;
        if (!gzip) {
          b.digest = l.diff_id;
          b.size = static_cast<uint64_t>(l.size);
          b.path = store.content().BlobPath(l.diff_id);
          b.media_type = std::string(image::kOciLayerTar);
          RETURN_IF_ERROR(AddBlobToTar(tar, "blobs/sha256/" + b.digest.hex(), b));
        } else if (auto stored = StoredGzip(store, l.diff_id, image::kOciLayerGzip)) {
          b = std::move(*stored);
          RETURN_IF_ERROR(AddBlobToTar(tar, "blobs/sha256/" + b.digest.hex(), b));
        } else if (sink.CanPatch()) {
          uint64_t header_at = sink.written();
          static const char kPlaceholder[512] = {};
          RETURN_IF_ERROR(sink.Write(kPlaceholder, sizeof kPlaceholder));
          SinkWriter to_sink(sink);
          DigestingWriter digesting(to_sink);
          RETURN_IF_ERROR(ParallelGzipFile(store.content().BlobPath(l.diff_id), digesting));
          b.size = digesting.bytes();
          b.digest = digesting.Finish();
          b.media_type = std::string(image::kOciLayerGzip);
          static const char kZeros[512] = {};
          if (b.size % 512) RETURN_IF_ERROR(sink.Write(kZeros, 512 - b.size % 512));
          std::string header =
              FormatTarHeader({"blobs/sha256/" + b.digest.hex(), '0', 0644, static_cast<int64_t>(b.size), 0, ""});
          if (header.size() != 512) return Internal("layer header does not fit one block");
          RETURN_IF_ERROR(sink.Patch(header_at, header));
        } else {
          ASSIGN_OR_RETURN(b, CompressLayer(store, l.diff_id, TempDir()));
          b.media_type = std::string(image::kOciLayerGzip);
          RETURN_IF_ERROR(AddBlobToTar(tar, "blobs/sha256/" + b.digest.hex(), b));
        }
        b.fd.reset();  // the temporary file's data is in the archive now
        sent.insert(b.digest);
        it = by_diff_id.emplace(l.diff_id, std::move(b)).first;
      }
      progress.Line("Copying blob " + it->second.digest.str());
      layers.push_back(it->second);
    }
    Blob config = MemoryBlob(item.config, std::string(image::kOciConfig));
    progress.Line("Copying config " + config.digest.str());
    if (sent.insert(config.digest).second)
      RETURN_IF_ERROR(AddBlobToTar(tar, "blobs/sha256/" + config.digest.hex(), config));
    Blob manifest = MemoryBlob(OciManifest(item, config, layers), std::string(image::kOciManifest));
    progress.Line("Writing manifest to image destination");
    if (sent.insert(manifest.digest).second)
      RETURN_IF_ERROR(AddBlobToTar(tar, "blobs/sha256/" + manifest.digest.hex(), manifest));
    images.push_back({manifest, item.tags.empty() ? "" : item.tags[0]});
    progress.Line("Storing signatures");
  }
  Json index = Json{{"schemaVersion", 2}, {"manifests", Json::array()}};
  for (const auto& img : images) index["manifests"].push_back(IndexEntry(img));
  RETURN_IF_ERROR(tar.AddBytes("index.json", JsonText(index), 0644));
  RETURN_IF_ERROR(tar.AddBytes("oci-layout", kOciLayoutBody, 0644));
  return tar.Close();
}

// Writes the blobs into an oci-dir and adds the images to its index.json.
Status WriteOciLayout(const std::string& dir, const std::map<Digest, Blob>& blobs, const std::vector<OciImage>& images) {
  std::string blob_dir = JoinPath(dir, "blobs/sha256");
  for (const auto& [digest, blob] : blobs) RETURN_IF_ERROR(WriteBlobFile(blob, JoinPath(blob_dir, digest.hex())));
  // An existing layout keeps its other images; one with the same ref.name is replaced.
  Json index = Json{{"schemaVersion", 2}, {"manifests", Json::array()}};
  std::string index_path = JoinPath(dir, "index.json");
  if (PathExists(index_path)) {
    ASSIGN_OR_RETURN(std::string old, ReadFile(index_path));
    Json j = Json::parse(old, nullptr, false);
    if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array())
      return Corrupt("oci-dir " + dir + ": index.json is not an OCI image index");
    index = j;
  }
  for (const auto& img : images) {
    Json& list = index["manifests"];
    if (!img.ref_name.empty()) {
      for (size_t i = 0; i < list.size(); ++i) {
        const Json& e = list[i];
        if (e.contains("annotations") && e["annotations"].is_object() &&
            e["annotations"].value(std::string(kRefNameAnnotation), std::string()) == img.ref_name) {
          list.erase(i);
          break;
        }
      }
    }
    list.push_back(IndexEntry(img));
  }
  RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir, "oci-layout"), kOciLayoutBody, 0644));
  return WriteFileAtomic(index_path, JsonText(index), 0644);
}

Status WriteOciDir(store::Store& store, const std::vector<SaveItem>& items, bool gzip, const std::string& dir,
                   Progress& progress) {
  std::string blob_dir = JoinPath(dir, "blobs/sha256");
  RETURN_IF_ERROR(MakeDirs(blob_dir));
  std::map<Digest, Blob> blobs;
  std::vector<OciImage> images;
  RETURN_IF_ERROR(CollectOci(store, items, gzip, blob_dir, progress, blobs, images));
  return WriteOciLayout(dir, blobs, images);
}

// ---- manifest lists (oci-archive, oci-dir) ----

// An instance of a list as it goes into the layout.
struct ListInstance {
  SaveItem item;
  std::vector<Blob> layers;
  Blob config;
  Blob manifest;
};

// A manifest list saved whole: its index and every instance.
struct SaveList {
  std::string ref_name;
  Blob index;
  std::vector<ListInstance> instances;
  uint64_t layer_bytes = 0;
};

// The layer blobs the stored manifest of an item names, when the store has every one: then
// the instance keeps its manifest bytes and digest, and the list its digest.
std::optional<std::vector<Blob>> StoredManifestLayers(store::Store& store, const SaveItem& item) {
  auto m = image::ParseManifest(item.stored_manifest);
  if (!m.ok() || m->layers.size() != item.layers.size() || m->config.digest.hex() != item.image.id) return std::nullopt;
  std::vector<Blob> out;
  for (size_t i = 0; i < m->layers.size(); ++i) {
    const image::Descriptor& d = m->layers[i];
    Blob b;
    b.digest = d.digest;
    b.media_type = d.media_type;
    if (d.digest == item.layers[i].diff_id) {
      b.size = static_cast<uint64_t>(item.layers[i].size);
    } else {
      auto forms = store.LayerBlobs(item.layers[i].diff_id);
      if (!forms.ok()) return std::nullopt;
      auto f = std::find_if(forms->begin(), forms->end(), [&](const store::Store::LayerBlob& f) {
        return f.blob == d.digest && store.content().Has(f.blob);
      });
      if (f == forms->end()) return std::nullopt;
      auto size = store.content().Size(d.digest);
      if (!size.ok()) return std::nullopt;
      b.size = *size;
    }
    if (d.size > 0 && b.size != static_cast<uint64_t>(d.size)) return std::nullopt;
    b.path = store.content().BlobPath(d.digest);
    out.push_back(std::move(b));
  }
  return out;
}

// The list and each of its instances, which must all be in the store. An instance whose
// stored manifest names layer blobs the store no longer has is described anew (uncompressed
// layers), and the index with it: its digest then changes, as podman's push would change it.
Expected<SaveList> ResolveList(store::Store& store, const store::ImageRecord& list, const std::string& arg) {
  SaveList out;
  ASSIGN_OR_RETURN(out.ref_name, NameForArgument(list, arg));
  const std::string name = list.names.empty() ? list.id : list.names.front();
  ASSIGN_OR_RETURN(std::string index_bytes, store.content().Read(list.manifest_digest));
  ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(index_bytes));
  bool changed = false;
  for (auto& e : index.manifests) {
    ASSIGN_OR_RETURN(std::optional<store::ImageRecord> rec, store.ImageByManifest(e.digest));
    if (!rec)
      return NotFound(name + ": instance " + e.digest.str() + (e.platform ? " (" + e.platform->String() + ")" : "") +
                      " is not in local storage");
    ASSIGN_OR_RETURN(SaveItem item, ReadItem(store, *rec));
    ListInstance inst;
    inst.item = item;
    inst.config = MemoryBlob(item.config, std::string(image::kOciConfig));
    if (auto stored = StoredManifestLayers(store, item)) {
      inst.layers = std::move(*stored);
      inst.manifest = MemoryBlob(item.stored_manifest, e.media_type.empty() ? std::string(image::kOciManifest) : e.media_type);
    } else {
      for (const auto& l : item.layers) {
        Blob b;
        b.digest = l.diff_id;
        b.size = static_cast<uint64_t>(l.size);
        b.path = store.content().BlobPath(l.diff_id);
        b.media_type = std::string(image::kOciLayerTar);
        inst.layers.push_back(std::move(b));
      }
      inst.manifest = MemoryBlob(OciManifest(item, inst.config, inst.layers), std::string(image::kOciManifest));
      e.digest = inst.manifest.digest;
      e.size = static_cast<int64_t>(inst.manifest.size);
      e.media_type = inst.manifest.media_type;
      changed = true;
    }
    for (const auto& l : inst.layers) out.layer_bytes += l.size;
    out.instances.push_back(std::move(inst));
  }
  out.index = MemoryBlob(changed ? image::SerializeOciIndex(index) : index_bytes, list.manifest_type);
  return out;
}

// Every blob of the list, in the order they are written (each instance's layers, config and
// manifest, then the index), with the copy log of podman's `manifest push --all`.
void ForEachListBlob(const SaveList& list, Progress& progress, const std::function<void(const Blob&)>& each) {
  progress.Line("Getting image list signatures");
  for (size_t i = 0; i < list.instances.size(); ++i) {
    const ListInstance& inst = list.instances[i];
    progress.Line("Copying image " + inst.manifest.digest.str() + " (" + std::to_string(i + 1) + "/" +
                  std::to_string(list.instances.size()) + ")");
    progress.Line("Getting image source signatures");
    for (const auto& l : inst.layers) {
      progress.Line("Copying blob " + l.digest.str());
      each(l);
    }
    progress.Line("Copying config " + inst.config.digest.str());
    each(inst.config);
    progress.Line("Writing manifest to image destination");
    each(inst.manifest);
    progress.Line("Storing signatures");
  }
  progress.Line("Writing manifest list to image destination");
  each(list.index);
  progress.Line("Storing list signatures");
}

Status WriteOciListArchive(const SaveList& list, ArchiveSink& sink, Progress& progress) {
  TarWriter tar(sink);
  RETURN_IF_ERROR(tar.AddDir("blobs/"));
  RETURN_IF_ERROR(tar.AddDir("blobs/sha256/"));
  std::set<Digest> sent;
  Status st;
  ForEachListBlob(list, progress, [&](const Blob& b) {
    if (st.ok() && sent.insert(b.digest).second) st = AddBlobToTar(tar, "blobs/sha256/" + b.digest.hex(), b);
  });
  RETURN_IF_ERROR(st);
  Json index = Json{{"schemaVersion", 2}, {"manifests", Json::array({IndexEntry({list.index, list.ref_name})})}};
  RETURN_IF_ERROR(tar.AddBytes("index.json", JsonText(index), 0644));
  RETURN_IF_ERROR(tar.AddBytes("oci-layout", kOciLayoutBody, 0644));
  return tar.Close();
}

// `save -m LIST …` (docker-archive): the lists as an OCI layout inside the same tar (as
// Docker 25's save does), beside the instances' docker-archive entries. Blobs the
// docker-archive part holds already ("<hex>.tar", "<hex>.json") are symlinks to them.
Status AddListLayout(TarWriter& tar, const std::vector<SaveList>& lists, const std::set<Digest>& sent) {
  RETURN_IF_ERROR(tar.AddDir("blobs/"));
  RETURN_IF_ERROR(tar.AddDir("blobs/sha256/"));
  std::set<Digest> added;
  Progress silent;
  Status st;
  Json index = Json{{"schemaVersion", 2}, {"manifests", Json::array()}};
  for (const auto& list : lists) {
    std::set<Digest> configs;
    for (const auto& inst : list.instances) configs.insert(inst.config.digest);
    ForEachListBlob(list, silent, [&](const Blob& b) {
      if (!st.ok() || !added.insert(b.digest).second) return;
      std::string name = "blobs/sha256/" + b.digest.hex();
      if (sent.count(b.digest))
        st = tar.AddSymlink(name, "../../" + b.digest.hex() + (configs.count(b.digest) ? ".json" : ".tar"));
      else
        st = AddBlobToTar(tar, name, b);
    });
    RETURN_IF_ERROR(st);
    index["manifests"].push_back(IndexEntry({list.index, list.ref_name}));
  }
  RETURN_IF_ERROR(tar.AddBytes("index.json", JsonText(index), 0644));
  return tar.AddBytes("oci-layout", kOciLayoutBody, 0644);
}

Status WriteOciListDir(const SaveList& list, const std::string& dir, Progress& progress) {
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "blobs/sha256")));
  std::map<Digest, Blob> blobs;
  ForEachListBlob(list, progress, [&](const Blob& b) { blobs.emplace(b.digest, b); });
  return WriteOciLayout(dir, blobs, {OciImage{list.index, list.ref_name}});
}

Status WriteDockerDir(store::Store& store, const SaveItem& item, bool gzip, const std::string& dir,
                      const std::string& typed, Progress& progress) {
  // containers/image's dir: transport: an empty or missing directory, or one it wrote
  // before (it has a "version" file), whose contents are then replaced.
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return InvalidArgument("initializing destination dir:" + typed + ": not a directory");
    bool empty = true;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (struct dirent* e = ::readdir(d))
        if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") empty = false;
      ::closedir(d);
    }
    if (!empty) {
      if (!PathExists(JoinPath(dir, "version")))
        return InvalidArgument("initializing destination dir:" + typed +
                               ": not a containers image directory, don't want to overwrite important data");
      RETURN_IF_ERROR(RemoveTree(dir));
    }
  }
  RETURN_IF_ERROR(MakeDirs(dir));
  RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir, "version"), kDirVersionBody, 0644));
  std::map<Digest, Blob> cache;
  ASSIGN_OR_RETURN(std::vector<Blob> layers,
                   LayerBlobs(store, item, gzip, dir, image::kDockerLayerTar, image::kDockerLayerGzip, cache));
  for (const auto& l : layers) {
    progress.Line("Copying blob " + l.digest.str());
    RETURN_IF_ERROR(WriteBlobFile(l, JoinPath(dir, l.digest.hex())));
  }
  Blob config = MemoryBlob(item.config, std::string(image::kDockerConfig));
  progress.Line("Copying config " + config.digest.str());
  RETURN_IF_ERROR(WriteBlobFile(config, JoinPath(dir, config.digest.hex())));
  progress.Line("Writing manifest to image destination");
  RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir, "manifest.json"), DockerManifest(config, layers), 0644));
  progress.Line("Storing signatures");
  return Status::Ok();
}

// Runs write(sink) into the output: a file is written under a temporary name beside it
// and renamed when whole; anything else (stdout, /dev/null, a fifo) directly.
// podman's words when the archive file cannot be created.
Status OpenOutputError(const std::string& path, int err) {
  return ErrnoError("opening file \"" + path + "\": open " + path, err);
}

Status WriteArchiveOutput(const SaveOptions& o, uint64_t total, Progress& progress,
                          const std::function<Status(ArchiveSink&)>& write) {
  auto run = [&](int fd) -> Status {
    auto sink = FdSink(fd);
    sink->OnProgress([&](uint64_t done) { progress.Bytes(done, total); });
    RETURN_IF_ERROR(write(*sink));
    progress.Bytes(sink->written(), sink->written());
    return Status::Ok();
  };
  if (o.output.empty()) return run(o.out_fd);
  struct stat st;
  bool exists = ::stat(o.output.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    UniqueFd fd(::open(o.output.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return OpenOutputError(o.output, errno);
    return run(fd.get());
  }
  std::string tmp = JoinPath(ParentDir(o.output), "." + std::string(o.output.substr(o.output.rfind('/') + 1)) +
                                                     ".kiln-" + RandomHex(4));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return OpenOutputError(o.output, errno);
  Status st2 = run(fd.get());
  if (st2.ok() && ::close(fd.release()) != 0) st2 = ErrnoError("close " + o.output, errno);
  if (st2.ok() && ::rename(tmp.c_str(), o.output.c_str()) != 0) st2 = ErrnoError("rename " + o.output, errno);
  if (!st2.ok()) ::unlink(tmp.c_str());
  return st2;
}

}  // namespace

Status SaveImages(store::Store& store, const SaveOptions& o, Progress& progress) {
  if (o.images.empty()) return InvalidArgument("requires at least 1 arg(s), only received 0");
  if (o.multi && o.images.size() > 1 && o.format != SaveFormat::kDockerArchive)
    return InvalidArgument("unsupported format \"" + std::string(FormatName(o.format)) +
                           "\" for saving multiple images (only docker-archive)");
  bool is_dir = o.format == SaveFormat::kOciDir || o.format == SaveFormat::kDockerDir;
  if (is_dir && o.output.empty()) return InvalidArgument("--output must be specified with --format " + std::string(FormatName(o.format)));
  if (o.format == SaveFormat::kDockerArchive && !o.output.empty()) {
    struct stat st;
    if (::stat(o.output.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
      return InvalidArgument("docker-archive doesn't support modifying existing images");
  }
  // Resolve everything first: a bad name writes nothing.
  if (o.format == SaveFormat::kOciArchive || o.format == SaveFormat::kOciDir) {
    // A manifest list goes whole into an OCI layout: the index under its name, each instance.
    ASSIGN_OR_RETURN(store::ImageRecord found, store.LookupImage(o.images[0]));
    if (store::Store::IsList(found)) {
      ASSIGN_OR_RETURN(SaveList list, ResolveList(store, found, o.images[0]));
      if (o.format == SaveFormat::kOciDir) return WriteOciListDir(list, o.output, progress);
      return WriteArchiveOutput(o, list.layer_bytes, progress,
                                [&](ArchiveSink& sink) { return WriteOciListArchive(list, sink, progress); });
    }
  }
  std::vector<SaveItem> items;
  std::vector<SaveList> lists;  // -m of a manifest list: every instance, and the index
  if (o.multi) {
    for (const auto& arg : o.images) {
      ASSIGN_OR_RETURN(store::ImageRecord found, store.LookupImage(arg));
      if (o.format == SaveFormat::kDockerArchive && store::Store::IsList(found)) {
        ASSIGN_OR_RETURN(SaveList list, ResolveList(store, found, arg));
        for (const auto& inst : list.instances) items.push_back(inst.item);
        lists.push_back(std::move(list));
        continue;
      }
      ASSIGN_OR_RETURN(SaveItem item, Resolve(store, arg));
      items.push_back(std::move(item));
    }
  } else {
    ASSIGN_OR_RETURN(SaveItem item, Resolve(store, o.images[0]));
    if (o.format == SaveFormat::kDockerArchive && o.images.size() > 1) {
      std::vector<std::string> tags;
      for (size_t i = 1; i < o.images.size(); ++i) {
        ASSIGN_OR_RETURN(image::Reference ref, image::ParseNormalizedLocal(o.images[i]));
        tags.push_back(ref.String());
      }
      // podman lists the extra tags first, then the image's own name.
      for (const auto& t : item.tags) tags.push_back(t);
      item.tags = std::move(tags);
    }
    items.push_back(std::move(item));
  }
  uint64_t total = 0;
  for (const auto& item : items)
    for (const auto& l : item.layers) total += static_cast<uint64_t>(l.size);
  bool gzip_oci = !o.uncompressed;
  switch (o.format) {
    case SaveFormat::kDockerArchive:
      return WriteArchiveOutput(o, total, progress,
                                [&](ArchiveSink& sink) {
                                  ExtraEntries extra;
                                  if (!lists.empty())
                                    extra = [&](TarWriter& tar, const std::set<Digest>& sent) {
                                      return AddListLayout(tar, lists, sent);
                                    };
                                  return WriteDockerArchive(store, items, sink, progress, extra);
                                });
    case SaveFormat::kOciArchive:
      return WriteArchiveOutput(o, gzip_oci ? 0 : total, progress, [&](ArchiveSink& sink) {
        return WriteOciArchive(store, items, gzip_oci, sink, progress);
      });
    case SaveFormat::kOciDir:
      return WriteOciDir(store, items, gzip_oci, o.output, progress);
    case SaveFormat::kDockerDir:
      return WriteDockerDir(store, items[0], o.compress, o.output, o.output, progress);
  }
  return Internal("unknown format");
}

}  // namespace kiln::archive
