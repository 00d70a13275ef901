#include "manifest/manifest.h"

#include "image/config.h"
#include "image/reference.h"
#include "registry/curl.h"
#include "util/io.h"

namespace kiln::manifest {
namespace {

constexpr std::string_view kLocalTransport = "containers-storage:";

std::string DisplayName(const store::ImageRecord& rec) { return rec.names.empty() ? rec.id : rec.names[0]; }

Expected<image::IndexEntry> EntryFromManifest(const std::string& bytes, const std::string& media_type,
                                              const std::string& config_bytes) {
  image::IndexEntry e;
  e.media_type = media_type;
  e.digest = Digest::OfBytes(bytes);
  e.size = static_cast<int64_t>(bytes.size());
  ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(config_bytes));
  e.platform = config.GetPlatform();
  return e;
}

Expected<std::vector<image::IndexEntry>> LocalEntries(store::Store& store, std::string_view name, bool all) {
  ASSIGN_OR_RETURN(store::ImageRecord rec, store.LookupImage(name));
  if (!store::Store::IsList(rec)) {
    ASSIGN_OR_RETURN(image::IndexEntry e, EntryForImage(store, rec));
    return std::vector<image::IndexEntry>{std::move(e)};
  }
  ASSIGN_OR_RETURN(std::string bytes, store.content().Read(rec.manifest_digest));
  ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(bytes));
  if (all) return index.manifests;
  ASSIGN_OR_RETURN(const image::IndexEntry* e, image::ChooseInstance(index, image::HostPlatform()));
  return std::vector<image::IndexEntry>{*e};
}

Expected<std::vector<image::IndexEntry>> RemoteEntries(const std::string& input, bool all, const Remote& remote) {
  RETURN_IF_ERROR(registry::InitCurl());
  std::string ref_text = input.rfind("docker://", 0) == 0 ? input.substr(9) : input;
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseNormalizedPull(ref_text));
  registry::ClientOptions co = remote.client;
  if (remote.conf)
    if (const registry::RegistryEntry* e = remote.conf->Find(ref.Repository())) co.insecure = e->insecure;
  registry::Client client(ref.domain, ref.path, co, "pull");
  auto fetch = [&]() -> Expected<std::vector<image::IndexEntry>> {
    RETURN_IF_ERROR(client.Ping());
    std::string tag = ref.digest.empty() ? (ref.tag.empty() ? "latest" : ref.tag) : ref.digest.str();
    ASSIGN_OR_RETURN(registry::FetchedManifest top, client.GetManifest(tag));
    registry::FetchedManifest chosen = top;
    if (image::IsIndexMediaType(top.media_type)) {
      ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(top.bytes));
      if (all) return index.manifests;
      ASSIGN_OR_RETURN(const image::IndexEntry* e, image::ChooseInstance(index, image::HostPlatform()));
      return std::vector<image::IndexEntry>{*e};
    }
    ASSIGN_OR_RETURN(image::Manifest m, image::ParseManifest(chosen.bytes));
    StringWriter config;
    RETURN_IF_ERROR(client.GetBlob(m.config.digest, config));
    ASSIGN_OR_RETURN(image::IndexEntry e, EntryFromManifest(chosen.bytes, chosen.media_type, config.Take()));
    return std::vector<image::IndexEntry>{std::move(e)};
  };
  auto out = fetch();
  if (!out.ok()) return out.status().Wrap("reading image \"docker://" + ref.String() + "\"");
  return out;
}

}  // namespace

Expected<List> Load(store::Store& store, std::string_view name) {
  ASSIGN_OR_RETURN(store::ImageRecord rec, store.LookupImage(name));
  if (!store::Store::IsList(rec)) return InvalidArgument(DisplayName(rec) + ": image is not a manifest list");
  ASSIGN_OR_RETURN(std::string bytes, store.content().Read(rec.manifest_digest));
  ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(bytes));
  return List{std::move(rec), std::move(index)};
}

Status Save(store::Store& store, const List& list) {
  return store.UpdateList(list.record.id, image::SerializeOciIndex(list.index));
}

Expected<List> Create(store::Store& store, std::string_view name) {
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseNormalizedLocal(name));
  image::Index index;
  auto rec = store.CreateList(image::SerializeOciIndex(index), ref.String());
  if (!rec.ok()) return rec.status().Wrap("creating image to hold manifest list");
  return List{std::move(*rec), std::move(index)};
}

Expected<store::ImageRecord> ImageForPlatform(store::Store& store, const store::ImageRecord& found,
                                              const image::Platform& platform) {
  if (store::Store::IsList(found)) return store.InstanceFor(found, platform);
  ASSIGN_OR_RETURN(image::ImageConfig cfg, store.ReadConfig(found));
  const image::Platform have = cfg.GetPlatform();
  bool same = have.os == platform.os && image::NormalizeArch(have.architecture) == image::NormalizeArch(platform.architecture) &&
              (platform.variant.empty() || have.variant.empty() || have.variant == platform.variant);
  if (!same)
    return InvalidArgument(DisplayName(found) + ": image platform (" + have.String() +
                           ") does not match the expected platform (" + platform.String() + ")");
  return found;
}

Expected<image::IndexEntry> EntryForImage(store::Store& store, const store::ImageRecord& image) {
  ASSIGN_OR_RETURN(std::string bytes, store.content().Read(image.manifest_digest));
  ASSIGN_OR_RETURN(std::string config, store.content().Read(*Digest::FromHex(image.id)));
  return EntryFromManifest(bytes, image.manifest_type, config);
}

Expected<std::vector<image::IndexEntry>> EntriesFor(store::Store& store, const std::string& ref, bool all,
                                                    const Remote& remote) {
  if (ref.rfind(kLocalTransport, 0) == 0) return LocalEntries(store, std::string_view(ref).substr(kLocalTransport.size()), all);
  return RemoteEntries(ref, all, remote);
}

Status AddImageToList(store::Store& store, std::string_view list_name, const std::string& image_id) {
  ASSIGN_OR_RETURN(store::ImageRecord image, store.GetImage(image_id));
  ASSIGN_OR_RETURN(image::IndexEntry entry, EntryForImage(store, image));
  auto list = Load(store, list_name);
  if (!list.ok() && list.status().code() == Code::kNotFound) list = Create(store, list_name);
  if (!list.ok()) return list.status();
  list->index.Put(std::move(entry));
  return Save(store, *list);
}

Status ApplyOverrides(image::IndexEntry& entry, const Overrides& o) {
  image::Platform p = entry.platform.value_or(image::Platform{});
  if (!o.os.empty()) p.os = o.os;
  if (!o.arch.empty()) p.architecture = o.arch;
  if (!o.variant.empty()) p.variant = o.variant;
  if (!o.os_version.empty()) p.os_version = o.os_version;
  if (!o.os_features.empty()) p.os_features = o.os_features;
  entry.platform = std::move(p);
  if (!o.annotations.empty()) {
    std::map<std::string, std::string> a;
    for (const auto& kv : o.annotations) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) return InvalidArgument("no value given for annotation \"" + kv + "\"");
      a[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    entry.annotations = std::move(a);
  }
  return Status::Ok();
}

Expected<Digest> PushList(store::Store& store, const registry::RegistriesConf& conf, const List& list,
                          const std::string& dest_input, const PushListOptions& options,
                          const registry::ProgressFn& progress) {
  RETURN_IF_ERROR(registry::InitCurl());
  std::string dest = dest_input.rfind("docker://", 0) == 0 ? dest_input.substr(9) : dest_input;
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseDockerRef(dest));
  image::Index pushed = list.index;
  progress("Getting image list signatures");
  if (options.all) {
    registry::PushOptions po = options.image;
    po.format.clear();  // each instance keeps its own kind; --format is the list's
    po.by_digest = true;
    const std::string n = std::to_string(pushed.manifests.size());
    progress("Copying " + n + " of " + n + " images in list");
    size_t i = 0;
    for (auto& e : pushed.manifests) {
      progress("Copying image " + e.digest.str() + " (" + std::to_string(++i) + "/" + n + ")");
      ASSIGN_OR_RETURN(std::optional<store::ImageRecord> img, store.ImageByManifest(e.digest));
      if (!img)
        return NotFound("pushing manifest list " + DisplayName(list.record) + ": instance " + e.digest.str() +
                        " is not in local storage");
      ASSIGN_OR_RETURN(registry::PushResult r, registry::PushImage(store, conf, img->id, dest, po, progress));
      e.digest = r.manifest_digest;
      e.size = r.size;
      e.media_type = r.media_type;
    }
  }
  const bool docker = options.image.format == "v2s2";
  std::string bytes = docker ? image::SerializeDockerList(pushed) : image::SerializeOciIndex(pushed);
  std::string media_type(docker ? image::kDockerListType : image::kOciIndexType);
  registry::ClientOptions co = options.image.client;
  if (const registry::RegistryEntry* e = conf.Find(ref.Repository())) co.insecure = e->insecure;
  registry::Client client(ref.domain, ref.path, co, "pull,push");
  RETURN_IF_ERROR(client.Ping());
  progress("Writing manifest list to image destination");
  std::string tag = ref.digest.empty() ? (ref.tag.empty() ? "latest" : ref.tag) : ref.digest.str();
  RETURN_IF_ERROR(client.PutManifest(tag, media_type, bytes));
  progress("Storing list signatures");
  return Digest::OfBytes(bytes);
}

}  // namespace kiln::manifest
