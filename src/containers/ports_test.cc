#include "containers/ports.h"

#include <gtest/gtest.h>

namespace kiln::containers {
namespace {

TEST(PortsTest, ParsesPodmansForms) {
  auto p = ParsePublish({"8080:80", "127.0.0.1:8081:81/tcp", "0.0.0.0:8082:82"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0], (PortMapping{"", 8080, 80, "tcp"}));
  EXPECT_EQ((*p)[1], (PortMapping{"127.0.0.1", 8081, 81, "tcp"}));
  EXPECT_EQ((*p)[2], (PortMapping{"", 8082, 82, "tcp"}));  // 0.0.0.0 is every address
  EXPECT_EQ(FormatPorts(*p), "0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp, 0.0.0.0:8082->82/tcp");
}

TEST(PortsTest, AMissingHostPortIsChosen) {
  auto p = ParsePublish({"9090", "127.0.0.1::9091"});
  ASSERT_TRUE(p.ok());
  EXPECT_NE((*p)[0].host_port, 0);
  EXPECT_EQ((*p)[0].container_port, 9090);
  EXPECT_EQ((*p)[1].host_ip, "127.0.0.1");
  EXPECT_NE((*p)[1].host_port, 0);
}

TEST(PortsTest, RefusesWhatPodmanRefusesAndWhatKilnCannotDo) {
  EXPECT_EQ(ParsePublish({"80x"}).status().message(),
            "parsing container port: invalid port number: strconv.Atoi: parsing \"80x\": invalid syntax");
  EXPECT_EQ(ParsePublish({"0:80"}).status().message(),
            "parsing host port: port numbers must be between 1 and 65535 (inclusive), got 0");
  EXPECT_EQ(ParsePublish({"1.2.3:80:80"}).status().message(), "cannot parse \"1.2.3\" as an IP address");
  EXPECT_EQ(ParsePublish({"80/udp"}).status().code(), Code::kUnsupported);
  EXPECT_EQ(ParsePublish({"8000-8001:80-81"}).status().code(), Code::kUnsupported);
  EXPECT_FALSE(ParsePublish({"1:2:3:4"}).ok());
}

TEST(PortsTest, JsonRoundTrip) {
  std::vector<PortMapping> ports{{"127.0.0.1", 1, 2, "tcp"}, {"", 3, 4, "tcp"}};
  EXPECT_EQ(PortsFromJson(PortsToJson(ports)), ports);
  EXPECT_TRUE(PortsFromJson(nullptr).empty());
}

}  // namespace
}  // namespace kiln::containers
