// commit, container commit: flags and podman's output over containers::Commit.
#include <cstdio>

#include "cli/commands.h"
#include "containers/commit.h"
#include "image/reference.h"
#include "store/containers.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

struct CommitCmdOptions {
  std::vector<std::string> args;  // CONTAINER [IMAGE]
  std::vector<std::string> changes;
  std::string author, message, format = "oci", iidfile;
  bool quiet = false, pause = false, squash = false, include_volumes = false;
};

// podman's copy progress, on stderr: every layer of the new image, then its config.
void PrintProgress(const store::ImageRecord& img, store::Store& st) {
  std::fputs("Getting image source signatures\n", stderr);
  auto layers = st.ImageLayers(img.id);
  if (layers.ok())
    for (const auto& l : *layers) std::fprintf(stderr, "Copying blob %s\n", l.diff_id.str().c_str());
  std::fprintf(stderr, "Copying config sha256:%s\nWriting manifest to image destination\nStoring signatures\n",
               img.id.c_str());
}

Expected<containers::CommitOptions> EngineOptions(const CommitCmdOptions& o) {
  if (o.args.empty()) return InvalidArgument("requires at least 1 arg(s), only received 0");
  if (o.args.size() > 2) return InvalidArgument("accepts at most 2 arg(s), received " + std::to_string(o.args.size()));
  if (o.format != "oci" && o.format != "docker")
    return InvalidArgument("unrecognized image type \"" + o.format + "\"");
  containers::CommitOptions co;
  co.changes = o.changes;
  co.author = o.author;
  co.message = o.message;
  co.docker_format = o.format == "docker";
  co.squash = o.squash;
  co.include_volumes = o.include_volumes;
  if (o.args.size() == 2) {
    // podman checks the grammar first and reports its error bare ("repository name must be lowercase").
    RETURN_IF_ERROR(image::Parse(o.args[1]).status());
    ASSIGN_OR_RETURN(image::Reference ref, image::ParseTagTarget(o.args[1]));
    co.names.push_back(ref.String());
  }
  return co;
}

int RunCommit(Context& ctx, const CommitCmdOptions& o) {
  auto co = EngineOptions(o);
  if (!co.ok()) return Fail(co.status());
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers rows((*st)->db());
  auto c = rows.Lookup(o.args[0]);
  if (!c.ok()) return Fail(c.status(), 125);
  auto img = containers::Commit(**st, *c, *co);
  if (!img.ok()) return Fail(img.status());
  if (!o.quiet) PrintProgress(*img, **st);
  if (!o.iidfile.empty()) {
    Status w = WriteFileAtomic(o.iidfile, "sha256:" + img->id);
    if (!w.ok()) return Fail(w);
  }
  std::printf("%s\n", img->id.c_str());
  return 0;
}

}  // namespace

void AddCommitCommand(CLI::App& parent, Registry& r) {
  auto o = std::make_shared<CommitCmdOptions>();
  CLI::App* cmd = AddCommand(parent, "commit", "Create new image based on the changed container");
  cmd->add_option("container-and-image", o->args, "CONTAINER [IMAGE]");
  cmd->add_option("-a,--author", o->author, "Set the author for the image committed");
  AddRepeatable(cmd, "-c,--change", o->changes,
                "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | "
                "ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR");
  cmd->add_option("-f,--format", o->format, "`Format` of the image manifest and metadata (default \"oci\")");
  cmd->add_option("--iidfile", o->iidfile, "`file` to write the image ID to");
  cmd->add_flag("--include-volumes", o->include_volumes, "Include container volumes as image volumes");
  cmd->add_option("-m,--message", o->message, "Set commit message for imported image");
  // kiln does not pause a running container: it is committed as it is (docs/compat.md).
  cmd->add_flag("-p,--pause", o->pause, "Pause container during commit");
  cmd->add_flag("-q,--quiet", o->quiet, "Suppress output");
  cmd->add_flag("-s,--squash", o->squash, "squash newly built layers into a single new layer");
  cmd->callback([&r, o] { r.exit_code = RunCommit(r.ctx, *o); });
}

}  // namespace kiln::cli
