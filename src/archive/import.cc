#include "archive/import.h"

#include "image/changes.h"
#include "util/compression.h"
#include "util/time.h"

namespace kiln::archive {

Expected<ImportResult> ImportRootfs(store::Store& store, std::unique_ptr<Reader> input,
                                    const ImportOptions& options) {
  // Check the changes before any work, so that bad input costs nothing.
  image::Json runtime = image::Json::object();
  for (const auto& change : options.changes) RETURN_IF_ERROR(image::ApplyChange(runtime, change));

  DigestingReader given(*input);
  ASSIGN_OR_RETURN(std::unique_ptr<Reader> tar, OpenDecompressor(std::make_unique<ReaderRef>(given)));
  ASSIGN_OR_RETURN(store::Ingest ingest, store.content().BeginIngest());
  RETURN_IF_ERROR(CopyStream(*tar, ingest).status());
  ASSIGN_OR_RETURN(Digest diff_id, ingest.Commit());
  Digest input_digest = given.Finish();
  auto layer = store.EnsureLayer(Digest(), diff_id);
  if (!layer.ok()) return layer.status().Wrap("writing blob: adding layer with blob \"" + diff_id.str() + "\"");

  int64_t created = options.created ? options.created : NowNanos();
  image::ImageConfig config = image::NewImportConfig(
      created, diff_id, options.message.empty() ? "imported from tarball" : options.message, options.platform);
  config.json["config"] = runtime;
  std::string config_bytes = config.Serialize();

  image::Manifest manifest = image::LocalManifest(config_bytes, {{"", diff_id, layer->size}}, false);

  store::NewImage img;
  img.config = std::move(config_bytes);
  img.manifest = manifest.Serialize();
  img.manifest_type = manifest.media_type;
  img.layers = {*layer};
  img.names = options.names;
  ASSIGN_OR_RETURN(store::ImageRecord record, store.CommitImage(img));
  return ImportResult{std::move(record), input_digest};
}

}  // namespace kiln::archive
