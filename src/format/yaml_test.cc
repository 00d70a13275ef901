#include "format/yaml.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

TEST(Yaml, SortsKeysAndIndentsListsAtTheirKey) {
  auto j = nlohmann::json::parse(R"({"host":{"security":{"rootless":true},"arch":"amd64",
      "idMappings":{"uidmap":[{"container_id":0,"host_id":1000,"size":1},{"container_id":1,"host_id":100000,"size":65536}]}},
      "registries":{"search":["docker.io","quay.io"]},"store":{"graphOptions":{},"volumes":[]}})");
  EXPECT_EQ(Yaml(j),
            "host:\n"
            "  arch: amd64\n"
            "  idMappings:\n"
            "    uidmap:\n"
            "    - container_id: 0\n"
            "      host_id: 1000\n"
            "      size: 1\n"
            "    - container_id: 1\n"
            "      host_id: 100000\n"
            "      size: 65536\n"
            "  security:\n"
            "    rootless: true\n"
            "registries:\n"
            "  search:\n"
            "  - docker.io\n"
            "  - quay.io\n"
            "store:\n"
            "  graphOptions: {}\n"
            "  volumes: []\n");
}

TEST(Yaml, QuotesStringsThatPlainYamlWouldReadOtherwise) {
  auto j = nlohmann::json::parse(R"({"a":"","b":"true","c":"1.5","d":"4.3.1","e":"x: y","f":"-x","g":"line\nnext","h":null,"i":"/home/u/.local"})");
  EXPECT_EQ(Yaml(j),
            "a: \"\"\n"
            "b: \"true\"\n"
            "c: \"1.5\"\n"
            "d: 4.3.1\n"
            "e: \"x: y\"\n"
            "f: \"-x\"\n"
            "g: \"line\\nnext\"\n"
            "h: null\n"
            "i: /home/u/.local\n");
}

}  // namespace
}  // namespace kiln::format
