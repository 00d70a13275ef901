// manifest create/add/annotate/remove/inspect/push/rm/exists: podman 4.3.1's flags, output
// and exit codes.
#include <cstdio>

#include "cli/commands.h"
#include "cli/remote_flags.h"
#include "image/reference.h"
#include "manifest/manifest.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

struct EntryFlags {
  std::string os, arch, variant, os_version;
  std::vector<std::string> features, os_features, annotations;

  manifest::Overrides Overrides() const {
    manifest::Overrides o{os, arch, variant, os_version, {}, annotations};
    for (const auto& f : os_features) {
      // pflag's string slice: comma-separated values.
      size_t start = 0;
      for (;;) {
        size_t c = f.find(',', start);
        o.os_features.push_back(f.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos) break;
        start = c + 1;
      }
    }
    return o;
  }
};

void AddEntryFlags(CLI::App* cmd, EntryFlags& f, bool os_features) {
  AddRepeatable(cmd, "--annotation", f.annotations, "set an annotation for the specified image");
  cmd->add_option("--arch", f.arch, "override the architecture of the specified image");
  // The Docker-only "features" field has no place in the OCI index podman stores: dropped, as podman does.
  AddRepeatable(cmd, "--features", f.features, "override the features of the specified image");
  cmd->add_option("--os", f.os, "override the OS of the specified image");
  if (os_features) AddRepeatable(cmd, "--os-features", f.os_features, "override the OS features of the specified image");
  cmd->add_option("--os-version", f.os_version, "override the OS version of the specified image");
  cmd->add_option("--variant", f.variant, "override the Variant of the specified image");
}

Status ArgCount(const std::vector<std::string>& args, size_t min, size_t max) {
  if (args.size() < min)
    return InvalidArgument("requires at least " + std::to_string(min) + " arg(s), only received " +
                           std::to_string(args.size()));
  if (args.size() > max)
    return InvalidArgument("accepts " + (min == max ? std::to_string(max) : "at most " + std::to_string(max)) +
                           " arg(s), received " + std::to_string(args.size()));
  return Status::Ok();
}

Expected<manifest::Remote> RemoteFrom(const RemoteFlags& f, registry::RegistriesConf& conf_storage) {
  manifest::Remote remote;
  ASSIGN_OR_RETURN(remote.client, ClientOptionsFrom(f));
  ASSIGN_OR_RETURN(conf_storage, registry::LoadRegistriesConf());
  remote.conf = &conf_storage;
  return remote;
}

// Every entry of every image first, so that a failure leaves the list as it was.
Expected<std::vector<image::IndexEntry>> CollectEntries(store::Store& store, const std::vector<std::string>& images,
                                                        bool all, const RemoteFlags& rf) {
  std::vector<image::IndexEntry> out;
  if (images.empty()) return out;
  registry::RegistriesConf conf;
  ASSIGN_OR_RETURN(manifest::Remote remote, RemoteFrom(rf, conf));
  for (const auto& img : images) {
    ASSIGN_OR_RETURN(std::vector<image::IndexEntry> entries, manifest::EntriesFor(store, img, all, remote));
    for (auto& e : entries) out.push_back(std::move(e));
  }
  return out;
}

// ---- create ----
struct CreateFlags {
  std::vector<std::string> args;
  bool all = false, amend = false;
  RemoteFlags remote;
};

int RunCreate(Context& ctx, const CreateFlags& f) {
  if (Status st = ArgCount(f.args, 1, SIZE_MAX); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  std::vector<std::string> images(f.args.begin() + 1, f.args.end());
  auto entries = CollectEntries(**store, images, f.all, f.remote);
  if (!entries.ok()) return Fail(entries.status());
  Expected<manifest::List> list = Status::Ok();
  if (f.amend) {
    list = manifest::Load(**store, f.args[0]);
    if (!list.ok() && list.status().code() == Code::kNotFound) list = manifest::Create(**store, f.args[0]);
  } else {
    list = manifest::Create(**store, f.args[0]);
  }
  if (!list.ok()) return Fail(list.status());
  if (!entries->empty()) {
    for (auto& e : *entries) list->index.Put(std::move(e));
    if (Status st = manifest::Save(**store, *list); !st.ok()) return Fail(st);
  }
  std::printf("%s\n", list->record.id.c_str());
  return 0;
}

// ---- add ----
struct AddFlags {
  std::vector<std::string> args;
  bool all = false;
  EntryFlags entry;
  RemoteFlags remote;
};

int RunAdd(Context& ctx, const AddFlags& f) {
  if (Status st = ArgCount(f.args, 2, SIZE_MAX); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, f.args[0]);
  if (!list.ok()) return Fail(list.status());
  std::vector<std::string> images(f.args.begin() + 1, f.args.end());
  auto entries = CollectEntries(**store, images, f.all, f.remote);
  if (!entries.ok()) return Fail(entries.status());
  manifest::Overrides o = f.entry.Overrides();
  for (auto& e : *entries) {
    if (Status st = manifest::ApplyOverrides(e, o); !st.ok()) return Fail(st);
    list->index.Put(std::move(e));
  }
  if (Status st = manifest::Save(**store, *list); !st.ok()) return Fail(st);
  std::printf("%s\n", list->record.id.c_str());
  return 0;
}

Expected<Digest> InstanceDigest(const std::string& s) {
  auto d = Digest::Parse(s);
  if (d.ok()) return d;
  // go-digest tells a sha256 of the wrong length apart from a malformed digest.
  std::string_view hex = std::string_view(s).substr(s.rfind("sha256:", 0) == 0 ? 7 : 0);
  bool all_hex = s.rfind("sha256:", 0) == 0 && !hex.empty() &&
                 hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  std::string why = all_hex ? std::string(image::kErrDigestInvalidLength) : d.status().message();
  return InvalidArgument("invalid image digest \"" + s + "\": " + why);
  return d;
}

// ---- annotate ----
struct AnnotateFlags {
  std::vector<std::string> args;
  EntryFlags entry;
};

int RunAnnotate(Context& ctx, const AnnotateFlags& f) {
  if (Status st = ArgCount(f.args, 2, 2); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, f.args[0]);
  if (!list.ok()) return Fail(list.status());
  auto d = InstanceDigest(f.args[1]);
  if (!d.ok()) return Fail(d.status());
  image::IndexEntry* e = list->index.Find(*d);
  if (!e) return Fail(NotFound("no instance matching digest \"" + d->str() + "\" found in manifest list: file does not exist"));
  if (Status st = manifest::ApplyOverrides(*e, f.entry.Overrides()); !st.ok()) return Fail(st);
  if (Status st = manifest::Save(**store, *list); !st.ok()) return Fail(st);
  std::printf("%s\n", list->record.id.c_str());
  return 0;
}

// ---- remove ----
int RunRemove(Context& ctx, const std::vector<std::string>& args) {
  if (Status st = ArgCount(args, 2, 2); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, args[0]);
  if (!list.ok()) return Fail(list.status());
  auto d = InstanceDigest(args[1]);
  if (!d.ok()) return Fail(d.status());
  if (!list->index.Remove(*d))
    return Fail(NotFound("removing from manifest list " + args[0] + ": no instance matching digest \"" + d->str() +
                         "\" found in manifest list: file does not exist"));
  if (Status st = manifest::Save(**store, *list); !st.ok()) return Fail(st);
  std::printf("%s\n", list->record.id.c_str());
  return 0;
}

// ---- inspect ----
int RunInspect(Context& ctx, const std::vector<std::string>& args) {
  if (Status st = ArgCount(args, 1, 1); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, args[0]);
  if (!list.ok()) return Fail(list.status());
  std::printf("%s\n", image::InspectJson(list->index).c_str());
  return 0;
}

// ---- exists ----
int RunExists(Context& ctx, const std::vector<std::string>& args) {
  if (Status st = ArgCount(args, 1, 1); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, args[0]);
  if (list.ok()) return 0;
  if (list.status().code() == Code::kNotFound) return 1;
  return Fail(list.status());
}

// ---- rm ----
int RunRm(Context& ctx, const std::vector<std::string>& args) {
  if (Status st = ArgCount(args, 1, SIZE_MAX); !st.ok()) return Fail(st);
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  int code = 0;
  for (const auto& name : args) {
    auto list = manifest::Load(**store, name);
    if (!list.ok()) {
      code = Fail(list.status(), list.status().code() == Code::kNotFound ? 1 : 125);
      continue;
    }
    auto deleted = (*store)->DeleteImage(list->record.id);
    if (!deleted.ok()) return Fail(deleted.status());
    std::string out;
    for (const auto& n : list->record.names) out += "Untagged: " + n + "\n";
    for (const auto& id : *deleted) out += "Deleted: " + id + "\n";
    std::fputs(out.c_str(), stdout);
  }
  std::fflush(stdout);
  return code;
}

// ---- push ----
struct PushFlags {
  std::vector<std::string> args;
  RemoteFlags remote;
  std::string all = "true";
  std::string format, compression, digestfile;
  bool quiet = false, rm = false, remove_signatures = false;
};

int RunPush(Context& ctx, const PushFlags& f) {
  if (Status st = ArgCount(f.args, 1, 2); !st.ok()) return Fail(st);
  manifest::PushListOptions po;
  auto all = ParseTriBool("--all", f.all);
  if (!all.ok()) return Fail(all.status());
  po.all = all->value_or(true);
  auto co = ClientOptionsFrom(f.remote);
  if (!co.ok()) return Fail(co.status());
  po.image.client = *co;
  if (f.format == "oci" || f.format.empty()) po.image.format = "oci";
  else if (f.format == "v2s2" || f.format == "docker") po.image.format = "v2s2";
  else return Fail(InvalidArgument("unknown format \"" + f.format + "\". Choose one of the supported formats: 'oci' or 'v2s2'"));
  if (f.compression == "zstd") po.image.compression = Compression::kZstd;
  else if (!f.compression.empty() && f.compression != "gzip")
    return Fail(InvalidArgument("unsupported compression format " + f.compression));
  auto conf = registry::LoadRegistriesConf();
  if (!conf.ok()) return Fail(conf.status());
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto list = manifest::Load(**store, f.args[0]);
  if (!list.ok()) return Fail(list.status());
  std::string dest = f.args.size() > 1 ? f.args[1] : f.args[0];
  auto digest = manifest::PushList(**store, *conf, *list, dest, po, StderrProgress(f.quiet));
  if (!digest.ok()) return Fail(digest.status());
  if (!f.digestfile.empty())
    if (Status st = WriteFileAtomic(f.digestfile, digest->str(), 0644); !st.ok()) return Fail(st);
  if (f.rm) {
    auto deleted = (*store)->DeleteImage(list->record.id);
    if (!deleted.ok()) return Fail(deleted.status());
  }
  return 0;
}

}  // namespace

void RegisterManifestCommands(Registry& r) {
  CLI::App* m = AddCommand(r.root, "manifest", "Manipulate manifest lists and image indexes");
  m->require_subcommand(1);

  auto create = std::make_shared<CreateFlags>();
  CLI::App* c = AddCommand(*m, "create", "Create manifest list or image index");
  c->add_option("args", create->args);
  c->add_flag("--all", create->all, "add all of the lists' images if the images to add are lists");
  c->add_flag("-a,--amend", create->amend, "modify an existing list if one with the desired name already exists");
  AddTriBool(c, "--tls-verify", create->remote.tls_verify, "require HTTPS and verify certificates when accessing the registry");
  c->callback([&r, create] { r.exit_code = RunCreate(r.ctx, *create); });

  auto add = std::make_shared<AddFlags>();
  CLI::App* a = AddCommand(*m, "add", "Add images to a manifest list or image index");
  a->add_option("args", add->args);
  a->add_flag("--all", add->all, "add all of the list's images if the image is a list");
  AddEntryFlags(a, add->entry, false);
  AddRemoteFlags(a, add->remote);
  a->callback([&r, add] { r.exit_code = RunAdd(r.ctx, *add); });

  auto annotate = std::make_shared<AnnotateFlags>();
  CLI::App* an = AddCommand(*m, "annotate", "Add or update information about an entry in a manifest list or image index");
  an->add_option("args", annotate->args);
  AddEntryFlags(an, annotate->entry, true);
  an->callback([&r, annotate] { r.exit_code = RunAnnotate(r.ctx, *annotate); });

  auto remove_args = std::make_shared<std::vector<std::string>>();
  CLI::App* rem = AddCommand(*m, "remove", "Remove an entry from a manifest list or image index");
  rem->add_option("args", *remove_args);
  rem->callback([&r, remove_args] { r.exit_code = RunRemove(r.ctx, *remove_args); });

  auto inspect_args = std::make_shared<std::vector<std::string>>();
  CLI::App* in = AddCommand(*m, "inspect", "Display the contents of a manifest list or image index");
  in->add_option("args", *inspect_args);
  auto ignored_tls = std::make_shared<std::string>();  // accepted as podman does; a local list needs no registry
  AddTriBool(in, "--tls-verify", *ignored_tls, "require HTTPS and verify certificates when accessing the registry");
  in->callback([&r, inspect_args, ignored_tls] { r.exit_code = RunInspect(r.ctx, *inspect_args); });

  auto exists_args = std::make_shared<std::vector<std::string>>();
  CLI::App* ex = AddCommand(*m, "exists", "Check if a manifest list exists in local storage");
  ex->add_option("args", *exists_args);
  ex->callback([&r, exists_args] { r.exit_code = RunExists(r.ctx, *exists_args); });

  auto rm_args = std::make_shared<std::vector<std::string>>();
  CLI::App* rm = AddCommand(*m, "rm", "Remove manifest list or image index from local storage");
  rm->add_option("args", *rm_args);
  rm->callback([&r, rm_args] { r.exit_code = RunRm(r.ctx, *rm_args); });

  auto push = std::make_shared<PushFlags>();
  CLI::App* p = AddCommand(*m, "push", "Push a manifest list or image index to a registry");
  p->add_option("args", push->args);
  p->add_flag("--all{true}", push->all, "also push the images in the list");
  AddRemoteFlags(p, push->remote);
  p->add_option("--compression-format", push->compression, "compression format to use");
  p->add_option("--digestfile", push->digestfile, "after copying the image, write the digest of the resulting digest to the file");
  p->add_option("-f,--format", push->format, "manifest type (oci or v2s2) to attempt to use when pushing the manifest list");
  p->add_flag("-q,--quiet", push->quiet, "don't output progress information when pushing lists");
  p->add_flag("--remove-signatures", push->remove_signatures, "don't copy signatures when pushing images");
  p->add_flag("--rm", push->rm, "remove the manifest list if push succeeds");
  p->callback([&r, push] { r.exit_code = RunPush(r.ctx, *push); });
}

}  // namespace kiln::cli
