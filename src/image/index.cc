#include "image/index.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "util/json_text.h"

namespace kiln::image {
namespace {

using OJson = nlohmann::ordered_json;

Status InvalidPlatform(std::string_view s, std::string_view why) {
  return InvalidArgument("invalid platform syntax for --platform=\"" + std::string(s) + "\": " + std::string(why));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) return out;
    start = p + 1;
  }
}

Expected<std::map<std::string, std::string>> StringMap(const nlohmann::json& j, std::string_view what) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return InvalidArgument(std::string(what) + " is not an object");
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return InvalidArgument(std::string(what) + " value of " + k + " is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Expected<std::vector<std::string>> StringList(const nlohmann::json& j, std::string_view what) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return InvalidArgument(std::string(what) + " is not an array");
  for (const auto& v : j) {
    if (!v.is_string()) return InvalidArgument(std::string(what) + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Str(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Expected<Platform> PlatformFromJson(const nlohmann::json& p) {
  if (!p.is_object()) return InvalidArgument("platform is not an object");
  Platform out;
  out.architecture = Str(p, "architecture");
  out.os = Str(p, "os");
  out.os_version = Str(p, "os.version");
  out.variant = Str(p, "variant");
  if (auto it = p.find("os.features"); it != p.end()) {
    ASSIGN_OR_RETURN(out.os_features, StringList(*it, "os.features"));
  }
  return out;
}

Expected<IndexEntry> EntryFromJson(const nlohmann::json& m) {
  if (!m.is_object()) return InvalidArgument("manifest entry is not an object");
  IndexEntry e;
  e.media_type = Str(m, "mediaType");
  auto d = Digest::Parse(Str(m, "digest"));
  if (!d.ok()) return d.status().Wrap("manifest entry digest");
  e.digest = *d;
  auto size = m.find("size");
  if (size == m.end() || !size->is_number_integer()) return InvalidArgument("manifest entry without a size");
  e.size = size->get<int64_t>();
  if (e.size < 0) return InvalidArgument("manifest entry with a negative size");
  if (auto it = m.find("urls"); it != m.end()) {
    ASSIGN_OR_RETURN(e.urls, StringList(*it, "urls"));
  }
  if (auto it = m.find("platform"); it != m.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(Platform p, PlatformFromJson(*it));
    e.platform = std::move(p);
  }
  if (auto it = m.find("annotations"); it != m.end()) {
    ASSIGN_OR_RETURN(e.annotations, StringMap(*it, "annotations"));
  }
  return e;
}

OJson PlatformJson(const Platform& p, bool docker) {
  OJson j = OJson::object();
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  if (!p.variant.empty()) j["variant"] = p.variant;
  (void)docker;
  return j;
}

OJson AnnotationsJson(const std::map<std::string, std::string>& a) {
  OJson j = OJson::object();
  for (const auto& [k, v] : a) j[k] = v;
  return j;
}

// Go's encoding/json escapes these inside strings; they appear nowhere else in JSON text.
std::string GoEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

}  // namespace

bool IsIndexMediaType(std::string_view media_type) {
  return media_type == kOciIndexType || media_type == kDockerListType;
}

std::string Platform::String() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

std::string NormalizeArch(std::string_view arch) {
  if (arch == "x86_64" || arch == "x86-64") return "amd64";
  if (arch == "aarch64") return "arm64";
  if (arch == "i386" || arch == "i686") return "386";
  if (arch == "armhf" || arch == "armel") return "arm";
  return std::string(arch);
}

Platform PlatformOfMachine(std::string_view machine) {
  Platform p;
  p.os = "linux";
  if (machine.rfind("armv7", 0) == 0) {
    p.architecture = "arm";
    p.variant = "v7";
  } else {
    p.architecture = NormalizeArch(machine);
  }
  return p;
}

Platform HostPlatform() {
  struct utsname u;
  return PlatformOfMachine(::uname(&u) == 0 ? u.machine : "x86_64");
}

std::string DefaultVariant(std::string_view arch) {
  if (arch == "arm64") return "v8";
  if (arch == "arm") return "v7";
  return "";
}

Expected<Platform> ParsePlatform(std::string_view s) {
  std::vector<std::string> parts = Split(s, '/');
  for (const auto& p : parts)
    if (p.empty()) return InvalidPlatform(s, "empty component");
  if (parts.size() > 3) return InvalidPlatform(s, "too many components");
  Platform p;
  if (parts.size() == 1) {
    p.os = "linux";
    p.architecture = NormalizeArch(parts[0]);
    return p;
  }
  p.os = parts[0];
  p.architecture = NormalizeArch(parts[1]);
  if (parts.size() == 3) p.variant = parts[2];
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.'))
      return InvalidPlatform(s, "invalid character");
  return p;
}

Expected<std::vector<Platform>> ParsePlatformList(std::string_view s) {
  std::vector<Platform> out;
  if (s.empty()) return out;
  for (const auto& part : Split(s, ',')) {
    ASSIGN_OR_RETURN(Platform p, ParsePlatform(part));
    out.push_back(std::move(p));
  }
  return out;
}

IndexEntry* Index::Find(const Digest& d) {
  for (auto& e : manifests)
    if (e.digest == d) return &e;
  return nullptr;
}

const IndexEntry* Index::Find(const Digest& d) const { return const_cast<Index*>(this)->Find(d); }

void Index::Put(IndexEntry entry) {
  if (IndexEntry* e = Find(entry.digest)) {
    *e = std::move(entry);
    return;
  }
  manifests.push_back(std::move(entry));
}

bool Index::Remove(const Digest& d) {
  auto it = std::find_if(manifests.begin(), manifests.end(), [&](const IndexEntry& e) { return e.digest == d; });
  if (it == manifests.end()) return false;
  manifests.erase(it);
  return true;
}

Expected<Index> ParseIndex(std::string_view bytes) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("parsing manifest list: invalid JSON");
  Index index;
  index.media_type = Str(j, "mediaType");
  if (index.media_type.empty()) index.media_type = std::string(kOciIndexType);
  if (!IsIndexMediaType(index.media_type))
    return InvalidArgument("parsing manifest list: media type " + index.media_type + " is not a manifest list");
  if (auto it = j.find("manifests"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("parsing manifest list: manifests is not an array");
    for (const auto& m : *it) {
      auto e = EntryFromJson(m);
      if (!e.ok()) return e.status().Wrap("parsing manifest list");
      index.manifests.push_back(std::move(*e));
    }
  }
  if (auto it = j.find("annotations"); it != j.end()) {
    auto a = StringMap(*it, "annotations");
    if (!a.ok()) return a.status().Wrap("parsing manifest list");
    index.annotations = std::move(*a);
  }
  return index;
}

std::string SerializeOciIndex(const Index& index) {
  OJson j = OJson::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kOciIndexType;
  OJson ms = index.manifests.empty() ? OJson() : OJson::array();
  for (const auto& e : index.manifests) {
    OJson m = OJson::object();
    m["mediaType"] = e.media_type;
    m["digest"] = e.digest.str();
    m["size"] = e.size;
    if (!e.urls.empty()) m["urls"] = e.urls;
    if (!e.annotations.empty()) m["annotations"] = AnnotationsJson(e.annotations);
    if (e.platform) m["platform"] = PlatformJson(*e.platform, false);
    ms.push_back(std::move(m));
  }
  j["manifests"] = std::move(ms);
  if (!index.annotations.empty()) j["annotations"] = AnnotationsJson(index.annotations);
  return GoEscape(JsonText(j));
}

std::string SerializeDockerList(const Index& index) {
  OJson j = OJson::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kDockerListType;
  OJson ms = OJson::array();
  for (const auto& e : index.manifests) {
    OJson m = OJson::object();
    m["mediaType"] = e.media_type;
    m["size"] = e.size;
    m["digest"] = e.digest.str();
    if (!e.urls.empty()) m["urls"] = e.urls;
    m["platform"] = PlatformJson(e.platform.value_or(Platform{}), true);
    ms.push_back(std::move(m));
  }
  j["manifests"] = std::move(ms);
  return GoEscape(JsonText(j));
}

std::string InspectJson(const Index& index) {
  OJson j = OJson::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kDockerListType;
  OJson ms = index.manifests.empty() ? OJson() : OJson::array();
  for (const auto& e : index.manifests) {
    OJson m = OJson::object();
    m["mediaType"] = e.media_type;
    m["size"] = e.size;
    m["digest"] = e.digest.str();
    if (!e.urls.empty()) m["urls"] = e.urls;
    m["platform"] = PlatformJson(e.platform.value_or(Platform{}), true);
    if (!e.annotations.empty()) m["annotations"] = AnnotationsJson(e.annotations);
    ms.push_back(std::move(m));
  }
  j["manifests"] = std::move(ms);
  if (!index.annotations.empty()) j["annotations"] = AnnotationsJson(index.annotations);
  return GoEscape(JsonText(j, 4));
}

Expected<const IndexEntry*> ChooseInstance(const Index& index, const Platform& want) {
  const std::string arch = NormalizeArch(want.architecture);
  for (const auto& e : index.manifests) {
    if (!e.platform) continue;
    const Platform& p = *e.platform;
    if (p.os != want.os || NormalizeArch(p.architecture) != arch) continue;
    if (!want.variant.empty()) {
      std::string have = p.variant.empty() ? DefaultVariant(arch) : p.variant;
      std::string wanted = want.variant;
      if (have != wanted) continue;
    }
    return &e;
  }
  const char* kind = index.media_type == kDockerListType ? "manifest list" : "image index";
  return NotFound(std::string("no image found in ") + kind + " for architecture " + arch + ", variant \"" +
                  want.variant + "\", OS " + want.os);
}

}  // namespace kiln::image
