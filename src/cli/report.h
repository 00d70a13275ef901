// --format for the image commands: "json" or a Go template (with podman's `table`).
#pragma once

#include <string>
#include <vector>

#include "cli/image_view.h"
#include "format/value.h"

namespace kiln::cli {

// True when rendering this format reads the image configs (labels, JSON).
bool NeedsImageConfig(const std::string& format);
// Prints `images --format` output; returns the exit code.
int PrintImagesFormatted(const std::vector<ImageRow>& rows, const std::string& format, bool noheading, bool no_trunc);

// `inspect`: the JSON array (podman indents by 5), or the template once per object.
int PrintInspectJson(const std::vector<image::Json>& objects);
int PrintInspectFormatted(const std::vector<image::Json>& objects, const std::string& format);
// `history --format`.
int PrintHistoryFormatted(const std::vector<HistoryRow>& rows, const std::string& format, bool no_trunc, bool human);

// `info`: YAML without a format, indented JSON with "json", else the template.
int PrintInfo(const format::Value& info, const std::string& format);

}  // namespace kiln::cli
