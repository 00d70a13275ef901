#include "config/containers_conf.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "format/toml_text.h"

namespace kiln::config {

std::vector<std::string> ContainersConfFiles() {
  if (const char* only = std::getenv("CONTAINERS_CONF"); only && *only) return {only};
  std::vector<std::string> files = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"};
  std::error_code ec;
  std::vector<std::string> dropins;
  for (auto it = std::filesystem::directory_iterator("/etc/containers/containers.conf.d", ec);
       !ec && it != std::filesystem::end(it); it.increment(ec))
    if (it->path().extension() == ".conf") dropins.push_back(it->path().string());
  std::sort(dropins.begin(), dropins.end());
  files.insert(files.end(), dropins.begin(), dropins.end());
  std::string home_config;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    home_config = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    home_config = std::string(home) + "/.config";
  if (!home_config.empty()) files.push_back(home_config + "/containers/containers.conf");
  return files;
}

Expected<ContainersConf> LoadContainersConf() {
  ContainersConf conf;
  for (const auto& file : ContainersConfFiles()) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) continue;
    ASSIGN_OR_RETURN(toml::table t, format::ParseTomlFile(file, "decoding configuration file"));
    if (auto v = t["engine"]["runtime"].value<std::string>()) conf.runtime = *v;
    if (auto v = t["kiln"]["osv_db"].value<std::string>()) conf.osv_db = *v;
  }
  return conf;
}

}  // namespace kiln::config
