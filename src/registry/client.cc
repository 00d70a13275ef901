#include "registry/client.h"

#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>
#include <cstdlib>

#include "util/fs.h"
#include "util/rootless.h"

namespace kiln::registry {
namespace {

HttpSession& ThreadSession() {
  static thread_local HttpSession session;
  return session;
}

std::string StatusText(long code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

bool Retryable(long status) { return status >= 500 || status == 429 || status == 408; }

bool IsRegularFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Challenge ParseChallenge(std::string_view header) {
  Challenge c;
  auto lower = [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return v;
  };
  size_t i = 0;
  while (i < header.size() && header[i] != ' ') ++i;
  c.scheme = lower(std::string(header.substr(0, i)));
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key = lower(std::string(header.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i++];
      }
      ++i;
    } else {
      while (i < header.size() && header[i] != ',') value += header[i++];
    }
    c.params[key] = value;
  }
  return c;
}

std::string DescribeRegistryError(long status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    auto errs = j.find("errors");
    if (errs != j.end() && errs->is_array() && !errs->empty()) {
      std::string out;
      for (const auto& e : *errs) {
        if (!e.is_object()) continue;
        std::string code = e.value("code", std::string("unknown"));
        std::string msg = e.value("message", std::string());
        std::replace(code.begin(), code.end(), '_', ' ');
        std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::tolower(c); });
        if (!out.empty()) out += "; ";
        out += code + ": " + msg;
      }
      if (!out.empty()) return out;
    }
  }
  if (status == 401) return "unauthorized: authentication required";
  if (status == 403) return "denied: requested access to the resource is denied";
  std::string text = StatusText(status);
  return "invalid status code from registry " + std::to_string(status) + (text.empty() ? "" : " (" + text + ")");
}

Client::Client(std::string domain, std::string path, ClientOptions options, std::string actions)
    : domain_(std::move(domain)), path_(std::move(path)), options_(std::move(options)), actions_(std::move(actions)) {
  host_ = domain_ == "docker.io" ? "registry-1.docker.io" : domain_;
  verify_ = options_.tls_verify.value_or(!options_.insecure);
}

namespace {

// containers/image's order: a rootless user's ~/.config/containers/certs.d/<host> first.
std::string CertsDir(const std::string& domain) {
  const char* home = std::getenv("HOME");
  if (Rootless() && home && *home) {
    std::string user = std::string(home) + "/.config/containers/certs.d/" + domain;
    if (PathExists(user)) return user;
  }
  return "/etc/containers/certs.d/" + domain;
}

}  // namespace

TlsOptions Client::Tls() const {
  TlsOptions t;
  t.verify = verify_;
  // certs.d/<host>/: *.crt are CAs, *.cert + *.key a client certificate (podman's layout).
  std::string dir = options_.cert_dir.empty() ? CertsDir(domain_) : options_.cert_dir;
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) names.push_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string p = dir + "/" + n;
      if (!IsRegularFile(p)) continue;
      auto ends = [&](const char* s) { size_t k = strlen(s); return n.size() > k && n.compare(n.size() - k, k, s) == 0; };
      if (ends(".crt") && t.ca_file.empty()) t.ca_file = p;
      else if (ends(".cert")) t.cert_file = p;
      else if (ends(".key")) t.key_file = p;
    }
  }
  return t;
}

std::string Client::Url(const std::string& p) const {
  if (p.rfind("http://", 0) == 0 || p.rfind("https://", 0) == 0) return p;
  return scheme_ + "://" + host_ + p;
}

Expected<std::optional<Credentials>> Client::Creds() {
  if (!creds_loaded_) {
    if (options_.creds) {
      creds_ = options_.creds;
    } else {
      ASSIGN_OR_RETURN(creds_, FindCredentials(options_.authfile, domain_, path_));
    }
    creds_loaded_ = true;
  }
  return creds_;
}

Status Client::Ping() {
  if (!scheme_.empty()) return Status::Ok();  // pinged already: a client kept for many requests
  std::vector<std::string> schemes = {"https"};
  if (!verify_) schemes.push_back("http");
  Status last;
  for (const auto& s : schemes) {
    HttpRequest req;
    req.url = s + "://" + host_ + "/v2/";
    req.tls = Tls();
    Expected<HttpResponse> resp = Status(Code::kIo, "");
    for (int attempt = 0;; ++attempt) {
      int cc = 0;
      resp = ThreadSession().Do(req, &cc);
      bool transient = !resp.ok() ? resp.status().message() != "http: server gave HTTP response to HTTPS client" &&
                                        cc != 7 /* CURLE_COULDNT_CONNECT */ && cc != 35 && cc != 60
                                  : Retryable(resp->status);
      if (!transient || attempt >= options_.retries) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.retry_delay_ms ? options_.retry_delay_ms : 1000 << attempt));
    }
    if (!resp.ok()) {
      last = Status(resp.status().code(), "pinging container registry " + domain_ + ": Get \"" + req.url + "\": " +
                                     resp.status().message());
      continue;
    }
    if (resp->status == 200 || resp->status == 401) {
      scheme_ = s;
      if (resp->status == 401) {
        std::lock_guard<std::mutex> lock(mu_);
        Challenge c = ParseChallenge(resp->Header("www-authenticate"));
        challenge_scheme_ = c.scheme;
        realm_ = c.params["realm"];
        service_ = c.params["service"];
      }
      return Status::Ok();
    }
    last = IoError("pinging container registry " + domain_ + ": StatusCode: " + std::to_string(resp->status) + ", " +
                   resp->body.substr(0, 200));
  }
  return last;
}

Status Client::Authenticate(const HttpResponse& challenge) {
  std::string scheme = challenge_scheme_;
  std::map<std::string, std::string> params{{"realm", realm_}, {"service", service_}};
  std::string h = challenge.Header("www-authenticate");
  if (!h.empty()) {
    Challenge c = ParseChallenge(h);
    scheme = c.scheme;
    params = std::move(c.params);
  }
  ASSIGN_OR_RETURN(auto creds, Creds());
  if (scheme == "basic") {
    if (!creds) return Status(Code::kInvalidArgument, "unauthorized: authentication required");
    std::lock_guard<std::mutex> lock(mu_);
    auth_header_ = "Authorization: Basic " + Base64Encode(creds->username + ":" + creds->password);
    return Status::Ok();
  }
  if (scheme != "bearer") return Unsupported("unsupported authentication scheme \"" + scheme + "\"");
  std::string url = params["realm"];
  if (url.empty()) return Corrupt("missing realm in bearer auth challenge");
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "service=" + UrlEscape(params["service"]);
  std::string scope = params.count("scope") ? params["scope"] : "repository:" + path_ + ":" + actions_;
  url += "&scope=" + UrlEscape(scope);
  if (scope.find(":" + actions_) == std::string::npos && actions_ != "pull")
    url += "&scope=" + UrlEscape("repository:" + path_ + ":" + actions_);
  HttpRequest req;
  req.url = url;
  req.tls = Tls();
  if (creds) req.headers.push_back("Authorization: Basic " + Base64Encode(creds->username + ":" + creds->password));
  ASSIGN_OR_RETURN(HttpResponse resp, ThreadSession().Do(req));
  if (resp.status == 401 || resp.status == 403)
    return Status(Code::kInvalidArgument, "unable to retrieve auth token: invalid username/password: " +
                                              DescribeRegistryError(resp.status, resp.body));
  if (resp.status != 200)
    return IoError("fetching token from " + params["realm"] + ": " + DescribeRegistryError(resp.status, resp.body));
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  std::string token;
  if (j.is_object()) {
    token = j.value("token", std::string());
    if (token.empty()) token = j.value("access_token", std::string());
  }
  if (token.empty()) return Corrupt("registry token response has no token");
  std::lock_guard<std::mutex> lock(mu_);
  auth_header_ = "Authorization: Bearer " + token;
  return Status::Ok();
}

Expected<HttpResponse> Client::Send(HttpRequest req, bool retry_ok) {
  if (scheme_.empty()) RETURN_IF_ERROR(Ping());
  req.url = Url(req.url);
  req.tls = Tls();
  bool authed_once = false;
  if (!challenge_scheme_.empty()) {
    bool need;
    {
      std::lock_guard<std::mutex> lock(mu_);
      need = auth_header_.empty();
    }
    if (need) {
      HttpResponse none;
      RETURN_IF_ERROR(Authenticate(none));
      authed_once = true;
    }
  }
  std::vector<std::string> base_headers = req.headers;
  for (int attempt = 0;; ++attempt) {
    req.headers = base_headers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!auth_header_.empty()) req.headers.push_back(auth_header_);
    }
    int cc = 0;
    auto resp = ThreadSession().Do(req, &cc);
    if (resp.ok() && resp->status == 401 && !authed_once) {
      authed_once = true;
      Status st = Authenticate(*resp);
      if (!st.ok()) return st;
      --attempt;
      continue;
    }
    // A retryable status wrote nothing to the sink (only 2xx bodies go there), so it is
    // always safe to retry; a transport error mid-body only when the caller allows it.
    bool transient = resp.ok() ? Retryable(resp->status)
                               : (retry_ok && cc != 35 && cc != 60 && cc != 23 && cc != 26 && cc != 42);
    if (!transient || attempt >= options_.retries) return resp;
    int delay = options_.retry_delay_ms ? options_.retry_delay_ms : 1000 << attempt;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
}

Status Client::CheckLogin() {
  RETURN_IF_ERROR(Ping());
  if (challenge_scheme_.empty()) return Status::Ok();
  HttpRequest req;
  req.url = "/v2/";
  auto resp = Send(req);
  if (!resp.ok()) {
    if (resp.status().message().find("invalid username/password") != std::string::npos ||
        resp.status().message().find("authentication required") != std::string::npos)
      return InvalidArgument("invalid username/password");
    return resp.status();
  }
  if (resp->status == 401 || resp->status == 403) return InvalidArgument("invalid username/password");
  if (resp->status != 200) return IoError(DescribeRegistryError(resp->status, resp->body));
  return Status::Ok();
}

Expected<FetchedManifest> Client::GetManifest(const std::string& reference) {
  HttpRequest req;
  req.url = "/v2/" + path_ + "/manifests/" + reference;
  req.headers = {"Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
                 "application/vnd.docker.distribution.manifest.v2+json, "
                 "application/vnd.docker.distribution.manifest.list.v2+json, "
                 "application/vnd.docker.distribution.manifest.v1+prettyjws, application/json"};
  std::string ctx = "reading manifest " + reference + " in " + Name();
  auto resp = Send(req);
  if (!resp.ok()) return resp.status().Wrap(ctx);
  if (resp->status != 200) {
    Code code = resp->status == 404 ? Code::kNotFound : Code::kIo;
    return Status(code, ctx + ": " + DescribeRegistryError(resp->status, resp->body));
  }
  if (resp->body.size() > kMaxManifestSize)
    return Corrupt(ctx + ": manifest is larger than " + std::to_string(kMaxManifestSize) + " bytes");
  FetchedManifest m;
  m.bytes = std::move(resp->body);
  m.media_type = resp->Header("content-type");
  if (auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  auto j = nlohmann::json::parse(m.bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corrupt(ctx + ": manifest is not valid JSON");
  if (j.contains("mediaType") && j["mediaType"].is_string()) m.media_type = j["mediaType"].get<std::string>();
  if (m.media_type.empty() || m.media_type == "application/json" || m.media_type == "text/plain")
    m.media_type = j.contains("manifests") ? std::string(kOciIndex) : std::string("application/vnd.oci.image.manifest.v1+json");
  m.digest = Digest::OfBytes(m.bytes);
  if (reference.rfind("sha256:", 0) == 0 && m.digest.str() != reference)
    return Corrupt(ctx + ": manifest digest " + m.digest.str() + " does not match " + reference);
  return m;
}

Status Client::GetBlob(const Digest& digest, Writer& out) {
  HttpRequest req;
  req.url = "/v2/" + path_ + "/blobs/" + digest.str();
  req.sink = &out;
  // Not retried here: bytes may already be in `out`; the caller restarts the blob.
  auto resp = Send(req, false);
  std::string ctx = "reading blob " + digest.str();
  if (!resp.ok()) return resp.status().Wrap(ctx);
  if (resp->status != 200)
    return Status(resp->status == 404 ? Code::kNotFound : Code::kIo,
                  ctx + ": fetching blob: " + DescribeRegistryError(resp->status, resp->body));
  return Status::Ok();
}

Expected<bool> Client::BlobExists(const Digest& digest) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = "/v2/" + path_ + "/blobs/" + digest.str();
  ASSIGN_OR_RETURN(HttpResponse resp, Send(req));
  if (resp.status == 200) return true;
  if (resp.status == 404) return false;
  return IoError("checking whether a blob " + digest.str() + " exists in " + Name() + ": " +
                 DescribeRegistryError(resp.status, resp.body));
}

Expected<bool> Client::MountBlob(const Digest& digest, const std::string& from_path) {
  HttpRequest req;
  req.method = "POST";
  req.url = "/v2/" + path_ + "/blobs/uploads/?mount=" + UrlEscape(digest.str()) + "&from=" + UrlEscape(from_path);
  req.follow_redirects = false;
  ASSIGN_OR_RETURN(HttpResponse resp, Send(req));
  return resp.status == 201;
}

Status Client::UploadBlob(const Digest& digest, int64_t size,
                          const std::function<Expected<std::unique_ptr<Reader>>()>& open_body) {
  std::string ctx = "writing blob " + digest.str() + " to " + Name();
  for (int attempt = 0;; ++attempt) {
    HttpRequest start;
    start.method = "POST";
    start.url = "/v2/" + path_ + "/blobs/uploads/";
    start.follow_redirects = false;
    auto resp = Send(start);
    if (!resp.ok()) return resp.status().Wrap(ctx);
    if (resp->status != 202)
      return IoError(ctx + ": initiating layer upload to /v2/" + path_ + "/blobs/uploads/ in " + domain_ + ": " +
                     DescribeRegistryError(resp->status, resp->body));
    std::string location = resp->Header("location");
    if (location.empty()) return Corrupt(ctx + ": registry gave no upload location");
    if (location[0] == '/') location = scheme_ + "://" + host_ + location;
    location += location.find('?') == std::string::npos ? "?" : "&";
    location += "digest=" + UrlEscape(digest.str());
    ASSIGN_OR_RETURN(std::unique_ptr<Reader> body, open_body());
    HttpRequest put;
    put.method = "PUT";
    put.url = location;
    put.body_reader = body.get();
    put.body_size = size;
    put.headers = {"Content-Type: application/octet-stream"};
    auto done = Send(put, false);
    bool transient = !done.ok() ? done.status().code() == Code::kIo : Retryable(done->status);
    if (transient && attempt < options_.retries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.retry_delay_ms ? options_.retry_delay_ms : 1000 << attempt));
      continue;
    }
    if (!done.ok()) return done.status().Wrap(ctx);
    if (done->status != 201)
      return IoError(ctx + ": uploading layer to " + domain_ + ": " + DescribeRegistryError(done->status, done->body));
    return Status::Ok();
  }
}

Status Client::UploadStream(Reader& body, const std::function<Expected<Digest>()>& finish) {
  std::string ctx = "writing blob to " + Name();
  HttpRequest start;
  start.method = "POST";
  start.url = "/v2/" + path_ + "/blobs/uploads/";
  start.follow_redirects = false;
  ASSIGN_OR_RETURN(HttpResponse resp, Send(start));
  auto absolute = [&](std::string loc) { return !loc.empty() && loc[0] == '/' ? scheme_ + "://" + host_ + loc : loc; };
  std::string location = absolute(resp.Header("location"));
  if (resp.status != 202 || location.empty())
    return IoError(ctx + ": initiating layer upload: " + DescribeRegistryError(resp.status, resp.body));
  HttpRequest patch;
  patch.method = "PATCH";
  patch.url = location;
  patch.body_reader = &body;
  patch.body_size = -1;
  patch.follow_redirects = false;
  patch.headers = {"Content-Type: application/octet-stream"};
  ASSIGN_OR_RETURN(HttpResponse sent, Send(patch, false));
  if (sent.status != 202)
    return IoError(ctx + ": uploading layer chunked: " + DescribeRegistryError(sent.status, sent.body));
  ASSIGN_OR_RETURN(Digest digest, finish());
  std::string put_url = absolute(sent.Header("location"));
  if (put_url.empty()) put_url = location;
  put_url += put_url.find('?') == std::string::npos ? "?" : "&";
  put_url += "digest=" + UrlEscape(digest.str());
  HttpRequest put;
  put.method = "PUT";
  put.url = put_url;
  put.follow_redirects = false;
  ASSIGN_OR_RETURN(HttpResponse done, Send(put, false));
  if (done.status != 201)
    return IoError(ctx + ": committing the upload: " + DescribeRegistryError(done.status, done.body));
  return Status::Ok();
}

Status Client::PutManifest(const std::string& reference, const std::string& media_type, const std::string& bytes) {
  HttpRequest req;
  req.method = "PUT";
  req.url = "/v2/" + path_ + "/manifests/" + reference;
  req.body = &bytes;
  req.headers = {"Content-Type: " + media_type};
  auto resp = Send(req);
  std::string ctx = "writing manifest";
  if (!resp.ok()) return resp.status().Wrap(ctx);
  if (resp->status != 201 && resp->status != 200)
    return IoError("uploading manifest " + reference + " to " + Name() + ": " +
                   DescribeRegistryError(resp->status, resp->body));
  return Status::Ok();
}

Expected<std::vector<std::string>> Client::ListTags() {
  std::vector<std::string> tags;
  std::string url = "/v2/" + path_ + "/tags/list";
  for (int page = 0; page < 1000 && !url.empty(); ++page) {
    HttpRequest req;
    req.url = url;
    ASSIGN_OR_RETURN(HttpResponse resp, Send(req));
    if (resp.status != 200)
      return Status(resp.status == 404 ? Code::kNotFound : Code::kIo,
                    "fetching tags list: " + DescribeRegistryError(resp.status, resp.body));
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Corrupt("fetching tags list: invalid JSON from registry");
    if (auto t = j.find("tags"); t != j.end() && t->is_array())
      for (const auto& v : *t)
        if (v.is_string()) tags.push_back(v.get<std::string>());
    url.clear();
    std::string link = resp.Header("link");  // <…?last=x&n=y>; rel="next"
    if (auto lt = link.find('<'), gt = link.find('>'); lt != std::string::npos && gt != std::string::npos && gt > lt)
      url = link.substr(lt + 1, gt - lt - 1);
  }
  return tags;
}

}  // namespace kiln::registry
