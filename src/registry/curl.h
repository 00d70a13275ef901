// HTTP for the registry client, over libcurl opened with dlopen on first use (see util/http.h
// for why it is not linked: `kiln images` must not pay for curl's two dozen libraries).
// One HttpSession per thread: it keeps its connections alive between requests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/io.h"
#include "util/status.h"

namespace kiln::registry {

struct TlsOptions {
  bool verify = true;
  std::string ca_file;    // a PEM bundle of extra CAs ("" = the system store)
  std::string cert_file;  // client certificate (certs.d/<host>/*.cert)
  std::string key_file;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  const std::string* body = nullptr;  // request body from memory…
  Reader* body_reader = nullptr;      // …or streamed (with body_size, -1 = chunked)
  int64_t body_size = -1;
  // Where a 2xx response body goes; when null it is kept in HttpResponse::body (capped).
  // Bodies of other statuses are always kept (they carry the registry's error JSON).
  Writer* sink = nullptr;
  bool follow_redirects = true;
  TlsOptions tls;
};

struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

// Transport failures are kIo with curl's text; "server gave HTTP response to HTTPS client"
// (Go's wording, which podman prints) when an https:// URL reached a plain-HTTP server.
// `transport_error` tells the caller a retry may help.
struct HttpError {
  int curl_code = 0;
};

class HttpSession {
 public:
  HttpSession();
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Fails only on transport errors (connection, TLS, timeouts, a failing sink); any HTTP
  // status is a response. *curl_code (if given) receives curl's code for retry decisions.
  Expected<HttpResponse> Do(const HttpRequest& req, int* curl_code = nullptr);

 private:
  void* handle_ = nullptr;
};

// Loads libcurl (once, thread-safe) and calls curl_global_init; call before starting threads.
Status InitCurl();

// RFC 4648 base64, for Basic auth and auth.json.
std::string Base64Encode(std::string_view in);
Expected<std::string> Base64Decode(std::string_view in);
// Percent-encoding for query values.
std::string UrlEscape(std::string_view in);

}  // namespace kiln::registry
