#include "containers/pause_image.h"

#include <cstdio>

#include "builder/builder.h"
#include "util/fs.h"
#include "util/version.h"

namespace kiln::containers {
namespace {

constexpr const char* kPauseContainerfile =
    "FROM scratch\n"
    "COPY catatonit /catatonit\n"
    "ENTRYPOINT [\"/catatonit\", \"-P\"]\n";

Expected<std::string> FindCatatonit() {
  std::string dirs;
  for (const auto& d : CatatonitDirs()) {
    std::string path = d + "/catatonit";
    if (access(path.c_str(), X_OK) == 0) return path;
    dirs += (dirs.empty() ? "" : " ") + d;
  }
  return NotFound("finding pause binary: could not find \"catatonit\" in one of [" + dirs +
                  "].  To resolve this error, set the helper_binaries_dir key in the `[engine]` section of "
                  "containers.conf to the directory containing your helper binaries.");
}

}  // namespace

std::string PauseImageName() { return std::string("localhost/podman-pause:") + kKilnVersion + "-0"; }

std::vector<std::string> CatatonitDirs() {
  return {"/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman", "/usr/lib/podman",
          "/usr/libexec/catatonit", "/usr/bin"};
}

Expected<store::ImageRecord> EnsurePauseImage(store::Store& st) {
  const std::string name = PauseImageName();
  if (auto found = st.LookupImage(name); found.ok()) return found;
  ASSIGN_OR_RETURN(std::string catatonit, FindCatatonit());
  TempDir context;
  ASSIGN_OR_RETURN(std::string dir, context.Create("kiln-pause"));
  ASSIGN_OR_RETURN(std::string binary, ReadFile(catatonit));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/catatonit", binary, 0755));
  build::BuildOptions o;
  o.context_dir = dir;
  o.containerfile_text = kPauseContainerfile;
  o.ignore_file = "/dev/null";  // as podman: no ignore file of anyone's
  o.tags = {name};
  o.commit_name = name;
  o.quiet = true;
  o.layers = false;  // no intermediate image: the pause image has no parent to keep
  o.print_id = false;
  FILE* null_out = std::fopen("/dev/null", "w");
  if (!null_out) return ErrnoError("open /dev/null", errno);
  o.out = o.err = null_out;
  build::BuildFailure failure;
  auto built = build::Build(st, o, failure);
  std::fclose(null_out);
  if (!built.ok()) return built.status().Wrap("building the pause image " + name);
  return st.LookupImage(name);
}

}  // namespace kiln::containers
