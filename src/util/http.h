// Plain HTTP(S) downloads with libcurl, for `import URL` (and ADD URL later).
//
// libcurl is opened with dlopen on first use instead of being linked: its dependency tree
// (TLS, HTTP/2, LDAP, Kerberos…) would add two dozen shared libraries to the start-up of
// every kiln command, which costs more than most commands' own work.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/io.h"
#include "util/status.h"

namespace kiln {

// Streams the body of url into out. Fails on transport errors and on HTTP status >= 400
// ("downloading <url>: 404 Not Found"-style messages).
Status HttpGet(const std::string& url, Writer& out);

// An http:// or https:// URL (import and load take one where a file would go).
bool IsHttpUrl(std::string_view s);

// Downloads url into an unlinked temporary file and returns a reader at its start: a command
// reading it must not half-happen when the connection drops.
Expected<std::unique_ptr<Reader>> DownloadToTempFile(const std::string& url);

}  // namespace kiln
