#include "security/control.h"

#include <gtest/gtest.h>

namespace kiln::security {
namespace {

TEST(Control, ParagraphsFieldsAndContinuations) {
  auto ps = ParseControl(
      "Package: bash\nStatus: install ok installed\nDescription: GNU Bourne Again SHell\n Bash is an sh-compatible\n .\n shell.\n"
      "\n\n"
      "package: libc6\nSource: glibc\n");
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].Get("Package"), "bash");
  EXPECT_EQ(ps[0].Get("description"), "GNU Bourne Again SHell\nBash is an sh-compatible\n.\nshell.");
  EXPECT_EQ(ps[1].Get("PACKAGE"), "libc6");
  EXPECT_TRUE(ps[1].Has("source"));
  EXPECT_FALSE(ps[1].Has("Version"));
  EXPECT_EQ(ps[1].Get("Version"), "");
}

TEST(Control, CopyrightLicensesOfAMachineReadableFile) {
  const char* dep5 =
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
      "Upstream-Name: zlib\n\n"
      "Files: *\nCopyright: 1995-2013 Jean-loup Gailly\nLicense: Zlib\n\n"
      "Files: debian/*\nLicense: GPL-2+ or Artistic\n This program is free software\n\n"
      "License: Zlib\n The full text\n";
  EXPECT_EQ(CopyrightLicenses(dep5), (std::vector<std::string>{"Zlib", "GPL-2+ or Artistic"}));
  EXPECT_TRUE(CopyrightLicenses("This is the Debian prepackaged version of foo.\n\nCopyright: me\nLicense: GPL\n").empty());
}

}  // namespace
}  // namespace kiln::security
