#include "registry/curl.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace kiln::registry {
namespace {

// libcurl's ABI, values from curl/curl.h (stable since libcurl 7).
constexpr int kOptWriteData = 10001, kOptUrl = 10002, kOptReadData = 10009, kOptErrorBuffer = 10010;
constexpr int kOptUserAgent = 10018, kOptHttpHeader = 10023, kOptSslCert = 10025, kOptHeaderData = 10029;
constexpr int kOptCustomRequest = 10036, kOptCaInfo = 10065, kOptSslKey = 10087;
constexpr int kOptWriteFunction = 20011, kOptReadFunction = 20012, kOptHeaderFunction = 20079;
constexpr int kOptNoBody = 44, kOptUpload = 46, kOptFollowLocation = 52, kOptSslVerifyPeer = 64;
constexpr int kOptConnectTimeout = 78, kOptHttpGet = 80, kOptSslVerifyHost = 81, kOptNoSignal = 99;
constexpr int kOptLowSpeedLimit = 19, kOptLowSpeedTime = 20, kOptTcpKeepAlive = 213;
constexpr int kOptBufferSize = 98, kOptUploadBufferSize = 280, kOptMaxRedirs = 68;
constexpr int kOptInFileSizeLarge = 30115;
constexpr int kOptProtocols = 181, kOptRedirProtocols = 182;
constexpr long kProtoHttpHttps = 1 | 2;  // CURLPROTO_HTTP | CURLPROTO_HTTPS
constexpr int kInfoResponseCode = 0x200002;
constexpr long kGlobalAll = 3;
constexpr int kErrWrite = 23, kErrRead = 26, kErrSslConnect = 35, kErrAborted = 42;
constexpr size_t kReadAbort = 0x10000000;
constexpr size_t kMaxKeptBody = 8 << 20;

struct Slist;
struct CurlApi {
  void* (*easy_init)();
  int (*easy_setopt)(void*, int, ...);
  int (*easy_perform)(void*);
  int (*easy_getinfo)(void*, int, ...);
  void (*easy_cleanup)(void*);
  void (*easy_reset)(void*);
  const char* (*easy_strerror)(int);
  int (*global_init)(long);
  Slist* (*slist_append)(Slist*, const char*);
  void (*slist_free_all)(Slist*);
};

CurlApi g_api;
Status g_load_status = Internal("libcurl not loaded");
std::once_flag g_once;

void Load() {
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    g_load_status = Unsupported("registry access needs libcurl (apt-get install libcurl4)");
    return;
  }
  auto sym = [&](const char* n) { return dlsym(lib, n); };
#define KILN_SYM(field, name)                                              \
  g_api.field = reinterpret_cast<decltype(g_api.field)>(sym(name));       \
  if (!g_api.field) {                                                      \
    g_load_status = Unsupported(std::string("libcurl lacks ") + name);     \
    return;                                                                \
  }
  KILN_SYM(easy_init, "curl_easy_init");
  KILN_SYM(easy_setopt, "curl_easy_setopt");
  KILN_SYM(easy_perform, "curl_easy_perform");
  KILN_SYM(easy_getinfo, "curl_easy_getinfo");
  KILN_SYM(easy_cleanup, "curl_easy_cleanup");
  KILN_SYM(easy_reset, "curl_easy_reset");
  KILN_SYM(easy_strerror, "curl_easy_strerror");
  KILN_SYM(global_init, "curl_global_init");
  KILN_SYM(slist_append, "curl_slist_append");
  KILN_SYM(slist_free_all, "curl_slist_free_all");
#undef KILN_SYM
  g_api.global_init(kGlobalAll);
  g_load_status = Status::Ok();
}

struct Transfer {
  void* handle;
  const HttpRequest* req;
  HttpResponse* resp;
  Status sink_status;
  // request body
  size_t body_pos = 0;
  Status read_status;
};

size_t OnHeader(char* data, size_t size, size_t n, void* ctx) {
  auto* t = static_cast<Transfer*>(ctx);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirect, 100 Continue)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t v = colon + 1;
  while (v < line.size() && line[v] == ' ') ++v;
  t->resp->headers.emplace(name, line.substr(v));
  return size * n;
}

size_t OnWrite(char* data, size_t size, size_t n, void* ctx) {
  auto* t = static_cast<Transfer*>(ctx);
  long code = 0;
  g_api.easy_getinfo(t->handle, kInfoResponseCode, &code);
  size_t len = size * n;
  if (t->req->sink && code >= 200 && code < 300) {
    t->sink_status = t->req->sink->Write(data, len);
    return t->sink_status.ok() ? len : 0;
  }
  if (t->resp->body.size() + len > kMaxKeptBody) {
    t->sink_status = Corrupt("response body larger than " + std::to_string(kMaxKeptBody) + " bytes");
    return 0;
  }
  t->resp->body.append(data, len);
  return len;
}

size_t OnRead(char* buf, size_t size, size_t n, void* ctx) {
  auto* t = static_cast<Transfer*>(ctx);
  size_t want = size * n;
  if (!t->req->body && !t->req->body_reader) return 0;
  if (t->req->body) {
    size_t left = t->req->body->size() - t->body_pos;
    size_t k = std::min(left, want);
    std::memcpy(buf, t->req->body->data() + t->body_pos, k);
    t->body_pos += k;
    return k;
  }
  auto got = t->req->body_reader->Read(buf, want);
  if (!got.ok()) {
    t->read_status = got.status();
    return kReadAbort;
  }
  return *got;
}

// 60 s without a byte ends a transfer; $KILN_HTTP_STALL_TIMEOUT (seconds) overrides it.
long StallSeconds() {
  const char* v = std::getenv("KILN_HTTP_STALL_TIMEOUT");
  long s = v ? std::strtol(v, nullptr, 10) : 0;
  return s > 0 ? s : 60L;
}

}  // namespace

Status InitCurl() {
  std::call_once(g_once, Load);
  return g_load_status;
}

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpSession::HttpSession() {
  if (InitCurl().ok()) handle_ = g_api.easy_init();
}

HttpSession::~HttpSession() {
  if (handle_) g_api.easy_cleanup(handle_);
}

Expected<HttpResponse> HttpSession::Do(const HttpRequest& req, int* curl_code) {
  RETURN_IF_ERROR(InitCurl());
  if (!handle_) return Internal("curl_easy_init failed");
  void* h = handle_;
  g_api.easy_reset(h);  // keeps the connection cache
  HttpResponse resp;
  Transfer t{h, &req, &resp, Status::Ok(), 0, Status::Ok()};
  char errbuf[256] = {0};
  g_api.easy_setopt(h, kOptUrl, req.url.c_str());
  g_api.easy_setopt(h, kOptErrorBuffer, errbuf);
  g_api.easy_setopt(h, kOptNoSignal, 1L);
  g_api.easy_setopt(h, kOptUserAgent, "kiln/0.1 (containers/image compatible)");
  g_api.easy_setopt(h, kOptHeaderFunction, &OnHeader);
  g_api.easy_setopt(h, kOptHeaderData, &t);
  g_api.easy_setopt(h, kOptWriteFunction, &OnWrite);
  g_api.easy_setopt(h, kOptWriteData, &t);
  g_api.easy_setopt(h, kOptConnectTimeout, 30L);
  g_api.easy_setopt(h, kOptLowSpeedLimit, 1L);  // abort a transfer stalled this long
  g_api.easy_setopt(h, kOptLowSpeedTime, StallSeconds());
  g_api.easy_setopt(h, kOptTcpKeepAlive, 1L);
  g_api.easy_setopt(h, kOptBufferSize, 512L * 1024);
  g_api.easy_setopt(h, kOptUploadBufferSize, 2L * 1024 * 1024);
  // A registry speaks http(s) only, redirects included. libcurl (>= 7.58) does not send
  // our Authorization header on to a redirect that leaves the host (CURLOPT_UNRESTRICTED_AUTH
  // stays off), so a registry cannot hand the credentials to another server.
  g_api.easy_setopt(h, kOptProtocols, kProtoHttpHttps);
  g_api.easy_setopt(h, kOptRedirProtocols, kProtoHttpHttps);
  if (req.follow_redirects) {
    g_api.easy_setopt(h, kOptFollowLocation, 1L);
    g_api.easy_setopt(h, kOptMaxRedirs, 10L);
  }
  if (!req.tls.verify) {
    g_api.easy_setopt(h, kOptSslVerifyPeer, 0L);
    g_api.easy_setopt(h, kOptSslVerifyHost, 0L);
  }
  if (!req.tls.ca_file.empty()) g_api.easy_setopt(h, kOptCaInfo, req.tls.ca_file.c_str());
  if (!req.tls.cert_file.empty()) g_api.easy_setopt(h, kOptSslCert, req.tls.cert_file.c_str());
  if (!req.tls.key_file.empty()) g_api.easy_setopt(h, kOptSslKey, req.tls.key_file.c_str());

  Slist* headers = nullptr;
  for (const auto& hd : req.headers) headers = g_api.slist_append(headers, hd.c_str());
  headers = g_api.slist_append(headers, "Expect:");
  bool has_body = req.body || req.body_reader;
  if (has_body && req.body_size < 0 && !req.body)
    headers = g_api.slist_append(headers, "Transfer-Encoding: chunked");
  g_api.easy_setopt(h, kOptHttpHeader, headers);

  if (req.method == "HEAD") {
    g_api.easy_setopt(h, kOptNoBody, 1L);
  } else if (req.method == "GET") {
    g_api.easy_setopt(h, kOptHttpGet, 1L);
  } else {
    if (has_body || req.method == "PUT" || req.method == "PATCH" || req.method == "POST") {
      // UPLOAD makes a PUT with a read callback; CUSTOMREQUEST renames the method.
      g_api.easy_setopt(h, kOptUpload, 1L);
      g_api.easy_setopt(h, kOptReadFunction, &OnRead);
      g_api.easy_setopt(h, kOptReadData, &t);
      int64_t size = req.body ? static_cast<int64_t>(req.body->size()) : (req.body_reader ? req.body_size : 0);
      if (size >= 0) g_api.easy_setopt(h, kOptInFileSizeLarge, static_cast<long long>(size));
    }
    if (req.method != "PUT") g_api.easy_setopt(h, kOptCustomRequest, req.method.c_str());
  }
  int rc = g_api.easy_perform(h);
  g_api.easy_getinfo(h, kInfoResponseCode, &resp.status);
  g_api.slist_free_all(headers);
  if (curl_code) *curl_code = rc;
  if (rc == kErrWrite && !t.sink_status.ok()) return t.sink_status;
  if ((rc == kErrRead || rc == kErrAborted) && !t.read_status.ok()) return t.read_status;
  if (rc != 0) {
    // Go's net/http text for what podman users see against a plain-HTTP registry.
    if (rc == kErrSslConnect && req.url.rfind("https://", 0) == 0 &&
        (std::strstr(errbuf, "wrong version number") || std::strstr(errbuf, "packet length too long") ||
         std::strstr(errbuf, "unexpected") || std::strstr(errbuf, "TLS") || std::strstr(errbuf, "record")))
      return IoError("http: server gave HTTP response to HTTPS client");
    std::string detail = errbuf[0] ? errbuf : g_api.easy_strerror(rc);
    return IoError(detail);
  }
  return resp;
}

std::string Base64Encode(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += k[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += k[v >> 18], out += k[(v >> 12) & 63], out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += '=';
  }
  return out;
}

Expected<std::string> Base64Decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0) return InvalidArgument("illegal base64 data");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string UrlEscape(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace kiln::registry
