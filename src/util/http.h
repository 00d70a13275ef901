// Plain HTTP(S) downloads with libcurl, for `import URL` (and ADD URL later).
//
// libcurl is opened with dlopen on first use instead of being linked: its dependency tree
// (TLS, HTTP/2, LDAP, Kerberos…) would add two dozen shared libraries to the start-up of
// every kiln command, which costs more than most commands' own work.
#pragma once

#include <string>

#include "util/io.h"
#include "util/status.h"

namespace kiln {

// Streams the body of url into out. Fails on transport errors and on HTTP status >= 400
// ("downloading <url>: 404 Not Found"-style messages).
Status HttpGet(const std::string& url, Writer& out);

}  // namespace kiln
