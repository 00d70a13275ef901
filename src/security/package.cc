#include "security/package.h"

namespace kiln::security {

std::string AdvisoryName(const Package& p) {
  if ((p.type == kTypeDeb || p.type == kTypeApk) && !p.source_name.empty()) return p.source_name;
  // OSV files Maven packages as "groupId:artifactId".
  if (p.type == kTypeMaven && !p.namespace_.empty()) return p.namespace_ + ":" + p.name;
  return p.name;
}

}  // namespace kiln::security
