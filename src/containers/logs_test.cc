#include "containers/logs.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "util/fs.h"

namespace kiln::containers {
namespace {

TEST(Logs, ParsesCompleteRecordsAndLeavesAPartialLine) {
  std::string text =
      "2026-01-01T00:00:00.000000001+00:00 stdout F hello world\n"
      "2026-01-01T00:00:00.000000002+00:00 stderr P part\n"
      "2026-01-01T00:00:00.0000";
  std::vector<LogRecord> records;
  size_t used = ParseLogRecords(text, &records);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].stream, "stdout");
  EXPECT_EQ(records[0].text, "hello world");
  EXPECT_FALSE(records[0].partial);
  EXPECT_EQ(records[1].stream, "stderr");
  EXPECT_TRUE(records[1].partial);
  EXPECT_EQ(records[1].time, "2026-01-01T00:00:00.000000002+00:00");
  EXPECT_EQ(text.substr(used), "2026-01-01T00:00:00.0000");
}

TEST(Logs, PumpOutputWritesOneRecordPerLineAndFlushesTheRest) {
  int out_p[2], err_p[2];
  ASSERT_EQ(pipe(out_p), 0);
  ASSERT_EQ(pipe(err_p), 0);
  std::string path = "/tmp/kiln-log-" + RandomHex(4);
  UniqueFd log(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  ASSERT_TRUE(log.valid());
  ASSERT_EQ(write(out_p[1], "a\nb", 3), 3);
  ASSERT_EQ(write(err_p[1], "e\n", 2), 2);
  close(out_p[1]);
  close(err_p[1]);
  PumpOutput(out_p[0], err_p[0], log.get(), -1, -1);
  auto text = ReadFile(path);
  unlink(path.c_str());
  ASSERT_TRUE(text.ok());
  std::vector<LogRecord> records;
  EXPECT_EQ(ParseLogRecords(*text, &records), text->size());
  ASSERT_EQ(records.size(), 3u);
  std::multiset<std::string> got;
  for (const auto& r : records) got.insert(r.stream + ":" + r.text + (r.partial ? ":P" : ":F"));
  EXPECT_EQ(got, (std::multiset<std::string>{"stdout:a:F", "stdout:b:P", "stderr:e:F"}));
}

}  // namespace
}  // namespace kiln::containers
