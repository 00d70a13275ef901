// chattr +T for directories whose subdirectories are unrelated trees.
#pragma once

#include <string>

namespace kiln {

// Marks a directory whose subdirectories are unrelated trees (the store's snapshots, the
// build's step directories) as a top of hierarchies for ext2/3/4's Orlov allocator (chattr +T),
// so each new subdirectory goes to a block group with free inodes to spare instead of the
// parent's. Creating a file in a group full of recently deleted inodes (a CI runner that
// removed its last job's store) scans them one by one, on a file system without a journal:
// 2000 files took 3 s that way here, a fraction of it spread. Best effort: other file systems
// do not know the flag, and nothing depends on it.
void MarkTopDir(const std::string& dir);

}  // namespace kiln
