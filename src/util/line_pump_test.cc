#include "util/line_pump.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace kiln {
namespace {

std::string ReadBack(FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(LinePump, PrefixesWholeLinesAndEndsTheLastOne) {
  FILE* out = std::tmpfile();
  std::mutex mu;
  auto p = LinePump::Start(out, "[a] ", mu);
  ASSERT_TRUE(p.ok());
  std::fputs("one\ntw", (*p)->file());
  std::fflush((*p)->file());
  // A program writing to the file descriptor directly, as a RUN step's does.
  ASSERT_EQ(::write(fileno((*p)->file()), "o\nthree", 7), 7);
  (*p)->Finish();
  EXPECT_EQ(ReadBack(out), "[a] one\n[a] two\n[a] three\n");
  std::fclose(out);
}

TEST(LinePump, TwoPumpsNeverMixTheirLines) {
  FILE* out = std::tmpfile();
  std::mutex mu;
  auto a = LinePump::Start(out, "[a] ", mu);
  auto b = LinePump::Start(out, "[b] ", mu);
  ASSERT_TRUE(a.ok() && b.ok());
  std::string line_a(1000, 'x'), line_b(1000, 'y');
  std::thread ta([&] {
    for (int i = 0; i < 200; ++i) std::fprintf((*a)->file(), "%s\n", line_a.c_str());
  });
  std::thread tb([&] {
    for (int i = 0; i < 200; ++i) std::fprintf((*b)->file(), "%s\n", line_b.c_str());
  });
  ta.join();
  tb.join();
  (*a)->Finish();
  (*b)->Finish();
  std::string s = ReadBack(out);
  int as = 0, bs = 0;
  for (size_t start = 0, nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = s.substr(start, nl - start);
    if (line == "[a] " + line_a) ++as;
    else if (line == "[b] " + line_b) ++bs;
    else ADD_FAILURE() << "mixed line: " << line.substr(0, 40);
  }
  EXPECT_EQ(as, 200);
  EXPECT_EQ(bs, 200);
  std::fclose(out);
}

}  // namespace
}  // namespace kiln
