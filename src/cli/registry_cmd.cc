// pull, push, login, logout, search --list-tags: the registry commands (podman's flags and texts).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/remote_flags.h"
#include "image/reference.h"
#include "registry/client.h"
#include "registry/config.h"
#include "registry/transfer.h"
#include "util/fs.h"

namespace kiln::cli {
namespace {

// ---- pull ----
struct PullFlags {
  std::vector<std::string> images;
  RemoteFlags remote;
  bool quiet = false;
  std::string platform, os, arch, variant;
  int jobs = 3;
};

int RunPull(Context& ctx, const PullFlags& f) {
  if (f.images.empty()) return Fail(InvalidArgument("requires at least 1 arg(s), only received 0"));
  registry::PullOptions po;
  auto co = ClientOptionsFrom(f.remote);
  if (!co.ok()) return Fail(co.status());
  po.client = *co;
  po.jobs = f.jobs;
  po.progress_bars = !f.quiet && ::isatty(STDERR_FILENO);
  po.os = f.os, po.arch = f.arch, po.variant = f.variant;
  if (!f.platform.empty()) {
    std::string p = f.platform;
    auto a = p.find('/');
    if (a == std::string::npos) return Fail(InvalidArgument("invalid platform syntax for --platform=\"" + p + "\": expected os/arch[/variant]"));
    po.os = p.substr(0, a);
    auto b = p.find('/', a + 1);
    po.arch = p.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    if (b != std::string::npos) po.variant = p.substr(b + 1);
  }
  auto conf = registry::LoadRegistriesConf();
  if (!conf.ok()) return Fail(conf.status());
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  for (const auto& img : f.images) {
    auto rec = registry::PullImage(**store, *conf, img, po, StderrProgress(f.quiet));
    if (!rec.ok()) return Fail(rec.status());
    std::printf("%s\n", rec->id.c_str());
    std::fflush(stdout);
  }
  return 0;
}

// ---- push ----
struct PushFlags {
  std::vector<std::string> args;
  RemoteFlags remote;
  bool quiet = false;
  std::string format;
  std::string compression;
  std::string digestfile;
  bool remove_signatures = false;
  bool remove_signatures_noop = false;
  std::string sign_by;
  int jobs = 3;
};

int RunPush(Context& ctx, const PushFlags& f) {
  if (f.args.empty() || f.args.size() > 2)
    return Fail(InvalidArgument(f.args.empty() ? "requires at least 1 arg(s), only received 0"
                                               : "accepts at most 2 arg(s), received " + std::to_string(f.args.size())));
  registry::PushOptions po;
  auto co = ClientOptionsFrom(f.remote);
  if (!co.ok()) return Fail(co.status());
  po.client = *co;
  po.jobs = f.jobs;
  if (!f.format.empty()) {
    if (f.format == "oci") po.format = "oci";
    else if (f.format == "v2s2" || f.format == "docker") po.format = "v2s2";
    else if (f.format == "v2s1") return Fail(Unsupported("pushing Docker schema 1 manifests is not supported"));
    else return Fail(InvalidArgument("unknown format \"" + f.format + "\". Choose on of the supported formats: 'oci', 'v2s1', or 'v2s2'"));
  }
  if (!f.compression.empty()) {
    if (f.compression == "gzip") po.compression = Compression::kGzip;
    else if (f.compression == "zstd") po.compression = Compression::kZstd;
    else return Fail(InvalidArgument("unsupported compression format " + f.compression));
  }
  auto conf = registry::LoadRegistriesConf();
  if (!conf.ok()) return Fail(conf.status());
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto res = registry::PushImage(**store, *conf, f.args[0], f.args.size() > 1 ? f.args[1] : "", po, StderrProgress(f.quiet));
  if (!res.ok()) return Fail(res.status());
  if (!f.digestfile.empty()) {
    Status st = WriteFileAtomic(f.digestfile, res->manifest_digest.str(), 0644);
    if (!st.ok()) return Fail(st);
  }
  return 0;
}

// ---- login / logout ----
struct LoginFlags {
  std::vector<std::string> args;
  RemoteFlags remote;
  std::string username, password;
  bool password_stdin = false;
  bool get_login = false;
};

// "host", "host/ns/repo" from what the user typed (scheme and trailing slashes dropped).
std::string RegistryKey(std::string s) {
  for (const char* p : {"https://", "http://"})
    if (s.rfind(p, 0) == 0) s = s.substr(strlen(p));
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == "docker.io" || s == "index.docker.io" || s == "registry-1.docker.io") return "docker.io";
  return s;
}

int RunLogin(Context&, const LoginFlags& f) {
  if (f.args.size() > 1) return Fail(InvalidArgument("accepts at most 1 arg(s), received " + std::to_string(f.args.size())));
  if (f.args.empty()) return Fail(InvalidArgument("please provide a registry to login to"));
  std::string key = RegistryKey(f.args[0]);
  std::string domain = key.substr(0, key.find('/'));
  std::string authfile = registry::AuthFileForWrite(f.remote.authfile);
  if (f.get_login) {
    auto c = registry::FindCredentials(f.remote.authfile, domain, key.find('/') == std::string::npos ? "" : key.substr(key.find('/') + 1));
    if (!c.ok()) return Fail(c.status());
    if (!*c) return Fail(InvalidArgument("not logged into " + key));
    std::printf("%s\n", (*c)->username.c_str());
    return 0;
  }
  registry::Credentials creds{f.username, f.password};
  if (f.password_stdin) {
    if (!f.password.empty()) return Fail(InvalidArgument("can't specify both --password-stdin and --password"));
    if (f.username.empty()) return Fail(InvalidArgument("must provide --username with --password-stdin"));
    std::string line, all;
    while (std::getline(std::cin, line)) all += (all.empty() ? "" : "\n") + line;
    while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
    creds.password = all;
  }
  if (creds.username.empty()) {
    std::fprintf(stdout, "Username: ");
    std::fflush(stdout);
    if (!std::getline(std::cin, creds.username)) return Fail(InvalidArgument("getting username and password: reading username: EOF"));
  }
  if (creds.password.empty()) {
    std::fprintf(stdout, "Password: ");
    std::fflush(stdout);
    if (!std::getline(std::cin, creds.password)) return Fail(InvalidArgument("getting username and password: reading password: EOF"));
    std::fprintf(stdout, "\n");
  }
  auto co = ClientOptionsFrom(f.remote, false);
  if (!co.ok()) return Fail(co.status());
  co->creds = creds;
  auto conf = registry::LoadRegistriesConf();
  if (conf.ok())
    if (const auto* e = conf->Find(key)) co->insecure = e->insecure;
  auto st = registry::InitCurl();
  if (!st.ok()) return Fail(st);
  registry::Client client(domain, "", *co);
  st = client.CheckLogin();
  if (!st.ok()) return Fail(Status(st.code(), "logging into \"" + key + "\": " + st.message()));
  st = registry::StoreCredentials(authfile, key, creds);
  if (!st.ok()) return Fail(st);
  std::printf("Login Succeeded!\n");
  return 0;
}

struct LogoutFlags {
  std::vector<std::string> args;
  std::string authfile;
  bool all = false;
};

int RunLogout(Context&, const LogoutFlags& f) {
  std::string authfile = registry::AuthFileForWrite(f.authfile);
  if (f.all) {
    Status st = registry::RemoveCredentials(authfile, "");
    if (!st.ok() && st.code() != Code::kNotFound) return Fail(st);
    std::printf("Removed login credentials for all registries\n");
    return 0;
  }
  if (f.args.size() != 1) return Fail(InvalidArgument(f.args.empty() ? "please provide a registry to logout from" : "accepts at most 1 arg(s), received " + std::to_string(f.args.size())));
  std::string key = RegistryKey(f.args[0]);
  Status st = registry::RemoveCredentials(authfile, key);
  if (st.code() == Code::kNotFound) {
    // podman: credentials found elsewhere (e.g. ~/.docker/config.json) cannot be removed here.
    std::string domain = key.substr(0, key.find('/'));
    auto other = registry::FindCredentials("", domain, "");
    if (other.ok() && *other)
      return Fail(InvalidArgument("not logged into " + key + " with credentials in " + authfile +
                                  ", but credentials exist in a different file (e.g. $HOME/.docker/config.json)"));
    return Fail(InvalidArgument("not logged into " + key));
  }
  if (!st.ok()) return Fail(st);
  std::printf("Removed login credentials for %s\n", key.c_str());
  return 0;
}

// ---- search --list-tags ----
struct SearchFlags {
  std::vector<std::string> args;
  RemoteFlags remote;
  bool list_tags = false;
  int limit = 0;
  std::string format;
  bool no_trunc = false;
};

int RunSearch(Context&, const SearchFlags& f) {
  if (f.args.size() != 1) return Fail(InvalidArgument("requires exactly 1 arg(s), only received " + std::to_string(f.args.size())));
  if (!f.list_tags) return Fail(Unsupported("searching registries is not supported by kiln; use --list-tags REPOSITORY"));
  std::string term = f.args[0];
  if (term.rfind("docker://", 0) == 0) term = term.substr(9);
  auto ref = image::ParseNormalizedNamed(term);
  if (!ref.ok()) return Fail(ref.status());
  if (!ref->tag.empty() || ref->has_digest())
    return Fail(InvalidArgument("reference \"" + term + "\" must not have a tag or digest for --list-tags"));
  auto co = ClientOptionsFrom(f.remote);
  if (!co.ok()) return Fail(co.status());
  auto conf = registry::LoadRegistriesConf();
  if (conf.ok())
    if (const auto* e = conf->Find(ref->Repository())) co->insecure = e->insecure;
  Status st = registry::InitCurl();
  if (!st.ok()) return Fail(st);
  registry::Client client(ref->domain, ref->path, *co);
  auto tags = client.ListTags();
  if (!tags.ok()) return Fail(Status(tags.status().code(), "getting repository tags: " + tags.status().message()));
  std::vector<std::string> shown = *tags;
  if (f.limit > 0 && static_cast<int>(shown.size()) > f.limit) shown.resize(f.limit);
  std::string name = ref->Repository();
  if (!f.format.empty()) {
    for (const auto& t : shown) {
      std::string line = f.format, out;
      // The two fields podman offers for --list-tags.
      for (size_t i = 0; i < line.size();) {
        if (line.compare(i, 8, "{{.Tag}}") == 0) {
          out += t, i += 8;
        } else if (line.compare(i, 9, "{{.Name}}") == 0) {
          out += name, i += 9;
        } else {
          out += line[i++];
        }
      }
      std::printf("%s\n", out.c_str());
    }
    return 0;
  }
  size_t w = std::max<size_t>(std::string("NAME").size(), name.size()) + 2;
  std::printf("%-*s%s\n", static_cast<int>(w), "NAME", "TAG");
  for (const auto& t : shown) std::printf("%-*s%s\n", static_cast<int>(w), name.c_str(), t.c_str());
  return 0;
}

void AddPull(CLI::App& parent, Registry& r) {
  auto f = std::make_shared<PullFlags>();
  CLI::App* cmd = AddCommand(parent, "pull", "Pull an image from a registry");
  cmd->add_option("image", f->images, "IMAGE [IMAGE...]");
  AddRemoteFlags(cmd, f->remote);
  AddRetryFlags(cmd, f->remote);
  cmd->add_flag("-q,--quiet", f->quiet, "Suppress output information when pulling images");
  cmd->add_option("--platform", f->platform, "Specify the platform for selecting the image (os/arch[/variant])");
  cmd->add_option("--arch", f->arch, "Use `ARCH` instead of the architecture of the machine for choosing images");
  cmd->add_option("--os", f->os, "Use `OS` instead of the running OS for choosing images");
  cmd->add_option("--variant", f->variant, "Use VARIANT instead of the running architecture variant for choosing images");
  cmd->add_option("--jobs", f->jobs, "Number of layers downloaded at once (default 3)");
  cmd->callback([&r, f] { r.exit_code = RunPull(r.ctx, *f); });
}

void AddPush(CLI::App& parent, Registry& r) {
  auto f = std::make_shared<PushFlags>();
  CLI::App* cmd = AddCommand(parent, "push", "Push an image to a specified destination");
  cmd->add_option("image", f->args, "IMAGE [DESTINATION]");
  AddRemoteFlags(cmd, f->remote);
  AddRetryFlags(cmd, f->remote);
  cmd->add_flag("-q,--quiet", f->quiet, "Suppress output information when pushing images");
  cmd->add_option("-f,--format", f->format, "Manifest type (oci, v2s2, or v2s1) to use in the destination");
  cmd->add_option("--compression-format", f->compression, "compression format to use (gzip, zstd)");
  cmd->add_option("--digestfile", f->digestfile, "Write the digest of the pushed image to the specified file");
  cmd->add_flag("--remove-signatures", f->remove_signatures, "Discard any pre-existing signatures in the image");
  cmd->add_option("--sign-by", f->sign_by, "Add a signature at the destination using the specified key");
  cmd->add_flag("--disable-content-trust", f->remove_signatures_noop, "This is a Docker specific option and is a NOOP");
  cmd->add_option("--jobs", f->jobs, "Number of layers uploaded at once (default 3)");
  cmd->callback([&r, f] {
    if (!f->sign_by.empty()) {
      r.exit_code = Fail(Unsupported("signing is not supported by kiln"));
      return;
    }
    r.exit_code = RunPush(r.ctx, *f);
  });
}

}  // namespace

void RegisterRegistryCommands(Registry& r) {
  AddPull(r.root, r);
  AddPull(r.image, r);
  AddPush(r.root, r);
  AddPush(r.image, r);

  auto lf = std::make_shared<LoginFlags>();
  CLI::App* login = AddCommand(r.root, "login", "Login to a container registry");
  login->add_option("registry", lf->args, "REGISTRY");
  AddRemoteFlags(login, lf->remote, false);
  login->add_option("-u,--username", lf->username, "Username for registry");
  login->add_option("-p,--password", lf->password, "Password for registry");
  login->add_flag("--password-stdin", lf->password_stdin, "Take the password from stdin");
  login->add_flag("-g,--get-login", lf->get_login, "Return the current login user for the registry");
  login->callback([&r, lf] { r.exit_code = RunLogin(r.ctx, *lf); });

  auto of = std::make_shared<LogoutFlags>();
  CLI::App* logout = AddCommand(r.root, "logout", "Logout of a container registry");
  logout->add_option("registry", of->args, "REGISTRY");
  logout->add_option("--authfile", of->authfile, "Path of the authentication file");
  logout->add_flag("-a,--all", of->all, "Remove the cached credentials for all registries in the auth file");
  logout->callback([&r, of] { r.exit_code = RunLogout(r.ctx, *of); });

  auto sf = std::make_shared<SearchFlags>();
  CLI::App* search = AddCommand(r.root, "search", "Search registry for image");
  search->add_option("term", sf->args, "TERM");
  AddRemoteFlags(search, sf->remote);
  search->add_flag("--list-tags", sf->list_tags, "List the tags of the input registry");
  search->add_option("--limit", sf->limit, "Limit the number of results");
  search->add_option("--format", sf->format, "Change the output format to JSON or a Go template");
  search->add_flag("--no-trunc", sf->no_trunc, "Do not truncate the output");
  search->callback([&r, sf] { r.exit_code = RunSearch(r.ctx, *sf); });
}


Expected<registry::ClientOptions> ClientOptionsForBuild(const PullFlagsForBuild& f) {
  RemoteFlags remote;
  remote.tls_verify = f.tls_verify;
  remote.cert_dir = f.cert_dir;
  remote.authfile = f.authfile;
  remote.creds = f.creds;
  return ClientOptionsFrom(remote);
}

Expected<store::ImageRecord> PullForBuild(store::Store& store, const std::string& reference, const PullFlagsForBuild& f) {
  registry::PullOptions po;
  ASSIGN_OR_RETURN(po.client, ClientOptionsForBuild(f));
  po.progress_bars = !f.quiet && ::isatty(STDERR_FILENO);
  po.os = f.os;
  po.arch = f.arch;
  po.variant = f.variant;
  ASSIGN_OR_RETURN(registry::RegistriesConf conf, registry::LoadRegistriesConf());
  return registry::PullImage(store, conf, reference, po, StderrProgress(f.quiet));
}

}  // namespace kiln::cli
