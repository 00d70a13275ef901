// podman's configuration files for registries: registries.conf (v2 TOML, with
// registries.conf.d drop-ins) and auth.json (credentials from `login`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image/reference.h"
#include "util/status.h"

namespace kiln::registry {

struct Mirror {
  std::string location;
  bool insecure = false;
};

struct RegistryEntry {
  std::string prefix;    // defaults to location
  std::string location;  // "" with a wildcard prefix = the host as typed
  bool insecure = false;
  bool blocked = false;
  std::vector<Mirror> mirrors;
};

struct RegistriesConf {
  std::vector<RegistryEntry> registries;
  image::ShortNameConfig short_names;
  std::string short_name_mode;        // "enforcing" | "permissive" | "disabled" | ""
  std::vector<std::string> files;     // the files read, in order (for messages)
  std::string main_file;              // the path podman names in "no unqualified-search registries" errors
  std::string dropin_dir;             // and the drop-in directory it names for a blocked registry

  // The [[registry]] whose prefix matches repository_ref ("host/path" or "host/path:tag")
  // longest, or null.
  const RegistryEntry* Find(const std::string& repository) const;
};

// $CONTAINERS_REGISTRIES_CONF alone, else /etc/containers/registries.conf followed by
// /etc/containers/registries.conf.d/*.conf in name order (later files override scalars and
// add aliases; a file that sets [[registry]] or unqualified-search-registries replaces them).
Expected<RegistriesConf> LoadRegistriesConf();
// Parses one file's TOML into conf (for tests and drop-ins).
Status MergeRegistriesConf(RegistriesConf& conf, const std::string& toml_text, const std::string& path);

// One place a pull of `repository` (domain/path) may come from.
struct PullSource {
  std::string repository;  // rewritten domain/path
  std::string domain;
  bool insecure = false;
  bool mirror = false;
};
// Mirrors first (in order), then the primary location, after prefix → location rewriting.
// Blocked registries give podman's error.
Expected<std::vector<PullSource>> PullSources(const RegistriesConf& conf, const image::Reference& ref);

// ---- auth.json ------------------------------------------------------------------------------------
struct Credentials {
  std::string username;
  std::string password;
  bool empty() const { return username.empty() && password.empty(); }
};

// Where `login` writes: --authfile, else $REGISTRY_AUTH_FILE, else
// ${XDG_RUNTIME_DIR}/containers/auth.json (root without XDG_RUNTIME_DIR: /run/containers/0/auth.json).
std::string AuthFileForWrite(const std::string& authfile_flag);
// Looks up credentials for a registry + repository in podman's order: the write location
// (or --authfile), then $HOME/.config/containers/auth.json, ~/.docker/config.json,
// ~/.dockercfg. Keys are matched most specific first ("host/ns/repo", "host/ns", "host"),
// plus the legacy "https://host/v1/" forms.
Expected<std::optional<Credentials>> FindCredentials(const std::string& authfile_flag, const std::string& domain,
                                                     const std::string& path);
// The lookup of FindCredentials within one file's text: `auths` of auth.json / config.json,
// or the top-level object of a legacy ~/.dockercfg. Invalid JSON is an error naming `path`.
Expected<std::optional<Credentials>> LookupCredentials(std::string_view text, const std::string& path, bool legacy,
                                                       const std::string& domain, const std::string& repo_path);

// Stores (login) or removes (logout) credentials under key ("host" or "host/ns/repo").
Status StoreCredentials(const std::string& authfile, const std::string& key, const Credentials& creds);
// Removes key; NotFound when it was not there. key "" removes all.
Status RemoveCredentials(const std::string& authfile, const std::string& key);

}  // namespace kiln::registry
