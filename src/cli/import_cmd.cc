// import, image import.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "archive/import.h"
#include "cli/commands.h"
#include "image/reference.h"
#include "util/http.h"

namespace kiln::cli {
namespace {

struct ImportCmdOptions {
  std::vector<std::string> args;  // SOURCE [NAME]
  std::vector<std::string> changes;
  std::string message;
  std::string os, arch, variant;  // the imported image's platform; empty: the host's
  bool quiet = false;
};

int RunImport(Context& ctx, const ImportCmdOptions& opts) {
  if (opts.args.empty()) return Fail(InvalidArgument("requires at least 1 arg(s), only received 0"));
  if (opts.args.size() > 2) return Fail(InvalidArgument("accepts at most 2 arg(s), received " + std::to_string(opts.args.size())));
  archive::ImportOptions io;
  io.changes = opts.changes;
  io.message = opts.message;
  if (!opts.os.empty()) io.platform.os = opts.os;
  if (!opts.arch.empty()) {  // the host's variant is not the other architecture's
    io.platform.architecture = opts.arch;
    io.platform.variant.clear();
  }
  if (!opts.variant.empty()) io.platform.variant = opts.variant;
  if (opts.args.size() == 2) {
    auto ref = image::ParseTagTarget(opts.args[1]);
    if (!ref.ok()) return Fail(ref.status());
    io.names.push_back(ref->String());
  }
  const std::string& source = opts.args[0];
  std::unique_ptr<Reader> input;
  if (IsHttpUrl(source)) {
    // Downloaded to a temporary file first: the import must not half-happen if the
    // connection drops, and podman's "Created" for a download is "now".
    auto tmp = DownloadToTempFile(source);
    if (!tmp.ok()) return Fail(tmp.status());
    input = std::move(*tmp);
  } else if (source == "-") {
    input = std::make_unique<FdReader>(FdReader::Borrow(STDIN_FILENO));
  } else {
    UniqueFd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
      return Fail(IoError("error opening \"" + source + "\": open " + source + ": " + GoErrnoText(errno)));
    struct stat st;
    if (::fstat(fd.get(), &st) == 0) io.created = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    input = std::make_unique<FdReader>(std::move(fd));
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto result = archive::ImportRootfs(**store, std::move(input), io);
  if (!result.ok()) return Fail(result.status());
  if (!opts.quiet)
    std::fprintf(stderr,
                 "Getting image source signatures\nCopying blob %s\nCopying config sha256:%s\n"
                 "Writing manifest to image destination\nStoring signatures\n",
                 result->input_digest.str().c_str(), result->image.id.c_str());
  std::printf("sha256:%s\n", result->image.id.c_str());
  return 0;
}

void AddImport(CLI::App& parent, Registry& r) {
  auto opts = std::make_shared<ImportCmdOptions>();
  CLI::App* cmd = AddCommand(parent, "import", "Import a tarball to create a filesystem image");
  cmd->add_option("source-and-name", opts->args, "PATH|URL|- [REFERENCE]");
  AddRepeatable(cmd, "-c,--change", opts->changes, "Apply the following possible instructions to the created image");
  cmd->add_option("--arch", opts->arch, "Set the architecture of the imported image");
  cmd->add_option("-m,--message", opts->message, "Set commit message for imported image");
  cmd->add_option("--os", opts->os, "Set the OS of the imported image");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress output");
  cmd->add_option("--variant", opts->variant, "Set the variant of the imported image");
  cmd->callback([&r, opts] { r.exit_code = RunImport(r.ctx, *opts); });
}

}  // namespace

void RegisterImportCommand(Registry& r) {
  AddImport(r.root, r);
  AddImport(r.image, r);
}

}  // namespace kiln::cli
