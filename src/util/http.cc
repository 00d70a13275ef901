#include "util/http.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include "util/fs.h"

namespace kiln {
namespace {

// The part of libcurl's ABI used here (stable since libcurl 7; see curl/curl.h).
using CurlHandle = void;
constexpr int kCurlOptUrl = 10002;            // CURLOPT_URL
constexpr int kCurlOptWriteFunction = 20011;  // CURLOPT_WRITEFUNCTION
constexpr int kCurlOptWriteData = 10001;      // CURLOPT_WRITEDATA
constexpr int kCurlOptFollowLocation = 52;    // CURLOPT_FOLLOWLOCATION
constexpr int kCurlOptFailOnError = 45;       // CURLOPT_FAILONERROR
constexpr int kCurlOptUserAgent = 10018;      // CURLOPT_USERAGENT
constexpr int kCurlOptProtocols = 181;        // CURLOPT_PROTOCOLS
constexpr int kCurlOptRedirProtocols = 182;   // CURLOPT_REDIR_PROTOCOLS
constexpr long kCurlProtoHttpHttps = 1 | 2;   // CURLPROTO_HTTP | CURLPROTO_HTTPS
constexpr int kCurlInfoResponseCode = 0x200002;  // CURLINFO_RESPONSE_CODE
constexpr int kCurlWriteError = 23;              // CURLE_WRITE_ERROR

struct CurlApi {
  CurlHandle* (*easy_init)();
  int (*easy_setopt)(CurlHandle*, int, ...);
  int (*easy_perform)(CurlHandle*);
  int (*easy_getinfo)(CurlHandle*, int, ...);
  void (*easy_cleanup)(CurlHandle*);
  const char* (*easy_strerror)(int);
};

Expected<CurlApi> LoadCurl() {
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return Unsupported("downloading needs libcurl (apt-get install libcurl4)");
  CurlApi api;
  auto sym = [&](const char* name) { return dlsym(lib, name); };
  api.easy_init = reinterpret_cast<decltype(api.easy_init)>(sym("curl_easy_init"));
  api.easy_setopt = reinterpret_cast<decltype(api.easy_setopt)>(sym("curl_easy_setopt"));
  api.easy_perform = reinterpret_cast<decltype(api.easy_perform)>(sym("curl_easy_perform"));
  api.easy_getinfo = reinterpret_cast<decltype(api.easy_getinfo)>(sym("curl_easy_getinfo"));
  api.easy_cleanup = reinterpret_cast<decltype(api.easy_cleanup)>(sym("curl_easy_cleanup"));
  api.easy_strerror = reinterpret_cast<decltype(api.easy_strerror)>(sym("curl_easy_strerror"));
  if (!api.easy_init || !api.easy_setopt || !api.easy_perform || !api.easy_getinfo || !api.easy_cleanup ||
      !api.easy_strerror)
    return Unsupported("libcurl is missing expected functions");
  return api;
}

struct Sink {
  Writer* out;
  Status status;
};

size_t WriteBody(char* data, size_t size, size_t n, void* ctx) {
  auto* sink = static_cast<Sink*>(ctx);
  sink->status = sink->out->Write(data, size * n);
  return sink->status.ok() ? size * n : 0;
}

}  // namespace

Status HttpGet(const std::string& url, Writer& out) {
  ASSIGN_OR_RETURN(CurlApi curl, LoadCurl());
  CurlHandle* h = curl.easy_init();
  if (!h) return Internal("curl_easy_init failed");
  Sink sink{&out, Status::Ok()};
  curl.easy_setopt(h, kCurlOptUrl, url.c_str());
  curl.easy_setopt(h, kCurlOptWriteFunction, &WriteBody);
  curl.easy_setopt(h, kCurlOptWriteData, &sink);
  curl.easy_setopt(h, kCurlOptFollowLocation, 1L);
  // Only http(s), also after a redirect: a server must not turn ADD/import into a read of
  // file:///etc/shadow or a request to some other protocol.
  curl.easy_setopt(h, kCurlOptProtocols, kCurlProtoHttpHttps);
  curl.easy_setopt(h, kCurlOptRedirProtocols, kCurlProtoHttpHttps);
  curl.easy_setopt(h, kCurlOptFailOnError, 1L);
  curl.easy_setopt(h, kCurlOptUserAgent, "kiln");
  int rc = curl.easy_perform(h);
  long code = 0;
  curl.easy_getinfo(h, kCurlInfoResponseCode, &code);
  curl.easy_cleanup(h);
  if (rc == kCurlWriteError && !sink.status.ok()) return sink.status;
  if (rc != 0) {
    std::string msg = "downloading " + url + ": " + curl.easy_strerror(rc);
    if (code >= 400) msg += " (HTTP " + std::to_string(code) + ")";
    return IoError(msg);
  }
  return Status::Ok();
}

bool IsHttpUrl(std::string_view s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

Expected<std::unique_ptr<Reader>> DownloadToTempFile(const std::string& url) {
  std::string path = TempBaseDir() + "/kiln-download-XXXXXX";
  UniqueFd fd(::mkstemp(path.data()));
  if (!fd.valid()) return ErrnoError("creating a temporary file in " + TempBaseDir(), errno);
  ::unlink(path.c_str());  // the open descriptor keeps it alive; nothing to clean up later
  FdWriter writer = FdWriter::Borrow(fd.get());
  RETURN_IF_ERROR(HttpGet(url, writer));
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return ErrnoError("rewinding the download", errno);
  return std::unique_ptr<Reader>(std::make_unique<FdReader>(std::move(fd)));
}

}  // namespace kiln
