#include "security/image_fs.h"

namespace kiln::security {

Expected<LayeredFs> OpenImageFs(store::Store& store, const store::ImageRecord& image) {
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, store.ImageLayers(image.id));
  ASSIGN_OR_RETURN(image::ImageConfig config, store.ReadConfig(image));
  // The history entries that made a layer, in order, pair with the layers.
  std::vector<std::string> created_by;
  for (const auto& h : config.History())
    if (!h.empty_layer) created_by.push_back(h.created_by);
  std::vector<LayerRef> refs;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!store.snapshots().Has(layers[i].chain_id))
      return NotFound("layer " + layers[i].diff_id.str() + " of image " + image.id + " has no snapshot");
    refs.push_back({store.snapshots().FsPath(layers[i].chain_id), layers[i].diff_id.str(),
                    i < created_by.size() ? created_by[i] : ""});
  }
  return LayeredFs(std::move(refs));
}

}  // namespace kiln::security
