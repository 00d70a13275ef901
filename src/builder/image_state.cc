#include "builder/image_state.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "util/fs.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::build {
namespace {

// Go's encoding/json writes map keys sorted; an ordered_json object must be rebuilt so.
Json SortedObject(const Json& obj) {
  if (!obj.is_object()) return obj;
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  Json out = Json::object();
  for (const auto& k : keys) out[k] = obj.at(k);
  return out;
}

// Moves the listed keys of `in` to the front of a new object, in this order; other keys
// follow in their existing order.
Json Reordered(const Json& in, std::initializer_list<const char*> order) {
  Json out = Json::object();
  for (const char* k : order)
    if (in.contains(k)) out[k] = in.at(k);
  for (auto it = in.begin(); it != in.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = it.value();
  return out;
}

}  // namespace

Json& ImageState::Runtime() {
  Json& rt = config["config"];
  if (!rt.is_object()) rt = Json::object();
  return rt;
}

const Json& ImageState::Runtime() const {
  static const Json kEmpty = Json::object();
  auto it = config.find("config");
  return it != config.end() && it->is_object() ? *it : kEmpty;
}

std::vector<std::string> ImageState::Env() const {
  std::vector<std::string> out;
  auto it = Runtime().find("Env");
  if (it == Runtime().end() || !it->is_array()) return out;
  for (const auto& e : *it)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::optional<std::string> ImageState::GetEnv(const std::string& key) const {
  for (const auto& kv : Env())
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=')
      return kv.substr(key.size() + 1);
  return std::nullopt;
}

void ImageState::SetEnv(const std::string& key, const std::string& value) {
  Json& env = Runtime()["Env"];
  if (!env.is_array()) env = Json::array();
  for (auto& e : env) {
    std::string s = e.is_string() ? e.get<std::string>() : "";
    if (s.size() > key.size() && s.compare(0, key.size(), key) == 0 && s[key.size()] == '=') {
      e = key + "=" + value;
      return;
    }
  }
  env.push_back(key + "=" + value);
}

void ImageState::UnsetEnv(const std::string& key) {
  Json& env = Runtime()["Env"];
  if (!env.is_array()) return;
  Json kept = Json::array();
  for (const auto& e : env) {
    std::string s = e.is_string() ? e.get<std::string>() : "";
    if (s == key || (s.size() > key.size() && s.compare(0, key.size(), key) == 0 && s[key.size()] == '=')) continue;
    kept.push_back(e);
  }
  env = kept;
}

void ImageState::MoveEnvToEnd(const std::vector<std::string>& keys) {
  Json& env = Runtime()["Env"];
  if (!env.is_array()) return;
  auto key_of = [](const Json& e) {
    std::string s = e.is_string() ? e.get<std::string>() : "";
    return s.substr(0, s.find('='));
  };
  Json out = Json::array();
  for (const auto& e : env)
    if (std::find(keys.begin(), keys.end(), key_of(e)) == keys.end()) out.push_back(e);
  for (const auto& k : keys)
    for (const auto& e : env)
      if (key_of(e) == k) {
        out.push_back(e);
        break;
      }
  env = std::move(out);
}

std::string ImageState::WorkingDir() const {
  std::string wd = Runtime().value("WorkingDir", "");
  return wd.empty() ? "/" : wd;
}

std::string ImageState::User() const { return Runtime().value("User", ""); }

std::vector<std::string> ImageState::Shell(const std::vector<std::string>& stage_shell) const {
  if (!stage_shell.empty()) return stage_shell;
  return {"/bin/sh", "-c"};
}

void ImageState::AddHistory(const image::HistoryEntry& entry, const std::optional<Digest>& diff_id) {
  Json& hist = config["history"];
  if (!hist.is_array()) hist = Json::array();
  // buildah signs every step with the image's author (MAINTAINER, or the base image's).
  image::HistoryEntry signed_entry = entry;
  if (signed_entry.author.empty() && config.contains("author") && config["author"].is_string())
    signed_entry.author = config["author"].get<std::string>();
  hist.push_back(image::HistoryToJson(signed_entry));
  if (diff_id) {
    Json& rootfs = config["rootfs"];
    if (!rootfs.is_object()) rootfs = Json{{"type", "layers"}, {"diff_ids", Json::array()}};
    rootfs["diff_ids"].push_back(diff_id->str());
  }
}

void ImageState::Normalize() {
  Json rt = Runtime();
  for (const char* map_key : {"ExposedPorts", "Volumes", "Labels"}) {
    if (!rt.contains(map_key)) continue;
    if (rt[map_key].is_object() && rt[map_key].empty()) {
      rt.erase(map_key);
      continue;
    }
    rt[map_key] = SortedObject(rt[map_key]);
  }
  config["config"] = Reordered(rt, {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
                                    "Labels", "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell"});
  config = Reordered(config, {"created", "author", "architecture", "variant", "os", "os.version", "os.features",
                              "config", "rootfs", "history"});
}

namespace {

bool IsShellSpecial(char c) { return std::string_view("*#$@!?-0123456789").find(c) != std::string_view::npos; }
bool IsAlphaNum(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }

// Go's getShellName: the name after a '$' and how many bytes it took ("" with a width means
// bad syntax, eaten; "" without means no name, the '$' stays).
std::pair<std::string, size_t> ShellName(std::string_view s) {
  if (s[0] == '{') {
    if (s.size() > 2 && IsShellSpecial(s[1]) && s[2] == '}') return {std::string(s.substr(1, 1)), 3};
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] != '}') continue;
      if (i == 1) return {"", 2};
      return {std::string(s.substr(1, i - 1)), i + 1};
    }
    return {"", 1};
  }
  if (IsShellSpecial(s[0])) return {std::string(s.substr(0, 1)), 1};
  size_t i = 0;
  while (i < s.size() && IsAlphaNum(s[i])) ++i;
  return {std::string(s.substr(0, i)), i};
}

}  // namespace

std::string GoOsExpand(const std::string& s, const std::function<std::string(const std::string&)>& lookup) {
  std::string out;
  size_t i = 0;
  for (size_t j = 0; j < s.size(); ++j) {
    if (s[j] != '$' || j + 1 >= s.size()) continue;
    out.append(s, i, j - i);
    auto [name, width] = ShellName(std::string_view(s).substr(j + 1));
    if (name.empty() && width > 0) {
      // bad syntax: eaten
    } else if (name.empty()) {
      out += '$';
    } else {
      out += lookup(name);
    }
    j += width;
    i = j + 1;
  }
  if (i < s.size()) out.append(s, i, std::string::npos);
  return out;
}

std::string FinalConfigFlags::Describe() const {
  Json d = Json::object();
  Json e = Json::array();
  for (const auto& v : env) e.push_back(Json::array({v.name, v.value, v.expand}));
  d["env"] = e;
  Json u = Json::array();
  for (const auto& k : unset_env) u.push_back(k);
  d["unsetenv"] = u;
  d["unsetlabel"] = unset_labels;
  d["omit-history"] = omit_history;
  d["os-version"] = os_version;
  d["variant"] = variant;
  Json feat = Json::array();
  for (const auto& f : os_features) feat.push_back(f);
  d["os-feature"] = feat;
  return JsonText(d);
}

namespace {

// buildah's --os-feature: "F" adds F once, "F-" removes it, in order; none left: no key.
void ApplyOsFeatures(Json& config, const std::vector<std::string>& changes) {
  for (const auto& f : changes) {
    Json& features = config["os.features"];
    if (!features.is_array()) features = Json::array();
    bool remove = !f.empty() && f.back() == '-';
    std::string name = remove ? f.substr(0, f.size() - 1) : f;
    auto at = std::find(features.begin(), features.end(), Json(name));
    if (remove && at != features.end()) features.erase(at);
    if (!remove && at == features.end()) features.push_back(name);
  }
  if (config.contains("os.features") && config["os.features"].empty()) config.erase("os.features");
}

}  // namespace

void ApplyFinalConfig(ImageState& state, const FinalConfigFlags& flags,
                      const std::function<void(const std::string&)>& warn) {
  for (const auto& e : flags.env) {
    std::string value = e.value;
    if (e.expand) {
      value = GoOsExpand(value, [&](const std::string& name) {
        if (auto v = state.GetEnv(name)) return *v;
        if (warn) warn("error expanding variable \"" + name + "\": no value set in image");
        return name;  // buildah's getenv gives the name back
      });
    }
    state.SetEnv(e.name, value);
  }
  for (const auto& k : flags.unset_env) state.UnsetEnv(k);
  if (!flags.unset_labels.empty() && state.Runtime()["Labels"].is_object()) {
    Json& labels = state.Runtime()["Labels"];
    for (const auto& k : flags.unset_labels) labels.erase(k);
  }
  if (flags.omit_history) state.config.erase("history");
  if (!flags.os_version.empty()) state.config["os.version"] = flags.os_version;
  if (!flags.variant.empty()) state.config["variant"] = flags.variant;
  ApplyOsFeatures(state.config, flags.os_features);
}

ImageState StateFromBase(const image::ImageConfig& base, std::vector<store::LayerInfo> layers, std::string image_id) {
  ImageState s;
  s.config = base.json;
  s.layers = std::move(layers);
  s.image_id = std::move(image_id);
  if (!s.GetEnv("PATH")) {  // buildah sets it as the stage's first ENV: after the base's
    Json& env = s.Runtime()["Env"];
    if (!env.is_array()) env = Json::array();
    env.push_back(kDefaultPath);
    s.path_defaulted = true;
  }
  return s;
}

ImageState StateFromScratch() {
  ImageState s;
  s.config = Json{{"created", ""}, {"architecture", "amd64"}, {"os", "linux"}, {"config", Json::object()},
                  {"rootfs", Json{{"type", "layers"}, {"diff_ids", Json::array()}}}, {"history", Json::array()}};
  s.config["config"]["Env"] = Json::array({kDefaultPath});
  s.path_defaulted = true;
  return s;
}

std::string JoinContainerPath(const std::string& base, const std::string& path, bool keep_slash) {
  std::string joined = !path.empty() && path[0] == '/' ? path : (base.empty() ? "/" : base) + "/" + path;
  // Lexical clean: collapse "//", ".", "..".
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= joined.size()) {
    size_t j = joined.find('/', i);
    if (j == std::string::npos) j = joined.size();
    std::string part = joined.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  if (out.empty()) return "/";
  bool slash = keep_slash && !path.empty() && (path.back() == '/' || path == "." || path.ends_with("/."));
  return slash ? out + "/" : out;
}

std::string NormalizePort(const std::string& port) {
  return port.find('/') == std::string::npos ? port + "/tcp" : port;
}

bool VolumeSetAdd(std::vector<std::string>& set, const std::string& path) {
  if (path == "/") {
    bool changed = set.size() != 1 || !set[0].empty();
    set = {""};
    return changed;
  }
  std::string p = path;
  if (p.size() > 1 && p.back() == '/') p.pop_back();
  std::vector<std::string> kept;
  for (const auto& v : set) {
    if (v == p || p.rfind(v + "/", 0) == 0) return false;
    if (v.rfind(p + "/", 0) == 0) continue;
    kept.push_back(v);
  }
  kept.push_back(p);
  set = std::move(kept);
  return true;
}

std::string NopCreatedBy(const std::string& text) { return "/bin/sh -c #(nop) " + text; }

std::string RunCommandText(const std::string& original) {
  return "/bin/sh -c " + original.substr(std::min<size_t>(4, original.size()));
}

std::string RunCreatedBy(const std::string& command, const std::vector<std::pair<std::string, std::string>>& args) {
  if (args.empty()) return command;
  std::string list;
  for (const auto& [k, v] : args) list += (list.empty() ? "" : " ") + k + "=" + v;
  size_t words = 1 + static_cast<size_t>(std::count(list.begin(), list.end(), ' '));
  return "|" + std::to_string(words) + " " + list + " " + command;
}

}  // namespace kiln::build
