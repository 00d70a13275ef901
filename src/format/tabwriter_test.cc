#include "format/tabwriter.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

std::string Tab(std::string_view in) {
  TabWriter tw(12, 2, 2, ' ');
  tw.Write(in);
  return tw.Flush();
}

TEST(TabWriterTest, PodmanImagesTable) {
  EXPECT_EQ(Tab("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
                "localhost/demo\t1\tf84da87f9667\tAbout a minute ago\t2.16 MB\n"
                "<none>\t<none>\tef95d7e750db\tAbout a minute ago\t2.14 MB\n"),
            "REPOSITORY      TAG         IMAGE ID      CREATED             SIZE\n"
            "localhost/demo  1           f84da87f9667  About a minute ago  2.16 MB\n"
            "<none>          <none>      ef95d7e750db  About a minute ago  2.14 MB\n");
}

TEST(TabWriterTest, LastCellIsNotPadded) {
  EXPECT_EQ(Tab("a\tb\n"), "a           b\n");
}

TEST(TabWriterTest, LineWithoutTabsEndsTheBlock) {
  EXPECT_EQ(Tab("a\tb\nheading\nlonger-cell-here\tc\n"),
            "a           b\nheading\nlonger-cell-here  c\n");
}

TEST(TabWriterTest, ShortLinesFormSeparateBlocks) {
  // Column 1 exists only on the first two lines; the third line's cell 0 stays in column 0's block.
  EXPECT_EQ(Tab("x\ty\tz\nxx\tyy\tzz\nq\tr\n"),
            "x           y           z\nxx          yy          zz\nq           r\n");
}

TEST(TabWriterTest, UnterminatedLastLineIsFlushed) { EXPECT_EQ(Tab("a\tb"), "a           b"); }

TEST(TabWriterTest, WidthCountsRunesNotBytes) {
  EXPECT_EQ(Tab("\xc3\xa9\tx\nab\ty\n"), "\xc3\xa9           x\nab          y\n");
}

}  // namespace
}  // namespace kiln::format
