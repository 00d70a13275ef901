// The Go-typed values podman's templates see, built from kiln's views. Field names, Go
// type names and the "methods" podman's reporters add are podman 4.3.1's, so that
// `--format` output and errors match it.
#pragma once

#include <cstdint>

#include "cli/image_view.h"
#include "format/value.h"

namespace kiln::cli {

// One row of `images` (podman's images.imageReporter embedding entities.ImageSummary).
format::Value ImageRowValue(const ImageRow& row, bool no_trunc, int64_t now_nanos);
// One object of `inspect` (*entities.ImageInspectReport), from kiln's inspect JSON.
format::Value InspectValue(const image::Json& inspect);
// One row of `history` (images.historyReporter).
format::Value HistoryRowValue(const HistoryRow& row, bool no_trunc, bool human, int64_t now_nanos);

}  // namespace kiln::cli
