#include "security/package.h"

namespace kiln::security {

std::string AdvisoryName(const Package& p) {
  if ((p.type == kTypeDeb || p.type == kTypeApk) && !p.source_name.empty()) return p.source_name;
  return p.name;
}

}  // namespace kiln::security
