#include "store/layer_commit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "store/layer_apply.h"
#include "store/layer_tar.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::store {
namespace {

Expected<Digest> IngestDirTar(Store& store, const std::string& dir, const TarOptions& tar) {
  ASSIGN_OR_RETURN(Ingest ingest, store.content().BeginIngest());
  RETURN_IF_ERROR(WriteLayerTarFromDir(dir, ingest, tar));
  return ingest.Commit();
}

// Applies the uncompressed layer tar at `path` over `dir`, whiteouts deleting what they name.
Status ApplyTarFileOver(const std::string& path, const std::string& dir) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening layer " + path, errno);
  FdReader reader(std::move(fd));
  ApplyOptions apply;
  apply.whiteouts = WhiteoutPolicy::kApply;
  return ApplyLayer(reader, dir, apply, nullptr);
}

Status WriteDirTarFile(const std::string& dir, const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("creating " + path, errno);
  FdWriter out(std::move(fd));
  RETURN_IF_ERROR(WriteLayerTarFromDir(dir, out, TarOptions{}));
  return out.Close();
}

}  // namespace

Expected<LayerInfo> CommitUpperDir(Store& store, const Digest& parent_chain, const std::string& upper,
                                   const TarOptions& tar) {
  ASSIGN_OR_RETURN(Digest diff_id, IngestDirTar(store, upper, tar));
  // The upper dir already is the snapshot's tree (overlay whiteouts and opaque dirs
  // included): moved into the store rather than extracted again from the tar.
  return store.AdoptLayerDir(parent_chain, diff_id, upper);
}

Expected<LayerInfo> CommitUpperDirCopy(Store& store, const Digest& parent_chain, const std::string& upper) {
  ASSIGN_OR_RETURN(Digest diff_id, IngestDirTar(store, upper, TarOptions{}));
  return store.EnsureLayer(parent_chain, diff_id);
}

Status ApplyLayersOver(Store& store, const std::vector<LayerInfo>& layers, const std::string& dir) {
  for (const auto& l : layers) RETURN_IF_ERROR(ApplyTarFileOver(store.content().BlobPath(l.diff_id), dir));
  return Status::Ok();
}

Expected<LayerInfo> CommitFlattened(Store& store, const std::vector<LayerInfo>& lowers, const std::string& upper,
                                    const std::string& scratch, const TarOptions& tar) {
  const std::string flat = scratch + "/flat";
  RETURN_IF_ERROR(MakeDirs(flat));
  RETURN_IF_ERROR(ApplyLayersOver(store, lowers, flat));
  if (!upper.empty()) {
    const std::string tar = scratch + "/upper.tar";
    RETURN_IF_ERROR(WriteDirTarFile(upper, tar));
    RETURN_IF_ERROR(ApplyTarFileOver(tar, flat));
    (void)::unlink(tar.c_str());
  }
  return CommitUpperDir(store, Digest(), flat, tar);
}

}  // namespace kiln::store
