#include "containers/commit.h"

#include <stdlib.h>

#include <cerrno>

#include "containers/containers.h"
#include "image/changes.h"
#include "image/config.h"
#include "store/layer_commit.h"
#include "util/fs.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using Json = nlohmann::ordered_json;

// The image's runtime config with the container's command, environment, working directory
// and user, then the --change instructions.
Expected<Json> CommittedRuntimeConfig(const Json& image_runtime, const Json& c, const std::vector<std::string>& changes,
                                      bool include_volumes) {
  Json rt = image_runtime.is_object() ? image_runtime : Json::object();
  if (include_volumes)  // volumes and host directories alike, as podman
    for (const char* kind : {"volumes", "binds"})
      for (const auto& m : c.value(kind, Json::array())) rt["Volumes"][m.value("destination", "")] = Json::object();
  rt["Env"] = c.value("env", Json::array());
  Json entrypoint = c.value("entrypoint", Json::array());
  Json cmd = c.contains("cmd") ? c["cmd"] : c.value("command", Json::array());  // rows older than "cmd"
  if (entrypoint.empty()) rt.erase("Entrypoint");
  else rt["Entrypoint"] = entrypoint;
  if (cmd.empty()) rt.erase("Cmd");
  else rt["Cmd"] = cmd;
  rt["WorkingDir"] = c.value("cwd", "/");
  if (!c.value("user", "").empty()) rt["User"] = c["user"];
  for (const auto& change : changes) RETURN_IF_ERROR(image::ApplyChange(rt, change));
  image::CanonicalizeRuntimeConfig(rt);
  return rt;
}

// A scratch directory inside the container's own directory: on the store's filesystem, so
// that the flattened tree can be moved into the store, and removed with the container.
Expected<std::string> ScratchDir(const std::string& container_dir) {
  std::string tmpl = container_dir + "/commit-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError("creating " + tmpl, errno);
  return tmpl;
}

Expected<std::vector<store::LayerInfo>> CommittedLayers(store::Store& st, const store::ContainerRecord& c,
                                                        bool squash) {
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(c.image_id));
  const std::string dir = ContainerDir(st.root(), c.id);
  if (squash) {
    ASSIGN_OR_RETURN(std::string scratch, ScratchDir(dir));
    auto flat = store::CommitFlattened(st, layers, dir + "/upper", scratch, store::TarOptions{});
    (void)RemoveTree(scratch);
    if (!flat.ok()) return flat.status();
    return std::vector<store::LayerInfo>{*flat};
  }
  Digest parent = layers.empty() ? Digest() : layers.back().chain_id;
  ASSIGN_OR_RETURN(store::LayerInfo top, store::CommitUpperDirCopy(st, parent, dir + "/upper"));
  layers.push_back(top);
  return layers;
}

Json CommittedConfig(const image::ImageConfig& base, Json runtime, const std::vector<store::LayerInfo>& layers,
                     const store::ContainerRecord& c, const CommitOptions& o) {
  Json j = base.json;
  const int64_t now = NowNanos();
  j["created"] = FormatRfc3339Nano(now);
  if (!o.author.empty()) j["author"] = o.author;
  if (!o.message.empty()) j["comment"] = o.message;
  j["config"] = std::move(runtime);
  Json diff_ids = Json::array();
  for (const auto& l : layers) diff_ids.push_back(l.diff_id.str());
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  image::HistoryEntry h;
  h.created = now;
  h.created_by = "/bin/sh";
  h.author = o.author;
  h.comment = "FROM " + c.config.value("image_name", c.image_id);
  if (o.squash || !j["history"].is_array()) j["history"] = Json::array();
  j["history"].push_back(image::HistoryToJson(h));
  return j;
}

}  // namespace

Expected<store::ImageRecord> Commit(store::Store& st, const store::ContainerRecord& c, const CommitOptions& o) {
  if (!o.message.empty() && !o.docker_format)
    return InvalidArgument("messages are only compatible with the docker image format (-f docker)");
  ASSIGN_OR_RETURN(store::ImageRecord base_image, st.GetImage(c.image_id));
  ASSIGN_OR_RETURN(image::ImageConfig base, st.ReadConfig(base_image));
  ASSIGN_OR_RETURN(Json runtime, CommittedRuntimeConfig(base.RuntimeConfig(), c.config, o.changes, o.include_volumes));
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, CommittedLayers(st, c, o.squash));
  std::string config_bytes = image::ImageConfig{CommittedConfig(base, std::move(runtime), layers, c, o)}.Serialize();
  std::vector<image::Descriptor> tars;
  for (const auto& l : layers) tars.push_back({"", l.diff_id, l.size});
  image::Manifest manifest = image::LocalManifest(config_bytes, tars, o.docker_format);
  store::NewImage img;
  img.config = std::move(config_bytes);
  img.manifest = manifest.Serialize();
  img.manifest_type = manifest.media_type;
  img.layers = layers;
  img.names = o.names;
  return st.CommitImage(img);
}

}  // namespace kiln::containers
