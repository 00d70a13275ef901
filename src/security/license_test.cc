#include "security/license.h"

#include <gtest/gtest.h>

namespace kiln::security {
namespace {

TEST(License, Dep5NamesAsSpdxIds) {
  EXPECT_EQ(SpdxLicenseId("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(SpdxLicenseId("GPL-3"), "GPL-3.0-only");
  EXPECT_EQ(SpdxLicenseId("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(SpdxLicenseId("Expat"), "MIT");
  EXPECT_EQ(SpdxLicenseId("BSD-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(SpdxLicenseId("Apache-2.0+"), "Apache-2.0+");
  EXPECT_EQ(SpdxLicenseId("public-domain"), std::nullopt);
}

TEST(License, ExpressionsKeepOperatorsAndReferUnknownNames) {
  std::vector<std::string> refs;
  EXPECT_EQ(SpdxExpression("GPL-2+ or Artistic", &refs), "GPL-2.0-or-later OR Artistic-1.0");
  EXPECT_EQ(SpdxExpression("public-domain and Zlib", &refs), "LicenseRef-public-domain AND Zlib");
  EXPECT_EQ(SpdxExpression("GPL-2+ with OpenSSL exception", &refs), "LicenseRef-GPL-2--with-OpenSSL-exception");
  EXPECT_EQ(refs, (std::vector<std::string>{"public-domain", "GPL-2+-with-OpenSSL-exception"}));
  EXPECT_EQ(SpdxExpression("GPL-2\n full text follows"), "GPL-2.0-only");
}

}  // namespace
}  // namespace kiln::security
