// `--change` instructions (import, commit): Containerfile instructions that only touch
// an image's runtime config. Pure functions over the config JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "image/config.h"
#include "util/status.h"

namespace kiln::image {

// Applies one instruction ("CMD ["sh"]", "ENV A=1", "EXPOSE 80", …) to the "config"
// object of an image config. Errors read as podman's:
// `invalid change "FOO bar" - invalid instruction FOO`.
Status ApplyChange(Json& runtime_config, std::string_view instruction);

// Splits on unquoted whitespace and removes one level of quotes and backslash escapes,
// as the Containerfile word rules do for ENV/LABEL values.
Expected<std::vector<std::string>> SplitWords(std::string_view text);

// Puts the keys of a runtime config in the order Go's encoding of the OCI ImageConfig
// struct writes them, so that our JSON matches podman's byte for byte.
void CanonicalizeRuntimeConfig(Json& runtime_config);

}  // namespace kiln::image
