#include "cli/image_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "util/time.h"

namespace kiln::cli {

RepoTag SplitName(const std::string& name) {
  if (name.empty()) return {"<none>", "<none>"};
  auto at = name.find('@');
  if (at != std::string::npos) return {name.substr(0, at), "<none>"};
  auto colon = name.rfind(':');
  if (colon == std::string::npos || name.find('/', colon) != std::string::npos) return {name, "latest"};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

std::vector<std::string> RepoDigests(const store::ImageRecord& image) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& n : image.names) {
    std::string repo = SplitName(n).repository;
    if (seen.insert(repo).second) out.push_back(repo + "@" + image.manifest_digest.str());
  }
  std::sort(out.begin(), out.end());  // podman lists them sorted
  return out;
}

namespace {

image::Json StringArray(const std::vector<std::string>& v) {
  image::Json a = image::Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

image::Json GraphDriver(const store::Store& store, const std::vector<store::LayerInfo>& layers) {
  image::Json data = image::Json::object();
  if (!layers.empty()) {
    std::string lower;
    for (size_t i = layers.size() - 1; i-- > 0;) {
      if (!lower.empty()) lower += ':';
      lower += store.snapshots().FsPath(layers[i].chain_id);
    }
    if (!lower.empty()) data["LowerDir"] = lower;
    data["UpperDir"] = store.snapshots().FsPath(layers.back().chain_id);
    data["WorkDir"] = store.snapshots().Dir(layers.back().chain_id) + "/work";
  }
  return image::Json{{"Name", "overlay"}, {"Data", data}};
}

bool EmptyJson(const image::Json& v) {
  return v.is_null() || ((v.is_string() || v.is_array() || v.is_object()) && v.empty()) ||
         (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v == 0);
}

// The fields of `cfg` named in `keys`, in that order, leaving out empty ones.
image::Json NonEmptyFields(const image::Json& cfg, std::initializer_list<const char*> keys) {
  image::Json out = image::Json::object();
  for (const char* k : keys) {
    auto it = cfg.find(k);
    if (it != cfg.end() && !EmptyJson(*it)) out[k] = *it;
  }
  return out;
}

// podman shows the OCI image config (v1.ImageConfig, in its field order): a Docker config's
// other fields are left out, and its Healthcheck shows at the top level (HealthCheck).
image::Json OciConfigFields(const image::Json& runtime) {
  return NonEmptyFields(runtime, {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
                                  "Labels", "StopSignal", "ArgsEscaped"});
}

// manifest.Schema2HealthConfig, in its field order; null without a healthcheck.
image::Json HealthcheckFields(const image::Json& runtime) {
  auto it = runtime.find("Healthcheck");
  if (it == runtime.end() || !it->is_object()) return image::Json();
  return NonEmptyFields(*it, {"Test", "StartPeriod", "Interval", "Timeout", "Retries"});
}

}  // namespace

Expected<image::Json> InspectImage(store::Store& store, const store::ImageRecord& img) {
  ASSIGN_OR_RETURN(image::ImageConfig config, store.ReadConfig(img));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, store.ImageLayers(img.id));
  ASSIGN_OR_RETURN(std::string manifest_bytes, store.content().Read(img.manifest_digest));
  auto manifest = image::ParseManifest(manifest_bytes);
  const image::Json& runtime = config.RuntimeConfig();
  auto history = config.History();

  image::Json j = image::Json::object();
  j["Id"] = img.id;
  j["Digest"] = img.manifest_digest.str();
  j["RepoTags"] = StringArray(img.names);
  j["RepoDigests"] = StringArray(RepoDigests(img));
  j["Parent"] = img.parent;
  // podman: a Docker-format image's own "comment" (commit -m), else the first history entry's.
  const bool docker = img.manifest_type == image::kDockerManifest;
  j["Comment"] = docker && config.json.contains("comment") ? config.json.value("comment", "")
                 : history.empty()                           ? ""
                                                             : history[0].comment;
  j["Created"] = FormatRfc3339Nano(img.created);
  j["Config"] = OciConfigFields(runtime);
  j["Version"] = config.json.value("docker_version", "");
  j["Author"] = config.Author();
  j["Architecture"] = config.Architecture();
  j["Os"] = config.Os();
  j["Size"] = img.size;
  j["VirtualSize"] = img.size;
  j["GraphDriver"] = GraphDriver(store, layers);
  image::Json diff_ids = image::Json::array();
  for (const auto& d : config.DiffIds()) diff_ids.push_back(d.str());
  j["RootFS"] = image::Json{{"Type", "layers"}, {"Layers", diff_ids}};
  auto labels = runtime.find("Labels");
  j["Labels"] = labels != runtime.end() && labels->is_object() && !labels->empty() ? *labels : image::Json();
  j["Annotations"] = manifest.ok() && manifest->annotations.is_object() ? manifest->annotations : image::Json::object();
  j["ManifestType"] = img.manifest_type;
  j["User"] = runtime.value("User", "");
  auto raw_history = config.json.find("history");
  j["History"] = raw_history != config.json.end() && raw_history->is_array() ? *raw_history : image::Json::array();
  j["NamesHistory"] = StringArray(img.names_history);
  if (image::Json hc = HealthcheckFields(runtime); !hc.is_null()) j["Healthcheck"] = hc;
  return j;
}

Expected<std::vector<HistoryRow>> ImageHistory(store::Store& store, const store::ImageRecord& img) {
  ASSIGN_OR_RETURN(image::ImageConfig config, store.ReadConfig(img));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, store.ImageLayers(img.id));
  ASSIGN_OR_RETURN(std::vector<store::ImageRecord> all, store.ListImages());
  // Which images have which layer on top, in the order they entered the store.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.added < b.added; });
  std::map<std::string, std::vector<const store::ImageRecord*>> by_top_layer;
  for (const auto& i : all)
    if (!i.top_layer.empty()) by_top_layer[i.top_layer].push_back(&i);

  auto history = config.History();
  std::vector<HistoryRow> rows;
  std::set<std::string> used_ids;
  int layer_index = static_cast<int>(layers.size()) - 1;
  for (int x = static_cast<int>(history.size()) - 1; x >= 0; --x) {
    const auto& h = history[static_cast<size_t>(x)];
    HistoryRow row{"<missing>", h.created, h.created_by, h.comment, 0, {}};
    if (x == static_cast<int>(history.size()) - 1) row.id = img.id;
    if (layer_index >= 0) {
      const auto& layer = layers[static_cast<size_t>(layer_index)];
      if (!h.empty_layer) row.size = layer.size;
      auto it = by_top_layer.find(layer.chain_id.hex());
      if (it != by_top_layer.end()) {
        const std::string& id = it->second.front()->id;
        if (used_ids.insert(id).second) row.id = id;
        for (const auto* i : it->second) row.tags.insert(row.tags.end(), i->names.begin(), i->names.end());
      }
      if (!h.empty_layer) --layer_index;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool LabelMatches(const image::Json& labels, const std::string& want) {
  auto eq = want.find('=');
  std::string key = want.substr(0, eq);
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  return eq == std::string::npos || (it->is_string() && it->get<std::string>() == want.substr(eq + 1));
}

}  // namespace kiln::cli
