#include "registry/config.h"

#include "format/toml_text.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "format/toml_text.h"
#include "registry/curl.h"
#include "util/fs.h"
#include "util/json_text.h"
#include "util/rootless.h"

namespace kiln::registry {
namespace {

Expected<std::string> ReadText(const std::string& path, bool* missing) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (missing) *missing = true;
    return NotFound(path + ": no such file or directory");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Home() {
  std::string h = Env("HOME");
  return h.empty() ? "/root" : h;
}

// Does prefix match ref at a component boundary? "*.example.com" matches any subdomain.
bool PrefixMatches(const std::string& prefix, const std::string& ref) {
  if (prefix.rfind("*.", 0) == 0) {
    auto slash = ref.find('/');
    std::string host = ref.substr(0, slash);
    std::string suffix = prefix.substr(1);
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  if (ref.rfind(prefix, 0) != 0) return false;
  if (ref.size() == prefix.size()) return true;
  char c = ref[prefix.size()];
  return c == '/' || c == ':' || c == '@';
}

}  // namespace

const RegistryEntry* RegistriesConf::Find(const std::string& repository) const {
  const RegistryEntry* best = nullptr;
  size_t best_len = 0;
  for (const auto& r : registries) {
    const std::string& p = r.prefix.empty() ? r.location : r.prefix;
    if (!PrefixMatches(p, repository)) continue;
    size_t len = p.rfind("*.", 0) == 0 ? 1 : p.size() + 1;  // wildcards lose to exact prefixes
    if (len > best_len) best = &r, best_len = len;
  }
  return best;
}

Status MergeRegistriesConf(RegistriesConf& conf, const std::string& text, const std::string& path) {
  ASSIGN_OR_RETURN(toml::table tbl, format::ParseToml(text, path, "loading registries configuration"));
  conf.files.push_back(path);
  if (auto* arr = tbl["unqualified-search-registries"].as_array()) {
    conf.short_names.unqualified_search_registries.clear();
    for (auto& v : *arr)
      if (auto s = v.value<std::string>()) conf.short_names.unqualified_search_registries.push_back(*s);
  }
  if (auto s = tbl["short-name-mode"].value<std::string>()) conf.short_name_mode = *s;
  if (auto* aliases = tbl["aliases"].as_table()) {
    for (auto& [k, v] : *aliases) {
      auto s = v.value<std::string>();
      if (!s) continue;
      std::string key(k.str());
      auto& list = conf.short_names.aliases;
      auto it = std::find_if(list.begin(), list.end(), [&](auto& p) { return p.first == key; });
      if (it != list.end()) it->second = *s;
      else list.emplace_back(key, *s);
    }
  }
  if (auto* regs = tbl["registry"].as_array()) {
    for (auto& node : *regs) {
      auto* t = node.as_table();
      if (!t) continue;
      RegistryEntry e;
      e.location = (*t)["location"].value_or(std::string());
      e.prefix = (*t)["prefix"].value_or(std::string());
      if (e.prefix.empty()) e.prefix = e.location;
      e.insecure = (*t)["insecure"].value_or(false);
      e.blocked = (*t)["blocked"].value_or(false);
      if (auto* mirrors = (*t)["mirror"].as_array())
        for (auto& m : *mirrors)
          if (auto* mt = m.as_table())
            e.mirrors.push_back({(*mt)["location"].value_or(std::string()), (*mt)["insecure"].value_or(false)});
      if (e.prefix.empty())
        return InvalidArgument("loading registries configuration \"" + path +
                               "\": invalid location: cannot be empty");
      // A later file's entry for the same prefix replaces the earlier one.
      auto it = std::find_if(conf.registries.begin(), conf.registries.end(),
                             [&](auto& r) { return r.prefix == e.prefix; });
      if (it != conf.registries.end()) *it = std::move(e);
      else conf.registries.push_back(std::move(e));
    }
  }
  return Status::Ok();
}

Expected<RegistriesConf> LoadRegistriesConf() {
  RegistriesConf conf;
  std::string single = Env("CONTAINERS_REGISTRIES_CONF");
  std::vector<std::string> files;
  if (!single.empty()) {
    files.push_back(single);
    conf.main_file = single;
    conf.dropin_dir = "/etc/containers/registries.conf.d";
  } else {
    // As containers/image does: $HOME/.config/containers/registries.conf, when it exists,
    // replaces the system file, and $HOME/.config/containers/registries.conf.d the system's
    // drop-in directory.
    const std::string user = Home() + "/.config/containers/registries.conf";
    struct stat st;
    conf.main_file = ::stat(user.c_str(), &st) == 0 ? user : "/etc/containers/registries.conf";
    conf.dropin_dir = ::stat((user + ".d").c_str(), &st) == 0 ? user + ".d" : "/etc/containers/registries.conf.d";
    files.push_back(conf.main_file);
    const std::string& dir = conf.dropin_dir;
    std::vector<std::string> dropins;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0) dropins.push_back(dir + "/" + n);
      }
      ::closedir(d);
    }
    std::sort(dropins.begin(), dropins.end());
    files.insert(files.end(), dropins.begin(), dropins.end());
  }
  for (const auto& f : files) {
    bool missing = false;
    auto text = ReadText(f, &missing);
    if (!text.ok()) {
      if (missing) continue;
      return text.status();
    }
    RETURN_IF_ERROR(MergeRegistriesConf(conf, *text, f));
  }
  return conf;
}

Expected<std::vector<PullSource>> PullSources(const RegistriesConf& conf, const image::Reference& ref) {
  std::string repo = ref.Repository();
  std::vector<PullSource> out;
  const RegistryEntry* e = conf.Find(repo);
  if (!e) {
    out.push_back({repo, ref.domain, false, false});
    return out;
  }
  if (e->blocked)
    return InvalidArgument("registry " + (e->location.empty() ? ref.domain : e->location) +
                           " is blocked in " + conf.main_file + " or " + conf.dropin_dir);
  auto rewrite = [&](const std::string& location) {
    if (e->prefix.rfind("*.", 0) == 0 || location.empty()) return repo;
    return location + repo.substr(e->prefix.size());
  };
  auto domain_of = [](const std::string& r) { return r.substr(0, r.find('/')); };
  for (const auto& m : e->mirrors) {
    std::string r = rewrite(m.location);
    out.push_back({r, domain_of(r), m.insecure, true});
  }
  std::string r = rewrite(e->location);
  out.push_back({r, domain_of(r), e->insecure, false});
  return out;
}

// ---- auth.json ------------------------------------------------------------------------------------

std::string AuthFileForWrite(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::string env = Env("REGISTRY_AUTH_FILE");
  if (!env.empty()) return env;
  // podman: ${XDG_RUNTIME_DIR}/containers/auth.json, else /run/containers/UID/auth.json;
  // rootless without XDG_RUNTIME_DIR, the user's fallback runtime directory (util/rootless.h).
  std::string xdg = Env("XDG_RUNTIME_DIR");
  if (!xdg.empty()) return xdg + "/containers/auth.json";
  if (Rootless()) return RootlessRuntimeDir() + "/containers/auth.json";
  return "/run/containers/" + std::to_string(::getuid()) + "/auth.json";
}

namespace {

Expected<nlohmann::json> ParseAuthJson(std::string_view text, const std::string& path) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument("unmarshaling JSON at \"" + path + "\": invalid JSON");
  return j;
}

std::optional<Credentials> FromEntry(const nlohmann::json& entry) {
  if (!entry.is_object()) return std::nullopt;
  auto a = entry.find("auth");
  if (a == entry.end() || !a->is_string()) return std::nullopt;
  auto decoded = Base64Decode(a->get<std::string>());
  if (!decoded.ok()) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace

Expected<std::optional<Credentials>> LookupCredentials(std::string_view text, const std::string& path, bool legacy,
                                                       const std::string& domain, const std::string& repo_path) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseAuthJson(text, path));
  const nlohmann::json* auths = &j;
  if (!legacy) {
    auto it = j.find("auths");
    if (it == j.end() || !it->is_object()) return std::optional<Credentials>();
    auths = &*it;
  }
  // Most specific key first: host/ns/repo, host/ns, host; then the legacy URL forms.
  std::vector<std::string> keys;
  for (std::string k = domain + "/" + repo_path;;) {
    keys.push_back(k);
    auto slash = k.rfind('/');
    if (slash == std::string::npos) break;
    k = k.substr(0, slash);
  }
  for (const char* form : {"https://%", "http://%", "https://%/v1/", "https://%/v2/"}) {
    std::string f(form);
    keys.push_back(f.replace(f.find('%'), 1, domain));
  }
  if (domain == "docker.io") keys.push_back("https://index.docker.io/v1/");
  for (const auto& key : keys)
    if (auto it = auths->find(key); it != auths->end())
      if (auto c = FromEntry(*it)) return std::optional<Credentials>(*c);
  return std::optional<Credentials>();
}

Expected<std::optional<Credentials>> FindCredentials(const std::string& flag, const std::string& domain,
                                                     const std::string& path) {
  std::vector<std::pair<std::string, bool>> files;  // path, docker legacy (.dockercfg has no "auths")
  files.push_back({AuthFileForWrite(flag), false});
  if (flag.empty()) {
    files.push_back({Home() + "/.config/containers/auth.json", false});
    std::string dc = Env("DOCKER_CONFIG");
    files.push_back({(dc.empty() ? Home() + "/.docker" : dc) + "/config.json", false});
    files.push_back({Home() + "/.dockercfg", true});
  }
  for (const auto& [file, legacy] : files) {
    bool missing = false;
    auto text = ReadText(file, &missing);
    if (!text.ok()) {
      if (missing) continue;
      return text.status();
    }
    ASSIGN_OR_RETURN(auto creds, LookupCredentials(*text, file, legacy, domain, path));
    if (creds) return creds;
  }
  return std::optional<Credentials>();
}

namespace {

// Serialises the read-modify-write of login and logout between processes: an exclusive
// flock on the file's directory (nothing is left beside the credentials, and a killed
// process releases it). The file itself is always replaced whole (WriteFileAtomic), so
// readers never see it half-written; the lock keeps concurrent writers from losing each
// other's entries.
Expected<UniqueFd> LockAuthDir(const std::string& authfile) {
  auto slash = authfile.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : authfile.substr(0, slash);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + dir, errno);
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return ErrnoError("lock " + dir, errno);
  return fd;
}

}  // namespace

Status StoreCredentials(const std::string& authfile, const std::string& key, const Credentials& creds) {
  auto slash = authfile.rfind('/');
  if (slash != std::string::npos && slash > 0) RETURN_IF_ERROR(MakeDirs(authfile.substr(0, slash)));
  ASSIGN_OR_RETURN(UniqueFd lock, LockAuthDir(authfile));
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  bool missing = false;
  auto text = ReadText(authfile, &missing);
  if (text.ok()) {
    j = nlohmann::ordered_json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return InvalidArgument("unmarshaling JSON at \"" + authfile + "\": invalid JSON");
  } else if (!missing) {
    return text.status();
  }
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = nlohmann::ordered_json::object();
  j["auths"][key] = {{"auth", Base64Encode(creds.username + ":" + creds.password)}};
  return WriteFileAtomic(authfile, JsonText(j, 1, '\t') + "\n", 0600);
}

Status RemoveCredentials(const std::string& authfile, const std::string& key) {
  auto lock = LockAuthDir(authfile);
  if (!lock.ok()) return PathExists(authfile) ? lock.status() : NotFound("not logged in");
  bool missing = false;
  auto text = ReadText(authfile, &missing);
  if (!text.ok()) return missing ? NotFound("not logged in") : text.status();
  auto j = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument("unmarshaling JSON at \"" + authfile + "\": invalid JSON");
  if (key.empty()) {
    j["auths"] = nlohmann::ordered_json::object();
  } else {
    if (!j.contains("auths") || !j["auths"].is_object() || !j["auths"].contains(key)) return NotFound("not logged in");
    j["auths"].erase(key);
  }
  return WriteFileAtomic(authfile, JsonText(j, 1, '\t') + "\n", 0600);
}

}  // namespace kiln::registry
