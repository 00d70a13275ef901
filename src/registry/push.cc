#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <mutex>
#include <thread>

#include "image/config.h"
#include "image/reference.h"
#include "registry/tee.h"
#include "registry/transfer.h"
#include "util/parallel_gzip.h"

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

// The stored tar at `path`, compressed into out: gzip in parallel 4 MiB members (as `save`
// does: ISA-L's fastest level, incompressible pieces stored), other formats in one stream.
Status CompressLayer(const std::string& path, Compression c, Writer& out) {
  if (c == Compression::kGzip) return ParallelGzipFile(path, out);
  ASSIGN_OR_RETURN(auto tar, OpenFileReader(path));
  ASSIGN_OR_RETURN(auto comp, OpenCompressor(c, std::make_unique<WriterRef>(out)));
  RETURN_IF_ERROR(CopyStream(*tar, *comp).status());
  return comp->Close();
}

struct PushJob {
  store::LayerInfo layer;
  std::vector<store::Store::LayerBlob> stored;  // compressed forms we have
  image::Descriptor sent;
  bool new_blob = false;  // compressed here: record it
  Status status;
};

Status PushLayer(store::Store& store, Client& client, PushJob& job, Compression want, const std::string& media_type,
                 const std::vector<std::string>& mount_from) {
  const auto& content = store.content();
  // A stored blob of the wanted compression is sent as it is.
  for (const auto& b : job.stored)
    if (CompressionOfMediaType(b.media_type) == want && content.Has(b.blob)) {
      job.sent = {media_type, b.blob, b.size};
      break;
    }
  // A form some registry has, whose bytes are not here (pulled as a layer the store already
  // had): when the destination has it too, nothing needs compressing or sending.
  for (const auto& b : job.stored) {
    if (!job.sent.digest.empty()) break;
    if (CompressionOfMediaType(b.media_type) != want || content.Has(b.blob)) continue;
    auto exists = client.BlobExists(b.blob);
    if (exists.ok() && *exists) {
      job.sent = {media_type, b.blob, b.size};
      return Status::Ok();
    }
  }
  if (job.sent.digest.empty()) {
    if (want == Compression::kNone) {
      job.sent = {media_type, job.layer.diff_id, job.layer.size};
    } else {
      // Compressed once, streamed to the registry while it is written to the store: the
      // upload overlaps the compression, and the next push sends the stored form.
      std::string tar_path = content.BlobPath(job.layer.diff_id);
      ASSIGN_OR_RETURN(store::Ingest ingest, content.BeginIngest());
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
      (void)::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
      FdReader pipe_r{UniqueFd(fds[0])};
      FdWriter pipe_w{UniqueFd(fds[1])};
      Status produced;
      std::thread producer([&] {
        TeeWriter tee(ingest, pipe_w);
        produced = CompressLayer(tar_path, want, tee);
        (void)pipe_w.Close();  // EOF for the upload even after a failure
      });
      bool joined = false;
      auto finish = [&]() -> Expected<Digest> {
        producer.join();
        joined = true;
        RETURN_IF_ERROR(produced);
        uint64_t size = ingest.size();
        ASSIGN_OR_RETURN(Digest d, ingest.Commit());
        job.sent = {media_type, d, static_cast<int64_t>(size)};
        job.new_blob = true;
        return d;
      };
      Status up = client.UploadStream(pipe_r, finish);
      if (!joined) {
        // The upload stopped early: drain the pipe so the producer can finish into the store.
        char buf[1 << 16];
        while (true) {
          auto n = pipe_r.Read(buf, sizeof buf);
          if (!n.ok() || *n == 0) break;
        }
        auto d = finish();
        if (!d.ok()) return d.status();
      }
      if (up.ok()) return Status::Ok();
      if (job.sent.digest.empty()) return up;
      // Fall through: a plain (retried) upload of the blob now stored.
    }
  }
  ASSIGN_OR_RETURN(bool exists, client.BlobExists(job.sent.digest));
  if (exists) return Status::Ok();
  // A blob pulled from another repository of this registry is mounted, not sent again.
  if (!job.new_blob)
    for (const auto& from : mount_from) {
      auto mounted = client.MountBlob(job.sent.digest, from);
      if (mounted.ok() && *mounted) return Status::Ok();
    }
  std::string path = content.BlobPath(job.sent.digest);
  return client.UploadBlob(job.sent.digest, job.sent.size,
                           [path]() -> Expected<std::unique_ptr<Reader>> { return OpenFileReader(path); });
}

}  // namespace

Expected<PushResult> PushImage(store::Store& store, const RegistriesConf& conf, const std::string& source,
                               const std::string& destination, const PushOptions& options, const ProgressFn& progress) {
  RETURN_IF_ERROR(InitCurl());
  ::signal(SIGPIPE, SIG_IGN);  // a registry that hangs up mid-upload is an error, not a death
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
  RETURN_IF_ERROR(client.Ping());

  ASSIGN_OR_RETURN(std::string config_bytes, store.content().Read(*Digest::FromHex(img.id)));
  ASSIGN_OR_RETURN(std::string stored_manifest, store.content().Read(img.manifest_digest));
  ASSIGN_OR_RETURN(image::Manifest stored, image::ParseManifest(stored_manifest));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, store.ImageLayers(img.id));

  bool oci = options.format.empty() ? stored.media_type != image::kDockerManifest : options.format == "oci";
  if (!oci && options.compression == Compression::kZstd)
    return InvalidArgument("zstd compression is not supported with --format v2s2 (Docker manifests have no zstd layers)");
  std::string media_type = LayerMediaType(oci, options.compression);

  // Repositories of the same registry the image came from: cross-repository mount sources.
  std::vector<std::string> mount_from;
  for (const auto& n : img.names) {
    auto r = image::Parse(n);
    if (r.ok() && r->domain == ref.domain && r->path != ref.path &&
        std::find(mount_from.begin(), mount_from.end(), r->path) == mount_from.end())
      mount_from.push_back(r->path);
  }
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
      jobs[k].status = PushLayer(store, client, jobs[k], options.compression, media_type, mount_from);
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
  for (const auto& from : mount_from) {
    if (has_config) break;
    auto mounted = client.MountBlob(config_digest, from);
    has_config = mounted.ok() && *mounted;
  }
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
  const Digest pushed = Digest::OfBytes(manifest_bytes);
  std::string tag = ref.digest.empty() ? (ref.tag.empty() ? "latest" : ref.tag) : ref.digest.str();
  if (options.by_digest) tag = pushed.str();
  RETURN_IF_ERROR(client.PutManifest(tag, m.media_type, manifest_bytes));
  progress("Storing signatures");
  return PushResult{pushed, m.media_type, static_cast<int64_t>(manifest_bytes.size())};
}

}  // namespace kiln::registry
