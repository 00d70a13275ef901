#include "builder/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "builder/exec.h"
#include "store/layer_commit.h"
#include "store/layer_tar.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::build {
namespace {

Status WriteTarOf(const std::string& dir, int fd) {
  FdWriter out = FdWriter::Borrow(fd);
  store::TarOptions opts;
  opts.convert_overlay_whiteouts = false;  // a flattened tree has none
  return store::WriteLayerTarFromDir(dir, out, opts);
}

Status ExportTar(store::Store& st, const std::vector<store::LayerInfo>& layers, const BuildOutput& out) {
  // Flattened in a step directory (on the store's filesystem, removed after, swept if kiln
  // is killed), then archived.
  ASSIGN_OR_RETURN(StepDir scratch, StepDir::Create(st.root()));
  const std::string tree = scratch.upper();
  RETURN_IF_ERROR(store::ApplyLayersOver(st, layers, tree));
  if (out.to_stdout) return WriteTarOf(tree, STDOUT_FILENO);
  UniqueFd fd(::open(out.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("open " + out.path, errno);
  RETURN_IF_ERROR(WriteTarOf(tree, fd.get()));
  return ::close(fd.release()) == 0 ? Status::Ok() : ErrnoError("closing " + out.path, errno);
}

// strings.Split: "a,,b," gives "a", "", "b", "".
std::vector<std::string> SplitOnComma(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1)
    parts.push_back(s.substr(start, comma - start));
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

Expected<BuildOutput> ParseBuildOutput(const std::string& value) {
  BuildOutput out;
  if (value == "-") {
    out.to_stdout = true;
    return out;
  }
  if (value.find(',') == std::string::npos) {
    out.is_dir = true;
    out.path = value;
    return out;
  }
  bool type_set = false, dest_set = false;
  for (const std::string& option : SplitOnComma(value)) {
    const size_t eq = option.find('=');
    if (eq == std::string::npos)
      return InvalidArgument("invalid build output options \"" + value + "\", expected format key=value");
    const std::string key = option.substr(0, eq), val = option.substr(eq + 1);
    bool& seen = key == "type" ? type_set : dest_set;
    if (key != "type" && key != "dest")
      return InvalidArgument("unrecognized key \"" + key + "\" in build output option: \"" + value + "\"");
    if (seen) return InvalidArgument("duplicate \"" + key + "\" not supported");
    seen = true;
    if (key == "dest") {
      out.path = val;
    } else if (val == "local" || val == "tar") {
      out.is_dir = val == "local";
    } else {
      return InvalidArgument("invalid type \"" + val + "\" selected for build output options \"" + value + "\"");
    }
  }
  if (!type_set || !dest_set || out.path.empty())  // an empty dest is no dest
    return InvalidArgument("invalid build output option \"" + value + "\", accepted keys are type and dest must be present");
  if (out.path == "-") {
    if (out.is_dir)
      return InvalidArgument("invalid build output option \"" + value + "\", type=local and dest=- is not supported");
    out.to_stdout = true;
  }
  return out;
}

Status ExportBuildOutput(store::Store& st, const std::string& image_id, const BuildOutput& out) {
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(image_id));
  if (!out.is_dir) return ExportTar(st, layers, out);
  RETURN_IF_ERROR(MakeDirs(out.path));
  return store::ApplyLayersOver(st, layers, out.path);
}

}  // namespace kiln::build
