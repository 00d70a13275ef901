#include "image/config.h"

#include "util/json_text.h"
#include "util/time.h"

namespace kiln::image {
namespace {

const Json& EmptyObject() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

std::string StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t TimeField(const Json& j, const char* key) {
  auto t = ParseRfc3339(StringField(j, key));
  return t.ok() ? *t : 0;
}

Json DescriptorToJson(const Descriptor& d) {
  return Json{{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

Expected<Descriptor> DescriptorFromJson(const Json& j) {
  if (!j.is_object()) return Corrupt("manifest: descriptor is not an object");
  Descriptor d;
  d.media_type = StringField(j, "mediaType");
  ASSIGN_OR_RETURN(d.digest, Digest::Parse(StringField(j, "digest")));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer()) return Corrupt("manifest: descriptor without a size");
  d.size = size->get<int64_t>();
  if (d.size < 0) return Corrupt("manifest: descriptor with a negative size");
  return d;
}

}  // namespace

int64_t ImageConfig::Created() const { return TimeField(json, "created"); }

std::vector<Digest> ImageConfig::DiffIds() const {
  std::vector<Digest> out;
  auto rootfs = json.find("rootfs");
  if (rootfs == json.end() || !rootfs->is_object()) return out;
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array()) return out;
  for (const auto& id : *ids)
    if (id.is_string())
      if (auto d = Digest::Parse(id.get<std::string>()); d.ok()) out.push_back(*d);
  return out;
}

std::vector<HistoryEntry> ImageConfig::History() const {
  std::vector<HistoryEntry> out;
  auto hist = json.find("history");
  if (hist == json.end() || !hist->is_array()) return out;
  for (const auto& h : *hist) {
    if (!h.is_object()) continue;
    HistoryEntry e;
    e.created = TimeField(h, "created");
    e.created_by = StringField(h, "created_by");
    e.comment = StringField(h, "comment");
    e.author = StringField(h, "author");
    auto empty = h.find("empty_layer");
    e.empty_layer = empty != h.end() && empty->is_boolean() && empty->get<bool>();
    out.push_back(std::move(e));
  }
  return out;
}

const Json& ImageConfig::RuntimeConfig() const {
  auto c = json.find("config");
  return c != json.end() && c->is_object() ? *c : EmptyObject();
}

std::string ImageConfig::Architecture() const { return StringField(json, "architecture"); }

Platform ImageConfig::GetPlatform() const {
  Platform p;
  p.os = Os();
  p.architecture = Architecture();
  p.variant = StringField(json, "variant");
  p.os_version = StringField(json, "os.version");
  if (auto it = json.find("os.features"); it != json.end() && it->is_array())
    for (const auto& f : *it)
      if (f.is_string()) p.os_features.push_back(f.get<std::string>());
  return p;
}
std::string ImageConfig::Os() const { return StringField(json, "os"); }
std::string ImageConfig::Author() const { return StringField(json, "author"); }
std::string ImageConfig::Serialize() const { return JsonText(json); }

Expected<ImageConfig> ParseConfig(std::string_view bytes) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("image config is not a JSON object");
  return ImageConfig{std::move(j)};
}

Json HistoryToJson(const HistoryEntry& h) {
  Json j = Json::object();
  if (h.created) j["created"] = FormatRfc3339Nano(h.created);
  if (!h.author.empty()) j["author"] = h.author;
  if (!h.created_by.empty()) j["created_by"] = h.created_by;
  if (!h.comment.empty()) j["comment"] = h.comment;
  if (h.empty_layer) j["empty_layer"] = true;
  return j;
}

ImageConfig NewImportConfig(int64_t created, const Digest& diff_id, const std::string& comment,
                            const Platform& platform) {
  Json j = Json::object();
  j["created"] = FormatRfc3339Nano(created);
  j["architecture"] = platform.architecture;
  if (!platform.variant.empty()) j["variant"] = platform.variant;
  j["os"] = platform.os;
  j["config"] = Json::object();
  j["rootfs"] = Json{{"type", "layers"}, {"diff_ids", Json::array({diff_id.str()})}};
  HistoryEntry h;
  h.created = created;
  h.created_by = "/bin/sh -c #(nop) ADD file:" + diff_id.hex() + " in /";
  h.comment = comment;
  j["history"] = Json::array({HistoryToJson(h)});
  return ImageConfig{std::move(j)};
}

std::string Manifest::Serialize() const {
  Json j = Json::object();
  j["schemaVersion"] = 2;
  if (media_type != kOciManifest) j["mediaType"] = media_type;
  j["config"] = DescriptorToJson(config);
  j["layers"] = Json::array();
  for (const auto& l : layers) j["layers"].push_back(DescriptorToJson(l));
  if (!annotations.is_null() && !annotations.empty()) j["annotations"] = annotations;
  return JsonText(j);
}

Expected<Manifest> ParseManifest(std::string_view bytes) {
  Json j = Json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("manifest is not a JSON object");
  Manifest m;
  m.media_type = StringField(j, "mediaType");
  if (m.media_type.empty()) m.media_type = std::string(kOciManifest);
  auto cfg = j.find("config");
  if (cfg == j.end()) return Corrupt("manifest has no config");
  ASSIGN_OR_RETURN(m.config, DescriptorFromJson(*cfg));
  auto layers = j.find("layers");
  if (layers != j.end() && layers->is_array())
    for (const auto& l : *layers) {
      ASSIGN_OR_RETURN(Descriptor d, DescriptorFromJson(l));
      m.layers.push_back(std::move(d));
    }
  if (auto a = j.find("annotations"); a != j.end()) m.annotations = *a;
  return m;
}

std::vector<Digest> ChainIds(const std::vector<Digest>& diff_ids) {
  std::vector<Digest> out;
  for (const auto& d : diff_ids)
    out.push_back(out.empty() ? d : Digest::OfBytes(out.back().str() + " " + d.str()));
  return out;
}

Manifest LocalManifest(std::string_view config_bytes, const std::vector<Descriptor>& layers, bool docker_format) {
  Manifest m;
  m.media_type = std::string(docker_format ? kDockerManifest : kOciManifest);
  m.config = {std::string(docker_format ? kDockerConfig : kOciConfig), Digest::OfBytes(config_bytes),
              static_cast<int64_t>(config_bytes.size())};
  const std::string layer_type(docker_format ? kDockerLayerTar : kOciLayerTar);
  for (const auto& l : layers) m.layers.push_back({layer_type, l.digest, l.size});
  return m;
}

}  // namespace kiln::image
