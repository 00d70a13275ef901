#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "image/config.h"
#include "image/reference.h"
#include "registry/transfer.h"

namespace kiln::registry {
namespace {

std::string LayerMediaType(bool oci, Compression c) {
  if (!oci) return std::string(image::kDockerLayerGzip);
  if (c == Compression::kZstd) return std::string(image::kOciLayerZstd);
  if (c == Compression::kNone) return std::string(image::kOciLayerTar);
  return std::string(image::kOciLayerGzip);
}

Compression CompressionOfMediaType(const std::string& mt) {
  if (mt.find("zstd") != std::string::npos) return Compression::kZstd;
  if (mt.find("gzip") != std::string::npos) return Compression::kGzip;
  return Compression::kNone;
}

struct PushJob {
  store::LayerInfo layer;
  std::vector<store::Store::LayerBlob> stored;  // compressed forms we have
  image::Descriptor sent;
  bool new_blob = false;  // compressed here: record it
  Status status;
};

Status PushLayer(store::Store& store, Client& client, PushJob& job, Compression want, const std::string& media_type) {
  const auto& content = store.content();
  // A stored blob of the wanted compression is sent as it is.
  for (const auto& b : job.stored)
    if (CompressionOfMediaType(b.media_type) == want && content.Has(b.blob)) {
      job.sent = {media_type, b.blob, b.size};
      break;
    }
  if (job.sent.digest.empty()) {
    if (want == Compression::kNone) {
      job.sent = {media_type, job.layer.diff_id, job.layer.size};
    } else {
      ASSIGN_OR_RETURN(auto tar, OpenFileReader(content.BlobPath(job.layer.diff_id)));
      ASSIGN_OR_RETURN(store::Ingest ingest, content.BeginIngest());
      {
        ASSIGN_OR_RETURN(auto comp, OpenCompressor(want, std::make_unique<WriterRef>(ingest)));
        RETURN_IF_ERROR(CopyStream(*tar, *comp).status());
        RETURN_IF_ERROR(comp->Close());
      }
      uint64_t size = ingest.size();
      ASSIGN_OR_RETURN(Digest d, ingest.Commit());
      job.sent = {media_type, d, static_cast<int64_t>(size)};
      job.new_blob = true;
    }
  }
  ASSIGN_OR_RETURN(bool exists, client.BlobExists(job.sent.digest));
  if (exists) return Status::Ok();
  std::string path = content.BlobPath(job.sent.digest);
  return client.UploadBlob(job.sent.digest, job.sent.size,
                           [path]() -> Expected<std::unique_ptr<Reader>> { return OpenFileReader(path); });
}

}  // namespace

Expected<PushResult> PushImage(store::Store& store, const RegistriesConf& conf, const std::string& source,
                               const std::string& destination, const PushOptions& options, const ProgressFn& progress) {
  RETURN_IF_ERROR(InitCurl());
  ASSIGN_OR_RETURN(store::ImageRecord img, store.LookupImage(source));
  std::string dest = destination.empty() ? source : destination;
  if (dest.rfind("docker://", 0) == 0) dest = dest.substr(9);
  if (destination.empty() && image::IsShortName(dest)) {
    // podman pushes a short name to where it resolves locally ("busybox" → localhost/busybox).
    auto local = image::ParseNormalizedLocal(dest);
    if (local.ok()) dest = local->String();
  }
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseDockerRef(dest));
  ClientOptions co = options.client;
  if (const RegistryEntry* e = conf.Find(ref.Repository())) {
    if (e->blocked) return InvalidArgument("registry " + ref.domain + " is blocked in " + conf.main_file);
    co.insecure = e->insecure;
  }
  Client client(ref.domain, ref.path, co, "pull,push");
  std::string ctx = "trying to reuse blob";
  RETURN_IF_ERROR(client.Ping());

  ASSIGN_OR_RETURN(std::string config_bytes, store.content().Read(*Digest::FromHex(img.id)));
  ASSIGN_OR_RETURN(std::string stored_manifest, store.content().Read(img.manifest_digest));
  ASSIGN_OR_RETURN(image::Manifest stored, image::ParseManifest(stored_manifest));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, store.ImageLayers(img.id));

  bool oci = options.format.empty() ? stored.media_type != image::kDockerManifest : options.format == "oci";
  if (!oci && options.compression == Compression::kZstd)
    return InvalidArgument("zstd compression is not supported with --format v2s2 (Docker manifests have no zstd layers)");
  std::string media_type = LayerMediaType(oci, options.compression);

  std::vector<PushJob> jobs(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    jobs[i].layer = layers[i];
    ASSIGN_OR_RETURN(jobs[i].stored, store.LayerBlobs(layers[i].diff_id));
  }
  progress("Getting image source signatures");
  for (const auto& l : layers) progress("Copying blob " + l.diff_id.str());

  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (;;) {
      size_t k = next++;
      if (k >= jobs.size()) return;
      jobs[k].status = PushLayer(store, client, jobs[k], options.compression, media_type);
    }
  };
  std::vector<std::thread> threads;
  int n = std::max(1, std::min<int>(options.jobs, static_cast<int>(jobs.size())));
  for (int t = 0; t < n && !jobs.empty(); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  for (auto& j : jobs) {
    if (j.new_blob) (void)store.AddLayerBlob(j.layer.diff_id, {j.sent.digest, j.sent.media_type, j.sent.size});
  }
  for (auto& j : jobs)
    if (!j.status.ok()) return j.status.Wrap("writing blob: uploading layer " + j.layer.diff_id.str());

  progress("Copying config sha256:" + img.id);
  Digest config_digest = *Digest::FromHex(img.id);
  ASSIGN_OR_RETURN(bool has_config, client.BlobExists(config_digest));
  if (!has_config) {
    auto bytes = std::make_shared<std::string>(config_bytes);
    RETURN_IF_ERROR(client
                        .UploadBlob(config_digest, static_cast<int64_t>(bytes->size()),
                                    [bytes]() -> Expected<std::unique_ptr<Reader>> {
                                      return std::unique_ptr<Reader>(std::make_unique<StringReader>(*bytes));
                                    })
                        .Wrap("writing config"));
  }

  image::Manifest m;
  m.media_type = std::string(oci ? image::kOciManifest : image::kDockerManifest);
  m.config = {std::string(oci ? image::kOciConfig : image::kDockerConfig), config_digest,
              static_cast<int64_t>(config_bytes.size())};
  for (const auto& j : jobs) m.layers.push_back(j.sent);
  if (oci) m.annotations = stored.annotations;
  std::string manifest_bytes = m.Serialize();
  // The manifest as pulled, when nothing about it changes: its digest stays the same.
  if (stored.media_type == m.media_type && stored.layers.size() == m.layers.size()) {
    bool same = stored.config.digest == m.config.digest;
    for (size_t i = 0; same && i < m.layers.size(); ++i)
      same = stored.layers[i].digest == m.layers[i].digest && stored.layers[i].media_type == m.layers[i].media_type;
    if (same) manifest_bytes = stored_manifest;
  }
  progress("Writing manifest to image destination");
  std::string tag = ref.digest.empty() ? (ref.tag.empty() ? "latest" : ref.tag) : ref.digest.str();
  RETURN_IF_ERROR(client.PutManifest(tag, m.media_type, manifest_bytes));
  progress("Storing signatures");
  return PushResult{Digest::OfBytes(manifest_bytes)};
}

}  // namespace kiln::registry
