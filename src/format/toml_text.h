// Parsing TOML (registries.conf, containers.conf, .kiln-lint.toml) with toml++, in one place,
// so that every caller gets the same guard against toml++'s undefined behaviour and the same
// error shape: `<what> "<path>": <reason> (line N)`.
#pragma once

#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "util/status.h"

namespace kiln::format {

Expected<toml::table> ParseToml(std::string_view text, const std::string& path, std::string_view what);
Expected<toml::table> ParseTomlFile(const std::string& path, std::string_view what);

}  // namespace kiln::format
