// build, image build: podman's flags over build::Build.
#include <arpa/inet.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "builder/builder.h"
#include "builder/flags.h"
#include "builder/output.h"
#include "containerfile/ignore.h"
#include "cli/commands.h"
#include "containers/containers.h"
#include "image/reference.h"
#include "manifest/manifest.h"
#include "util/fs.h"
#include "util/line_pump.h"
#include "util/time.h"

namespace kiln::cli {
namespace {

struct BuildFlags {
  std::vector<std::string> positional;  // [CONTEXT]
  std::vector<std::string> cache_to, cache_from;
  std::string cache_ttl;
  bool cache_ttl_given = false;
  std::vector<std::string> tags, files, build_args, build_arg_files, labels, annotations, secrets, envs, unset_envs,
      os_features;
  std::string output;  // -o/--output
  std::string source_date_epoch;
  std::vector<std::string> add_hosts, cap_adds, cap_drops, ulimits, volumes, unset_labels, security_opts;
  bool no_hosts = false;
  std::string manifest;  // --manifest LIST: the built image joins this list
  std::string target, iidfile, format, pull = "missing", network, isolation, runtime, platform, os, arch, os_version,
      variant;
  std::string tls_verify, cert_dir, authfile, creds, logfile, ignorefile;
  bool no_cache = false, quiet = false, layers = true, layers_given = false, rm = true, force_rm = false;
  std::string identity_label, omit_history, squash, squash_all;  // pflag bools: "" (not given), else the value
  bool pull_always = false, pull_never = false;
  int pull_flags = 0;  // how many of --pull, --pull-always, --pull-never were given
  bool check = false;  // --check: lint instead of building
  int jobs = 0;
  int64_t timestamp = -1;
};

// Go's filepath.Abs: joined to the working directory and cleaned ("." is the directory itself).
Expected<std::string> AbsolutePath(const std::string& p) {
  if (!p.empty() && p[0] == '/') return build::CleanPath(p);
  char buf[4096];
  if (!getcwd(buf, sizeof buf)) return ErrnoError("getcwd", errno);
  return build::CleanPath(JoinPath(buf, p));
}

Status SplitKeyValue(const std::string& kv, build::KeyValues& out, bool from_env) {
  auto eq = kv.find('=');
  if (eq != std::string::npos) {
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  } else if (from_env) {
    if (const char* v = getenv(kv.c_str())) out.emplace_back(kv, v);  // "--build-arg NAME": from the environment
  } else {
    out.emplace_back(kv, "");
  }
  return Status::Ok();
}

// --env K=V sets V (with $NAME expanded against the image's variables); --env K the host's
// value of K, as is ("" when unset), as buildah does.
build::FinalConfigFlags::Env ParseEnvFlag(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq != std::string::npos) return {spec.substr(0, eq), spec.substr(eq + 1), true};
  const char* host = getenv(spec.c_str());
  return {spec, host ? host : "", false};
}

// pflag's string slices: each value split on commas (--unsetenv A,B is two names).
std::vector<std::string> SplitCommas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::stringstream in(v);
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  }
  return out;
}

// A pflag bool flag given as "--name" or "--name=VALUE" (strconv.ParseBool's spellings);
// `unset` when absent. Never takes the next word as its value.
Expected<bool> BoolFlag(const std::string& name, const std::string& raw, bool unset) {
  if (raw.empty()) return unset;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (raw == t) return true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (raw == f) return false;
  return InvalidArgument("invalid argument \"" + raw + "\" for \"" + name + "\" flag: strconv.ParseBool: parsing \"" +
                         raw + "\": invalid syntax");
}

// --platform OS/ARCH[/VARIANT][,…], else --os/--arch/--variant over the host's platform: one
// build for each. Only linux images (RUN steps run on this linux kernel).
Expected<std::vector<image::Platform>> BuildPlatforms(const BuildFlags& f) {
  std::vector<image::Platform> platforms;
  if (!f.platform.empty()) {
    ASSIGN_OR_RETURN(platforms, image::ParsePlatformList(f.platform));
    if (!f.variant.empty())
      for (auto& p : platforms)
        if (p.variant.empty()) p.variant = f.variant;
  } else {
    image::Platform p = image::HostPlatform();
    if (!f.os.empty()) p.os = f.os;
    if (!f.arch.empty()) {  // the host's variant is not the other architecture's
      p.architecture = image::NormalizeArch(f.arch);
      p.variant.clear();
    }
    if (!f.variant.empty()) p.variant = f.variant;
    platforms.push_back(p);
  }
  for (const auto& p : platforms)
    if (p.os != "linux") return Unsupported("building for OS " + p.os + " (" + p.String() + ") is not supported: only linux");
  return platforms;
}

// --squash is podman's --layers=false (one new layer, no cache); podman refuses it beside an
// explicit --layers or --squash-all. --squash-all (buildah's squash: one layer, the base's
// included) also builds without intermediate images; podman accepts --layers beside it.
Status ApplySquash(const BuildFlags& f, build::BuildOptions& o) {
  ASSIGN_OR_RETURN(bool squash, BoolFlag("--squash", f.squash, false));
  ASSIGN_OR_RETURN(bool squash_all, BoolFlag("--squash-all", f.squash_all, false));
  if (!f.squash.empty() && (f.layers_given || !f.squash_all.empty()))
    return InvalidArgument("cannot specify --squash with --layers and --squash-all with --squash");
  if (squash || squash_all) o.layers = false;
  o.squash_all = squash_all;
  return Status::Ok();
}

// --timestamp N sets every time in the image to N (podman 4.3.1); SOURCE_DATE_EPOCH (or
// --source-date-epoch) sets the image's times and moves later file times back to it
// (BuildKit's convention): a file older than it keeps its time.
Status ApplyTimestamp(const BuildFlags& f, build::BuildOptions& o) {
  if (f.timestamp >= 0) {
    o.timestamp = f.timestamp;
    return Status::Ok();
  }
  std::string sde = f.source_date_epoch;
  if (sde.empty())
    if (const char* env = getenv("SOURCE_DATE_EPOCH")) sde = env;
  if (sde.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(o.timestamp, ParseSourceDateEpoch(sde));
  o.timestamp_clamps = true;
  return Status::Ok();
}

// --add-host NAME:IP, podman's checks.
Status CheckAddHost(const std::string& h) {
  const size_t colon = h.find(':');
  if (colon == std::string::npos || colon == 0)
    return InvalidArgument("invalid value for add-host: bad format for add-host: \"" + h + "\"");
  const std::string ip = h.substr(colon + 1);
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1)
    return InvalidArgument("invalid value for add-host: invalid IP address in add-host: \"" + ip + "\"");
  return Status::Ok();
}

// What RUN steps get: hosts, capabilities, rlimits and volumes, checked before building.
Status ApplyRunFlags(const Context& ctx, const BuildFlags& f, build::BuildOptions& o) {
  for (const auto& h : SplitCommas(f.add_hosts)) {
    RETURN_IF_ERROR(CheckAddHost(h));
    o.add_hosts.push_back(h);
  }
  o.no_hosts = f.no_hosts;
  auto caps = runtime::Capabilities(SplitCommas(f.cap_adds), SplitCommas(f.cap_drops));
  if (!caps.ok()) return caps.status().Wrap("creating build executor");
  o.capabilities = *caps;
  for (const auto& u : SplitCommas(f.ulimits)) {
    ASSIGN_OR_RETURN(runtime::Rlimit r, runtime::ParseUlimit(u));
    o.rlimits.push_back(r);
  }
  ASSIGN_OR_RETURN(o.volumes, containers::ParseVolumes(f.volumes));
  ASSIGN_OR_RETURN(containers::SecurityOptions sec,
                   containers::ParseSecurityOpts(f.security_opts, [&ctx](const std::string& m) { ctx.Debug(m); }));
  o.seccomp_profile = sec.seccomp_profile;
  o.no_new_privileges = sec.no_new_privileges;
  o.final_config.unset_labels = f.unset_labels;
  return Status::Ok();
}

Status ReadBuildArgFile(const std::string& path, build::KeyValues& out) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line.erase(0, line.find_first_not_of(" \t"));
    if (line.empty() || line[0] == '#') continue;
    RETURN_IF_ERROR(SplitKeyValue(line, out, true));
  }
  return Status::Ok();
}

// The Containerfiles (-f, several are read one after the other, as buildah does): each
// relative to the current directory, else to the context directory; "-" is stdin. Without
// -f: CONTEXT/Containerfile, else CONTEXT/Dockerfile. Errors in podman's words.
Status LocateContainerfiles(const BuildFlags& f, build::BuildOptions& o) {
  std::vector<std::string> files = f.files;
  if (files.empty())
    files.push_back(JoinPath(o.context_dir, PathExists(JoinPath(o.context_dir, "Containerfile")) ? "Containerfile" : "Dockerfile"));
  o.containerfile_text.clear();
  for (size_t i = 0; i < files.size(); ++i) {
    std::string text;
    if (files[i] == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else {
      ASSIGN_OR_RETURN(std::string path, AbsolutePath(files[i]));
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 && files[i][0] != '/' && path.rfind(o.context_dir, 0) != 0)
        path = JoinPath(o.context_dir, files[i]);
      if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat " + path, errno);
      if (S_ISDIR(st.st_mode)) return InvalidArgument("containerfile: \"" + path + "\" cannot be path to a directory");
      ASSIGN_OR_RETURN(text, ReadFile(path));
      if (text.empty()) return InvalidArgument("no contents in \"" + path + "\"");
      if (i == 0) o.containerfile_path = path;
    }
    if (!o.containerfile_text.empty() && o.containerfile_text.back() != '\n') o.containerfile_text += '\n';
    o.containerfile_text += text;
  }
  return Status::Ok();
}

// The context directory: CONTEXT; "-" is a Containerfile on stdin with an empty context
// (buildah's stdinToDirectory); without one, the directory of the first -f file.
Expected<std::string> ContextDir(const BuildFlags& f, build::BuildOptions& o, TempDir& stdin_context) {
  if (!f.positional.empty() && f.positional[0] == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    o.containerfile_text = ss.str();
    const std::string& t = o.containerfile_text;
    bool tar = t.size() >= 262 && t.compare(257, 5, "ustar") == 0;
    bool gzip = t.size() >= 2 && static_cast<unsigned char>(t[0]) == 0x1f && static_cast<unsigned char>(t[1]) == 0x8b;
    if (tar || gzip) return Unsupported("a build context archive on stdin is not supported: give a directory");
    return stdin_context.Create("kiln-build");
  }
  if (!f.positional.empty()) return AbsolutePath(f.positional[0]);
  for (const auto& file : f.files)
    if (file != "-") {
      ASSIGN_OR_RETURN(std::string abs, AbsolutePath(file));
      return ParentDir(abs);
    }
  return AbsolutePath(".");
}

// --cache-to, --cache-from (repeatable here; podman 4.3.1 keeps the last one), --cache-ttl.
// The registry cache asks each registry once more at most (retries=1): a registry that is
// down costs the build a moment, then is off for the rest of it.
Status FillCacheOptions(const BuildFlags& f, const PullFlagsForBuild& pf, build::BuildOptions& o) {
  for (const auto& v : f.cache_to) {
    ASSIGN_OR_RETURN(std::string repo, build::ParseCacheRepository(v, "--cache-to"));
    o.registry_cache.to.push_back(repo);
  }
  for (const auto& v : f.cache_from) {
    ASSIGN_OR_RETURN(std::string repo, build::ParseCacheRepository(v, "--cache-from"));
    o.registry_cache.from.push_back(repo);
  }
  if (f.cache_ttl_given) {
    auto ttl = build::ParseGoDuration(f.cache_ttl);
    if (!ttl.ok())
      return InvalidArgument("unable to parse value provided \"" + f.cache_ttl + "\" as --cache-ttl: " +
                             ttl.status().message());
    if (*ttl == 0) o.no_cache = true;  // buildah: --cache-ttl=0 means no cache at all
    else o.cache_ttl_ns = *ttl;
  }
  if (o.registry_cache.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(o.registry_cache.client, ClientOptionsForBuild(pf));
  o.registry_cache.client.retries = 1;
  o.registry_cache.client.retry_delay_ms = 200;
  ASSIGN_OR_RETURN(o.registry_cache.registries, registry::LoadRegistriesConf());
  return Status::Ok();
}

PullFlagsForBuild PullFlagsOf(const BuildFlags& f) {
  PullFlagsForBuild pf;
  pf.tls_verify = f.tls_verify;
  pf.cert_dir = f.cert_dir;
  pf.authfile = f.authfile;
  pf.creds = f.creds;
  pf.quiet = f.quiet;
  return pf;
}

// The build's pull of a missing base image, into `store`.
decltype(build::BuildOptions::pull_image) PullInto(store::Store* store, const BuildFlags& f) {
  return [store, pf = PullFlagsOf(f)](const std::string& ref, const image::Platform& p) {
    PullFlagsForBuild with_platform = pf;
    with_platform.os = p.os;
    with_platform.arch = p.architecture;
    with_platform.variant = p.variant;
    return PullForBuild(*store, ref, with_platform);
  };
}

Status FillOptions(Context& ctx, const BuildFlags& f, build::BuildOptions& o, TempDir& stdin_context) {
  if (f.positional.size() > 1) return InvalidArgument("accepts at most 1 arg(s), received " + std::to_string(f.positional.size()));
  ASSIGN_OR_RETURN(o.context_dir, ContextDir(f, o, stdin_context));
  struct stat st;
  if (::stat(o.context_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return InvalidArgument("context must be a directory: \"" + o.context_dir + "\"");
  if (stdin_context.path().empty()) RETURN_IF_ERROR(LocateContainerfiles(f, o));
  if (f.pull_flags > 1) return InvalidArgument("can only set one of 'pull' or 'pull-always' or 'pull-never'");
  if (!f.authfile.empty() && ::access(f.authfile.c_str(), F_OK) != 0)
    return ErrnoError("checking authfile: stat " + f.authfile, errno);
  if (!f.ignorefile.empty()) {
    ASSIGN_OR_RETURN(o.ignore_file, AbsolutePath(f.ignorefile));
    if (::access(o.ignore_file.c_str(), R_OK) != 0) return ErrnoError("open " + o.ignore_file, errno);
  }
  for (const auto& t : f.tags) {
    ASSIGN_OR_RETURN(image::Reference ref, image::ParseTagTarget(t));
    o.tags.push_back(ref.String());
  }
  if (!f.tags.empty()) o.commit_name = f.tags.front();
  for (const auto& file : f.build_arg_files) RETURN_IF_ERROR(ReadBuildArgFile(file, o.build_args));
  for (const auto& a : f.build_args) RETURN_IF_ERROR(SplitKeyValue(a, o.build_args, true));
  for (const auto& l : f.labels) RETURN_IF_ERROR(SplitKeyValue(l, o.labels, false));
  for (const auto& a : f.annotations) RETURN_IF_ERROR(SplitKeyValue(a, o.annotations, false));
  for (const auto& e : f.envs) o.final_config.env.push_back(ParseEnvFlag(e));
  o.final_config.unset_env = SplitCommas(f.unset_envs);
  RETURN_IF_ERROR(ApplyRunFlags(ctx, f, o));
  o.final_config.os_version = f.os_version;
  o.final_config.os_features = f.os_features;
  ASSIGN_OR_RETURN(o.final_config.omit_history, BoolFlag("--omit-history", f.omit_history, false));
  ASSIGN_OR_RETURN(o.identity_label, BoolFlag("--identity-label", f.identity_label, true));
  for (const auto& sec : f.secrets) {
    auto fields = build::ParseFlagFields(sec);  // id=ID,src=PATH (or source=)
    const std::string id = fields["id"], src = fields["source"];
    if (id.empty() || src.empty()) return InvalidArgument("invalid secret \"" + sec + "\": expected id=ID,src=PATH");
    ASSIGN_OR_RETURN(std::string abs, AbsolutePath(src));
    if (!PathExists(abs)) return NotFound("secret " + id + ": stat " + abs + ": no such file or directory");
    o.secrets.emplace_back(id, abs);
  }
  o.target = f.target;
  o.no_cache = f.no_cache;
  o.layers = f.layers;
  RETURN_IF_ERROR(ApplySquash(f, o));
  o.quiet = f.quiet;
  o.jobs = f.jobs;
  std::string format = f.format.empty() ? (getenv("BUILDAH_FORMAT") ? getenv("BUILDAH_FORMAT") : "oci") : f.format;
  if (format != "oci" && format != "docker")
    return InvalidArgument("unrecognized image type \"" + format + "\"");
  o.docker_format = format == "docker";
  std::string pull = f.pull_always ? "always" : f.pull_never ? "never" : f.pull;
  if (pull == "true") pull = "always";
  if (pull == "false") pull = "missing";
  if (pull != "missing" && pull != "always" && pull != "never" && pull != "newer" && pull != "ifmissing" &&
      pull != "ifnewer")
    return InvalidArgument("invalid pull policy \"" + f.pull + "\"");
  o.pull = pull == "ifmissing" ? "missing" : pull == "ifnewer" ? "newer" : pull;
  ASSIGN_OR_RETURN(o.network, containers::ParseNetwork(f.network));
  ASSIGN_OR_RETURN(containers::IsolationRequest request, IsolationRequestFor(ctx, f.isolation, f.runtime));
  ASSIGN_OR_RETURN(containers::IsolationChoice iso, containers::ChooseIsolation(request, Warn));
  o.isolation = iso.isolation == "oci" ? runtime::Isolation::kOci : runtime::Isolation::kChroot;
  o.oci_runtime = iso.runtime;
  o.runtime_flags = iso.runtime_flags;
  RETURN_IF_ERROR(ApplyTimestamp(f, o));
  ASSIGN_OR_RETURN(store::Store * store, ctx.Store());
  o.runtime_state_root = store->runroot() + "/" + (iso.runtime.find("crun") != std::string::npos ? "crun" : "runc");
  o.pull_image = PullInto(store, f);
  RETURN_IF_ERROR(FillCacheOptions(f, PullFlagsOf(f), o));
  o.warn = [](const std::string& msg) { Warn(msg); };
  return Status::Ok();
}

// --logfile: everything the build prints (its steps and the RUN output) goes to FILE; the
// final error still goes to stderr, as in podman.
class LogfileRedirect {
 public:
  ~LogfileRedirect() { Restore(); }
  Status Open(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoError("open " + path, errno);
    std::fflush(stdout);
    std::fflush(stderr);
    saved_out_ = UniqueFd(::dup(STDOUT_FILENO));
    saved_err_ = UniqueFd(::dup(STDERR_FILENO));
    ::dup2(fd.get(), STDOUT_FILENO);
    ::dup2(fd.get(), STDERR_FILENO);
    return Status::Ok();
  }
  void Restore() {
    if (!saved_out_.valid()) return;
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out_.get(), STDOUT_FILENO);
    ::dup2(saved_err_.get(), STDERR_FILENO);
    saved_out_.reset();
    saved_err_.reset();
  }

 private:
  UniqueFd saved_out_, saved_err_;
};

}  // namespace

Expected<ContainerfileSource> ReadContainerfileAsBuild(const std::vector<std::string>& files, const std::string& context) {
  BuildFlags f;
  f.files = files;
  if (!context.empty()) f.positional.push_back(context);
  if (context == "-") return InvalidArgument("a Containerfile on stdin as the context is not supported here: use -f -");
  build::BuildOptions o;
  TempDir unused;
  ASSIGN_OR_RETURN(o.context_dir, ContextDir(f, o, unused));
  struct stat st;
  if (::stat(o.context_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return InvalidArgument("context must be a directory: \"" + o.context_dir + "\"");
  RETURN_IF_ERROR(LocateContainerfiles(f, o));
  return ContainerfileSource{o.context_dir, o.containerfile_path, o.containerfile_text};
}

namespace {

struct PlatformOutcome {
  std::optional<Expected<build::BuildResult>> result;
  build::BuildFailure failure;
};

size_t PlatformJobs(const BuildFlags& f, size_t platforms) {
  size_t jobs = f.jobs > 0 ? static_cast<size_t>(f.jobs) : std::max(1u, std::thread::hardware_concurrency());
  return std::min(jobs, platforms);
}

build::BuildOptions ForPlatform(const build::BuildOptions& o, const image::Platform& p, size_t platforms) {
  build::BuildOptions po = o;
  po.platform = p;
  po.final_config.variant = p.variant;
  if (platforms > 1) po.log_prefix = "[" + p.String() + "] ";
  return po;
}

// One after the other, stopping at the first failure.
std::vector<PlatformOutcome> BuildPlatformsInTurn(store::Store& store, const build::BuildOptions& o,
                                                  const std::vector<image::Platform>& platforms) {
  std::vector<PlatformOutcome> out;
  for (const image::Platform& p : platforms) {
    PlatformOutcome& r = out.emplace_back();
    r.result = build::Build(store, ForPlatform(o, p, platforms.size()), r.failure);
    if (!r.result->ok()) break;
  }
  return out;
}

// Up to PlatformJobs at once, each on a store connection of its own (as separate kiln
// processes would be). Each build's output, its RUN programs' too, goes through a LinePump
// that puts "[os/arch] " before every line, so the lines of the builds never mix.
PlatformOutcome BuildOnePlatform(Context& ctx, const BuildFlags& f, const build::BuildOptions& o,
                                 const image::Platform& p, bool last, std::mutex& out_mu) {
  PlatformOutcome r;
  build::BuildOptions po = ForPlatform(o, p, 1);
  if (!last) po.tags.clear();  // -t names the last platform's image, as when built in turn
  const std::string prefix = "[" + p.String() + "] ";
  auto store = ctx.OpenStore();
  auto out = LinePump::Start(o.out, prefix, out_mu);
  auto err = LinePump::Start(o.err, prefix, out_mu);
  if (!store.ok() || !out.ok() || !err.ok()) {
    r.result = !store.ok() ? store.status() : !out.ok() ? out.status() : err.status();
    return r;
  }
  po.pull_image = PullInto(store->get(), f);
  po.out = (*out)->file();
  po.err = (*err)->file();
  po.print_id = false;  // printed bare, in the platforms' order, once all are built
  r.result = build::Build(**store, po, r.failure);
  (*out)->Finish();
  (*err)->Finish();
  return r;
}

std::vector<PlatformOutcome> BuildPlatformsAtOnce(Context& ctx, const BuildFlags& f, const build::BuildOptions& o,
                                                  const std::vector<image::Platform>& platforms) {
  std::vector<PlatformOutcome> out(platforms.size());
  std::mutex out_mu;
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (size_t j = 0; j < PlatformJobs(f, platforms.size()); ++j)
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < platforms.size();)
        out[i] = BuildOnePlatform(ctx, f, o, platforms[i], i + 1 == platforms.size(), out_mu);
    });
  for (auto& w : workers) w.join();
  return out;
}

int RunBuild(Context& ctx, const BuildFlags& f) {
  if (f.check) {
    LintRequest req;
    if (!f.positional.empty()) req.context_dir = f.positional[0];
    req.files = f.files;
    build::KeyValues args;
    for (const auto& a : f.build_args) (void)SplitKeyValue(a, args, true);
    req.build_args.assign(args.begin(), args.end());
    return LintContainerfile(ctx, req);
  }
  auto platforms = BuildPlatforms(f);
  if (!platforms.ok()) return Fail(platforms.status());
  if (platforms->size() > 1 && !f.output.empty())
    return Fail(Unsupported("--output with several platforms is not supported: build one platform at a time"));
  if (platforms->size() > 1 && !f.iidfile.empty())
    return Fail(InvalidArgument("building multiple images, but iidfile \"" + f.iidfile +
                                "\" can only be used to store one image ID"));
  build::BuildOptions o;
  TempDir stdin_context;  // `build -`: an empty context, removed afterwards
  Status filled = FillOptions(ctx, f, o, stdin_context);
  if (!filled.ok()) return Fail(filled);
  std::optional<build::BuildOutput> output;
  if (!f.output.empty()) {
    auto parsed = build::ParseBuildOutput(f.output);
    if (!parsed.ok()) return Fail(parsed.status());
    output = *parsed;
    if (output->to_stdout) o.out = stderr;  // stdout carries the archive alone
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  if (!f.manifest.empty()) {  // a bad list name fails before anything is built
    if (auto ref = image::ParseNormalizedLocal(f.manifest); !ref.ok()) return Fail(ref.status());
    auto list = manifest::Load(**store, f.manifest);
    if (!list.ok() && list.status().code() != Code::kNotFound) return Fail(list.status());
  }
  LogfileRedirect log;
  if (!f.logfile.empty())
    if (Status st = log.Open(f.logfile); !st.ok()) return Fail(st);
  // One build per platform, up to --jobs (default: the CPUs) at once; the results join the
  // list once all are built, so a failed platform leaves it as it was.
  const bool at_once = PlatformJobs(f, platforms->size()) > 1;
  std::vector<PlatformOutcome> outcomes =
      at_once ? BuildPlatformsAtOnce(ctx, f, o, *platforms) : BuildPlatformsInTurn(**store, o, *platforms);
  std::vector<std::string> ids;
  for (auto& outcome : outcomes) {
    if (!outcome.result->ok()) break;
    ids.push_back((*outcome.result)->image_id);
    if (at_once) std::fprintf(o.out, "%s\n", ids.back().c_str());  // bare, in the order given
  }
  std::fflush(o.out);
  log.Restore();
  for (auto& outcome : outcomes)  // the first platform that failed, in the order given
    if (!outcome.result->ok()) return Fail(outcome.result->status(), outcome.failure.exit_code);
  if (output)
    if (Status st = build::ExportBuildOutput(**store, ids.back(), *output); !st.ok())
      return Fail(st.Wrap("exporting the build output"));
  if (!f.manifest.empty())
    for (const auto& id : ids)
      if (Status st = manifest::AddImageToList(**store, f.manifest, id); !st.ok()) return Fail(st);
  if (!f.iidfile.empty()) {
    Status st = WriteFileAtomic(f.iidfile, "sha256:" + ids.back());
    if (!st.ok()) return Fail(st);
  }
  return 0;
}

CLI::App* AddBuild(CLI::App& parent, Registry& r) {
  auto f = std::make_shared<BuildFlags>();
  CLI::App* cmd = AddCommand(parent, "build", "Build an image using instructions from Containerfiles");
  cmd->add_option("context", f->positional, "CONTEXT directory (default: current directory)");
  AddRepeatable(cmd, "-t,--tag", f->tags, "tagged name to apply to the built image");
  AddRepeatable(cmd, "-f,--file", f->files, "`pathname or URL` of a Dockerfile");
  AddRepeatable(cmd, "--build-arg", f->build_args, "`argument=value` to supply to the builder");
  AddRepeatable(cmd, "--build-arg-file", f->build_arg_files, "`argfile.conf` containing lines of argument=value");
  AddRepeatable(cmd, "--label", f->labels, "set metadata for an image (default [])");
  AddRepeatable(cmd, "--annotation", f->annotations, "set metadata for an image (default [])");
  AddRepeatable(cmd, "--env", f->envs, "set environment variable for the image");
  AddRepeatable(cmd, "--unsetenv", f->unset_envs, "unset environment variable from final image");
  cmd->add_flag("--identity-label{true}", f->identity_label, "add default identity label (default true)");
  cmd->add_flag("--omit-history{true}", f->omit_history, "omit build history information from built image");
  AddRepeatable(cmd, "--secret", f->secrets, "secret file to expose to RUN --mount=type=secret (id=ID,src=PATH)");
  cmd->add_flag("--check", f->check, "lint the Containerfile (kiln lint) instead of building");
  AddRepeatable(cmd, "--cache-to", f->cache_to, "remote repository to utilise as potential cache destination");
  AddRepeatable(cmd, "--cache-from", f->cache_from, "remote repository to utilise as potential cache source");
  CLI::Option* cache_ttl =
      cmd->add_option("--cache-ttl", f->cache_ttl, "only consider cache images under specified duration");
  cmd->add_flag("--no-cache", f->no_cache, "do not use existing cached images for the container build");
  cmd->add_option("--target", f->target, "set the target build stage to build");
  AddRepeatable(cmd, "--add-host", f->add_hosts, "add a custom host-to-IP mapping (host:ip) (default [])");
  cmd->add_flag("--no-hosts", f->no_hosts, "do not create new /etc/hosts files for RUN instructions, use the one from the base image.");
  AddRepeatable(cmd, "--cap-add", f->cap_adds, "add the specified capability when running (default [])");
  AddRepeatable(cmd, "--cap-drop", f->cap_drops, "drop the specified capability when running (default [])");
  AddRepeatable(cmd, "--ulimit", f->ulimits, "ulimit options");
  AddRepeatable(cmd, "--security-opt", f->security_opts, "security options (default [])");
  AddRepeatable(cmd, "-v,--volume", f->volumes, "bind mount a volume into the container");
  AddRepeatable(cmd, "--unsetlabel", f->unset_labels, "unset label when inheriting labels from base image");
  cmd->add_option("-o,--output", f->output, "output destination (format: type=local,dest=path)");
  cmd->add_option("--iidfile", f->iidfile, "`file` to write the image ID to");
  cmd->add_flag("-q,--quiet", f->quiet, "refrain from announcing build instructions and image read/write progress");
  cmd->add_option("--format", f->format, "`format` of the built image's manifest and metadata (oci or docker)");
  auto count_pull = [f](const std::string&) { ++f->pull_flags; };
  cmd->add_option("--pull", f->pull, "pull image policy (always, missing, never, newer)")
      ->expected(0, 1)
      ->default_str("missing")
      ->each(count_pull);
  // Undocumented in podman, and used by its tests.
  AddBoolValue(cmd, "--pull-always", f->pull_always, "pull the image even if the named image is present in store")->each(count_pull);
  AddBoolValue(cmd, "--pull-never", f->pull_never, "do not pull the image, use the image present in store if available")->each(count_pull);
  cmd->add_option("--logfile", f->logfile, "log to `file` instead of stdout/stderr");
  cmd->add_option("--ignorefile", f->ignorefile, "path to an alternate .dockerignore file");
  // podman: BUILDAH_LAYERS=false (or 0) makes --layers default to false.
  if (const char* env = std::getenv("BUILDAH_LAYERS"); env && (std::string(env) == "0" || strcasecmp(env, "false") == 0))
    f->layers = false;
  CLI::Option* layers = AddBoolValue(cmd, "--layers", f->layers, "cache intermediate layers during build");
  cmd->add_flag("--squash{true}", f->squash, "squash newly built layers into a single new layer");
  cmd->add_flag("--squash-all{true}", f->squash_all, "Squash all layers into a single layer");
  AddBoolValue(cmd, "--rm", f->rm, "remove intermediate containers after a successful build");
  AddBoolValue(cmd, "--force-rm", f->force_rm, "always remove intermediate containers after a build, even if the build is unsuccessful");
  cmd->add_option("--jobs", f->jobs, "how many stages to run in parallel");
  cmd->add_option("--network", f->network, "network mode for RUN instructions (host, none, private)");
  cmd->add_option("--isolation", f->isolation, "`type` of process isolation to use (chroot or oci)");
  cmd->add_option("--runtime", f->runtime, "`path` to an alternate OCI runtime");
  cmd->add_option("--manifest", f->manifest, "add the image to the specified manifest list (created if missing)");
  cmd->add_option("--platform", f->platform, "set the OS/ARCH[/VARIANT] of the built image (several, comma-separated: one image each)");
  cmd->add_option("--os", f->os, "set the OS to the provided value instead of the current operating system of the host");
  cmd->add_option("--arch", f->arch, "set the ARCH of the image to the provided value instead of the architecture of the host");
  cmd->add_option("--os-version", f->os_version, "set required OS `version` for the target image instead of the value from the base image");
  cmd->add_option("--variant", f->variant, "override the `variant` of the specified image");
  AddRepeatable(cmd, "--os-feature", f->os_features, "set required OS `feature` for the target image in addition to values from the base image");
  cmd->add_option("--timestamp", f->timestamp, "set created timestamp to the specified epoch seconds to allow for deterministic builds, defaults to current time");
  cmd->add_option("--source-date-epoch", f->source_date_epoch, "set the image's times to these epoch `seconds` and move later file times back to them (as SOURCE_DATE_EPOCH)");
  cmd->add_flag("--tls-verify{true}", f->tls_verify, "require HTTPS and verify certificates when accessing the registry");
  cmd->add_option("--cert-dir", f->cert_dir, "use certificates at the specified path to access the registry");
  cmd->add_option("--authfile", f->authfile, "path of the authentication file");
  cmd->add_option("--creds", f->creds, "use `[username[:password]]` for accessing the registry");
  cmd->callback([&r, f, layers, cache_ttl] {
    f->layers_given = layers->count() > 0;
    f->cache_ttl_given = cache_ttl->count() > 0;
    if (f->runtime.empty()) f->runtime = r.ctx.options.runtime;  // the global --runtime
    r.exit_code = RunBuild(r.ctx, *f);
  });
  return cmd;
}

}  // namespace

void RegisterBuildCommands(Registry& r) {
  AddBuild(r.root, r);
  AddBuild(r.image, r);
  // podman's `buildx build` is `build` under another name, with the same flags.
  CLI::App* buildx = AddCommand(r.root, "buildx", "Build images");
  buildx->alias("builder");
  buildx->require_subcommand(1);
  auto load = std::make_shared<bool>(false);
  // buildx's --load (put the image in the local store) is what kiln's build always does.
  AddBuild(*buildx, r)->add_flag("--load", *load, "buildx --load")->group("");
}

}  // namespace kiln::cli
