#include "analysis/waste.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/fs.h"

namespace kiln::analysis {
namespace {

namespace fs = std::filesystem;

void File(const std::string& path, size_t size) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << std::string(size, 'x');
}

// dive's formula by hand: /a 100 bytes in layers 0 and 1, /b 50 bytes deleted by layer 1,
// /d/x 30 and /d/y 20 under a directory layer 2 deletes, /c 10 bytes once.
//   leaves:     /a: 100+100 (min 100)   /b: 50+0 (min 0)   /d/x: 30   /d/y: 20   /c: 10
//               /d: only the whiteout (layer 0's /d has children, so is no leaf), weighing 50
//   efficiency = (100+0+30+20+50+10) / (200+50+30+20+50+10) = 210/360
//   wasted     = 200 + 50 (the paths in two layers; dive does not count a deleted directory)
TEST(Waste, DivesEfficiencyOnAHandCheckedExample) {
  TempDir tmp;
  std::string root = *tmp.Create("waste-test");
  std::string l0 = root + "/l0", l1 = root + "/l1", l2 = root + "/l2";
  File(l0 + "/a", 100);
  File(l0 + "/b", 50);
  File(l0 + "/d/x", 30);
  File(l0 + "/d/y", 20);
  File(l1 + "/a", 100);
  File(l1 + "/.wh.b", 0);
  File(l2 + "/.wh.d", 0);
  File(l2 + "/c", 10);
  auto w = AnalyzeLayers({l0, l1, l2});
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_DOUBLE_EQ(w->efficiency, 210.0 / 360.0);
  EXPECT_EQ(w->wasted_bytes, 250);
  ASSERT_EQ(w->inefficiencies.size(), 2u);
  EXPECT_EQ(w->inefficiencies[0].path, "/a");
  EXPECT_EQ(w->inefficiencies[0].cumulative, 200);
  EXPECT_EQ(w->inefficiencies[0].layers, (std::vector<int>{0, 1}));
  // Layer 0's /a, /b, /d/x and /d/y are all overwritten or deleted later.
  EXPECT_EQ(w->layer_wasted, (std::vector<int64_t>{200, 0, 0}));
}

TEST(Waste, NothingWastedIsFullyEfficient) {
  TempDir tmp;
  std::string root = *tmp.Create("waste-test");
  File(root + "/l0/a", 10);
  File(root + "/l1/b", 10);
  auto w = AnalyzeLayers({root + "/l0", root + "/l1"});
  ASSERT_TRUE(w.ok());
  EXPECT_DOUBLE_EQ(w->efficiency, 1.0);
  EXPECT_EQ(w->wasted_bytes, 0);
  EXPECT_TRUE(w->inefficiencies.empty());
}

}  // namespace
}  // namespace kiln::analysis
