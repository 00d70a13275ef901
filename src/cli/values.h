// The Go-typed values podman's templates see, built from kiln's views. Field names, Go
// type names and the "methods" podman's reporters add are podman 4.3.1's, so that
// `--format` output and errors match it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "cli/image_view.h"
#include "format/value.h"

namespace kiln::cli {

// The fields a --format string can reach, when that can be told from its text; nullopt
// when it may reach any (a bare ".", "$", json, template calls). Building only these is
// what keeps `images --format` over 1000 images cheap.
using FieldSet = std::optional<std::set<std::string, std::less<>>>;
FieldSet ReferencedFields(std::string_view format);

// A Go time.Time from nanoseconds since the epoch.
format::Value TimeValue(int64_t nanos);
// One row of `images` (podman's images.imageReporter embedding entities.ImageSummary),
// with only the fields in `wanted` (all when nullopt).
format::Value ImageRowValue(const ImageRow& row, bool no_trunc, int64_t now_nanos, const FieldSet& wanted = {});
// One object of `inspect` (*entities.ImageInspectReport), from kiln's inspect JSON.
format::Value InspectValue(const image::Json& inspect);
// One row of `history` (images.historyReporter).
format::Value HistoryRowValue(const HistoryRow& row, bool no_trunc, bool human, int64_t now_nanos);

}  // namespace kiln::cli
