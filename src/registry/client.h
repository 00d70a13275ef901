// An OCI distribution (Docker registry v2) client for one repository: ping, the registry's
// WWW-Authenticate challenge (Bearer token or Basic), manifests, blobs, uploads, tags.
// Safe to share between threads: each thread uses its own HTTP session (connection cache).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/config.h"
#include "registry/curl.h"
#include "util/digest.h"
#include "util/io.h"
#include "util/status.h"

namespace kiln::registry {

struct ClientOptions {
  std::optional<bool> tls_verify;  // --tls-verify; unset: registries.conf `insecure` decides
  bool insecure = false;           // registries.conf says so (http and unverified TLS allowed)
  std::string cert_dir;            // --cert-dir, else /etc/containers/certs.d/<host>
  std::string authfile;            // --authfile
  std::optional<Credentials> creds;  // --creds / login; else looked up in auth.json
  int retries = 3;
  int retry_delay_ms = 0;  // 0: exponential from 1 s
};

// What kiln holds in memory from a registry, as containers/image's iolimits: a manifest or
// index, and an image config, at most 4 MiB each (real ones are a few KiB).
inline constexpr uint64_t kMaxManifestSize = 4u << 20;
inline constexpr uint64_t kMaxConfigSize = 4u << 20;

struct FetchedManifest {
  std::string bytes;
  std::string media_type;
  Digest digest;
};

// Manifest list / OCI index media types.
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";

class Client {
 public:
  // domain as in references ("docker.io", "localhost:5000"); path "library/busybox".
  // actions: "pull" or "pull,push" (the token scope).
  Client(std::string domain, std::string path, ClientOptions options, std::string actions = "pull");

  const std::string& domain() const { return domain_; }
  const std::string& path() const { return path_; }
  std::string Name() const { return domain_ + "/" + path_; }

  // GET /v2/: picks the scheme (https; http too when insecure) and reads the challenge;
  // once it succeeded, later calls do nothing.
  // Errors: "pinging container registry HOST: Get \"https://HOST/v2/\": <why>".
  Status Ping();
  // Checks credentials (login): 200 with them, else "invalid username/password".
  Status CheckLogin();

  // tag or "sha256:…". A digest reference is verified against the bytes.
  Expected<FetchedManifest> GetManifest(const std::string& reference);
  // Streams the blob into out (not verified here: the caller's ingest checks it).
  Status GetBlob(const Digest& digest, Writer& out);
  Expected<bool> BlobExists(const Digest& digest);
  // Cross-repository mount: true when the registry mounted it.
  Expected<bool> MountBlob(const Digest& digest, const std::string& from_path);
  // Monolithic upload (POST then PUT ?digest=). open_body is called again on a retry.
  Status UploadBlob(const Digest& digest, int64_t size, const std::function<Expected<std::unique_ptr<Reader>>()>& open_body);
  // Streaming upload of a blob whose digest is known only at the end (compressed on the fly):
  // POST, one chunked PATCH with everything body yields, then PUT ?digest=finish(). Not
  // retried (the stream cannot be rewound): the caller falls back to UploadBlob.
  Status UploadStream(Reader& body, const std::function<Expected<Digest>()>& finish);
  Status PutManifest(const std::string& reference, const std::string& media_type, const std::string& bytes);
  Expected<std::vector<std::string>> ListTags();

 private:
  // One request with auth and retries; url_path is appended to the base URL unless absolute.
  Expected<HttpResponse> Send(HttpRequest req, bool retry_body_ok = true);
  Status Authenticate(const HttpResponse& challenge_resp);
  std::string Url(const std::string& path_or_url) const;
  Status RegistryError(const HttpResponse& resp, const std::string& context) const;
  TlsOptions Tls() const;
  Expected<std::optional<Credentials>> Creds();

  std::string domain_;
  std::string host_;  // where requests go (registry-1.docker.io for docker.io)
  std::string path_;
  ClientOptions options_;
  std::string actions_;
  std::string scheme_;  // "https" or "http" once pinged
  bool verify_ = true;

  std::mutex mu_;
  std::string auth_header_;  // "Authorization: …" or ""
  std::string challenge_scheme_, realm_, service_;
  bool creds_loaded_ = false;
  std::optional<Credentials> creds_;
};

// A WWW-Authenticate challenge, `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`:
// the scheme lower-cased, parameter names lower-cased, quoted values unescaped.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};
Challenge ParseChallenge(std::string_view header);

// The "<code>: <message>" text of a registry's error JSON, as containers/image prints it
// ("manifest unknown: manifest unknown"); falls back to the HTTP status text.
std::string DescribeRegistryError(long status, const std::string& body);

}  // namespace kiln::registry
