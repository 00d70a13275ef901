// The filesystem steps of a stage: RUN, COPY and ADD.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "builder/flags.h"
#include "builder/stage.h"
#include "runtime/binfmt.h"
#include "store/layer_commit.h"
#include "util/fs.h"
#include "util/http.h"
#include "util/io.h"
#include "util/json_text.h"

namespace kiln::build {
namespace {

const Flag* FindFlag(const Instruction& ins, std::string_view name) {
  for (const auto& f : ins.flags)
    if (f.name == name) return &f;
  return nullptr;
}

bool IsUrl(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

std::string UrlBaseName(const std::string& url) {
  std::string path = url.substr(url.find("://") + 3);
  if (auto q = path.find_first_of("?#"); q != std::string::npos) path.resize(q);
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? "" : path.substr(slash + 1);
  return base.empty() ? "download" : base;
}

// Whether path names a directory (symlinks followed) in the image made of these layers (top
// first): the topmost layer that has a path decides. For the history's "dir:"/"file:" only.
bool IsDirInLayers(const std::vector<std::string>& lowers, const std::string& path) {
  auto lookup = [&](const std::string& p, struct stat* st) {
    for (const auto& dir : lowers)
      if (lstat((dir + p).c_str(), st) == 0) return std::optional<std::string>(dir + p);
    return std::optional<std::string>();
  };
  std::vector<std::string> todo;  // components still to walk, last first
  auto push = [&](const std::string& p) {
    std::vector<std::string> parts;
    for (size_t i = 0; i <= p.size();) {
      size_t j = std::min(p.find('/', i), p.size());
      if (j > i) parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push(path);
  std::string cur;
  struct stat st {};
  st.st_mode = S_IFDIR;
  for (int hops = 0; !todo.empty();) {
    std::string part = todo.back();
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      cur = cur.substr(0, cur.rfind('/') == std::string::npos ? 0 : cur.rfind('/'));
      continue;
    }
    auto found = lookup(cur + "/" + part, &st);
    if (!found) return false;
    if (!S_ISLNK(st.st_mode)) {
      cur += "/" + part;
      continue;
    }
    if (++hops > 40) return false;
    char buf[4096];
    ssize_t n = readlink(found->c_str(), buf, sizeof buf);
    if (n <= 0) return false;
    std::string target(buf, static_cast<size_t>(n));
    if (target[0] == '/') cur.clear();
    push(target);
  }
  return S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> StageBuilder::RunEnv() const {
  std::vector<std::string> env;
  for (const auto& [k, v] : VisibleArgs()) env.push_back(k + "=" + v);
  for (const char* p : kProxyArgs)
    if (auto v = run_.BuildArg(p); v && !args_.count(p)) env.push_back(std::string(p) + "=" + *v);
  for (const auto& e : state_.Env()) env.push_back(e);
  return env;
}

// /run/.containerenv, as buildah mounts it in a RUN step's container (it tells programs that
// they run in a container); the runtime removes the mount point from the layer afterwards.
Expected<runtime::BindMount> StageBuilder::ContainerEnvFile(const std::string& dir) const {
  std::string image = base_name_.empty() ? "" : base_name_;
  std::string name = image.empty() ? "working-container" : image.substr(image.rfind('/') + 1);
  name = name.substr(0, name.find(':')) + (image.empty() ? "" : "-working-container");
  std::string text = "engine=\"buildah-" + std::string(kBuildahVersion) + "\"\nname=\"" + name + "\"\nid=\"" +
                     dir.substr(dir.rfind('/') + 1) + "\"\nimage=\"" + image + "\"\nimageid=\"" +
                     state_.image_id + "\"\nrootless=" + (::geteuid() == 0 ? "0" : "1") + "\n";
  std::string path = dir + "/containerenv";
  RETURN_IF_ERROR(WriteFileAtomic(path, text, 0755));
  return runtime::BindMount{path, "/run/.containerenv", false};
}

Expected<runtime::ContainerSpec> StageBuilder::ContainerFor(const std::string& dir) const {
  runtime::ContainerSpec spec;
  spec.id = dir.substr(dir.rfind('/') + 1);
  spec.dir = dir;
  spec.layer_mount = {run_.store.graph_driver(), run_.store.mount_program()};
  const auto& layers = layered() ? state_.layers : base_layers_;
  ASSIGN_OR_RETURN(spec.lowers, LowerDirs(run_.store, layers, dir));
  spec.cwd = state_.WorkingDir();
  spec.user = state_.User();
  spec.hostname = spec.id.substr(0, 12);
  spec.network = run_.opts.network;
  spec.isolation = run_.opts.isolation;
  spec.oci_runtime = run_.opts.oci_runtime;
  spec.runtime_flags = run_.opts.runtime_flags;
  spec.state_root = run_.opts.runtime_state_root;
  return spec;
}

Expected<std::vector<std::string>> StageBuilder::RunArgv(const Instruction& ins, std::string& shown) const {
  // buildah runs a shell-form RUN with SHELL only for a docker-format image; the OCI format
  // has no Shell, and its warning says SHELL "will be ignored": /bin/sh -c it is.
  std::vector<std::string> shell =
      run_.opts.docker_format ? state_.Shell(shell_) : std::vector<std::string>{"/bin/sh", "-c"};
  if (ins.json) {
    shown = "/bin/sh -c " + ins.rest;
    return ins.args;
  }
  std::string script = ins.args.empty() ? ins.rest : ins.args[0];
  if (!ins.heredocs.empty()) {
    std::string trimmed = script;
    trimmed.erase(0, trimmed.find_first_not_of(" \t"));
    if (ins.heredocs.size() == 1 && trimmed.rfind("<<", 0) == 0 && trimmed.find(' ') == std::string::npos) {
      script = ins.heredocs[0].content;  // RUN <<EOF: the body is the script
    } else {
      for (const auto& h : ins.heredocs) script += "\n" + h.content + h.name;  // the shell reads the heredocs
    }
  }
  shown = JoinWords(shell) + " " + script;
  // An empty RUN runs the shell with no script, as buildah does (`sh -c` then fails).
  if (!script.empty() || !ins.heredocs.empty()) shell.push_back(script);
  return shell;
}

// The layers of a --from= / from= source: an earlier stage's result, or an image.
Expected<std::vector<store::LayerInfo>> StageBuilder::LayersOf(const std::string& name) {
  int dep = FindStage(run_.file, name, stage_.index);
  if (dep >= 0) return run_.stage_results[dep]->layers;
  std::lock_guard<std::mutex> lock(run_.store_mu);
  auto img = run_.store.LookupImage(name);
  if (!img.ok() && img.status().code() == Code::kNotFound)
    return NotFound("--from=" + name + ": no stage or image found with that name");
  if (!img.ok()) return img.status();
  return run_.store.ImageLayers(img->id);
}

// A bind mount's source: from the context (read-only, or a scratch copy when rw: writes
// never reach the context), or from another stage or image, copied out of its layers.
Expected<runtime::BindMount> StageBuilder::BindMountSource(std::map<std::string, std::string>& m,
                                                           const std::string& target, std::string& key_part,
                                                           const std::string& step_dir, size_t n) {
  const std::string source = m.count("source") ? m["source"] : "/";
  const bool rw = m.count("rw") || m.count("readwrite");
  const std::string scratch = step_dir + "/bind-" + std::to_string(n);
  CopyRequest req;
  req.dest = "/m/";
  if (m.count("from")) {
    ASSIGN_OR_RETURN(std::string name, Expand(m["from"]));
    ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, LayersOf(name));
    ASSIGN_OR_RETURN(req.source_lowers, LowerDirs(run_.store, layers, step_dir));
    req.sources.push_back(Source{source, false});
    req.resolve_in_child = true;
    key_part += "bind-from " + target + " " + (layers.empty() ? "" : layers.back().chain_id.hex()) + " " + source + "\n";
  } else {
    ASSIGN_OR_RETURN(std::vector<Source> srcs, ResolveSources(run_.opts.context_dir, {source}, &run_.ignore));
    ASSIGN_OR_RETURN(Digest d, HashSources(run_.opts.context_dir, srcs, &run_.ignore, {}, &run_.locked_stat_cache, Owners::kIgnore));
    key_part += "bind " + target + " " + d.hex() + (rw ? " rw\n" : "\n");
    if (!rw) return runtime::BindMount{JoinPath(run_.opts.context_dir, srcs.empty() ? "" : srcs[0].rel), target, true};
    req.source_root = run_.opts.context_dir;
    req.sources = srcs;
    req.ignore = &run_.ignore;
  }
  // Copied into an overlay over an empty lower: the copy lands in scratch/upper/m.
  runtime::ContainerSpec spec;
  spec.dir = scratch;
  spec.layer_mount = {run_.store.graph_driver(), run_.store.mount_program()};
  for (const char* sub : {"", "/upper", "/work", "/merged"}) RETURN_IF_ERROR(MakeDirs(scratch + sub));
  ASSIGN_OR_RETURN(spec.lowers, LowerDirs(run_.store, {}, scratch));
  RETURN_IF_ERROR(CopyInContainer(spec, req));
  std::string copied = scratch + "/upper/m";
  std::string base = source;
  while (!base.empty() && base.back() == '/') base.pop_back();
  base = base.substr(base.rfind('/') + 1);  // npos + 1 == 0: the whole name
  struct stat st;
  if (!base.empty() && lstat((copied + "/" + base).c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) copied += "/" + base;
  return runtime::BindMount{copied, target, !rw};
}

Expected<std::vector<runtime::BindMount>> StageBuilder::RunMounts(const Instruction& ins, std::string& key_part,
                                                                 const std::string& step_dir) {
  std::vector<runtime::BindMount> binds;
  for (const auto& f : ins.flags) {
    if (f.name != "mount") continue;
    auto m = ParseFlagFields(f.value);
    if (m.count("from")) {  // checked first, with buildah's words
      if (m["from"].empty()) return InvalidArgument("unable to resolve argument for `from=`: from points to an empty value");
      ASSIGN_OR_RETURN(std::string from, Expand(m["from"]));
      if (!LayersOf(from).ok()) return NotFound(f.value + " from=" + from + ": no stage or image found with that name");
    }
    std::string type = m.count("type") ? m["type"] : "bind";
    std::string target = m["target"];
    if (target.empty() && type != "secret") return InvalidArgument("mount: target is required: " + f.value);
    target = JoinContainerPath(state_.WorkingDir(), target.empty() ? "/run/secrets/" + m["id"] : target);
    if (type == "bind") {
      ASSIGN_OR_RETURN(runtime::BindMount b, BindMountSource(m, target, key_part, step_dir, binds.size()));
      binds.push_back(b);
    } else if (type == "cache" && m.count("from")) {
      // buildah: no cache on the host, an earlier stage's directory is mounted instead
      ASSIGN_OR_RETURN(std::string from, Expand(m["from"]));
      if (FindStage(run_.file, from, stage_.index) < 0) return NotFound("no stage found with name " + from);
      m["rw"] = "";
      ASSIGN_OR_RETURN(runtime::BindMount b, BindMountSource(m, target, key_part, step_dir, binds.size()));
      binds.push_back(b);
    } else if (type == "cache") {
      std::string id = m.count("id") ? m["id"] : target;
      std::string dir = run_.store.root() + "/build-cache-mounts/" + Digest::OfBytes(id).hex();
      RETURN_IF_ERROR(MakeDirs(dir));
      key_part += "cache " + target + "\n";
      binds.push_back({dir, target, false});
    } else if (type == "tmpfs") {
      std::string dir = step_dir + "/tmpfs-" + std::to_string(binds.size());
      RETURN_IF_ERROR(MakeDirs(dir));
      key_part += "tmpfs " + target + "\n";
      binds.push_back({dir, target, false});
    } else if (type == "secret") {
      // Not part of the cache key (as in BuildKit): a secret's value must not decide reuse.
      std::string id = m.count("id") ? m["id"] : target.substr(target.rfind('/') + 1);
      if (!m.count("target")) target = "/run/secrets/" + id;
      auto found = std::find_if(run_.opts.secrets.begin(), run_.opts.secrets.end(),
                                [&](const auto& kv) { return kv.first == id; });
      if (found == run_.opts.secrets.end()) {
        if (m.count("required") && m["required"] != "false")
          return NotFound("secret " + id + " required but not provided (--secret id=" + id + ",src=FILE)");
        continue;
      }
      binds.push_back({found->second, target, true});
    } else {
      return InvalidArgument("unsupported mount type \"" + type + "\"");
    }
  }
  return binds;
}

// The directory a filesystem step works in: its own, or with --layers=false the stage's
// one container, made on first use.
Expected<const StepDir*> StageBuilder::DirForStep(std::unique_ptr<StepDir>& own) {
  std::unique_ptr<StepDir>& slot = layered() ? own : work_;
  if (!slot) {
    ASSIGN_OR_RETURN(StepDir d, StepDir::Create(run_.store.root()));
    slot = std::make_unique<StepDir>(std::move(d));
  }
  return slot.get();
}

// ---- WORKDIR and VOLUME directories ----

// After every step, as imagebuilder does: the working directory must exist, owned by the
// USER of the time (the first time decides: an existing directory is left alone).
void StageBuilder::AfterStep(const Instruction&) {
  std::string wd = state_.Runtime().value("WorkingDir", "");
  if (wd.empty() || ensured_dirs_.count(wd)) return;
  for (const auto& d : pending_dirs_)
    if (d.path == wd) return;
  pending_dirs_.push_back({wd, state_.User()});
}

// Whether a RUN comes after ins in this stage (an ONBUILD trigger: any RUN of the stage).
bool StageBuilder::RunFollows(const Instruction& ins) const {
  const auto& all = stage_.instructions;
  auto here = std::find_if(all.begin(), all.end(), [&](const Instruction& i) { return &i == &ins; });
  auto from = here == all.end() ? all.begin() : here + 1;
  return std::any_of(from, all.end(), [](const Instruction& i) { return i.keyword == "RUN"; });
}

// A VOLUME with a RUN after it: its directory is made, and RUN steps' writes below it are
// thrown away (COPY and ADD still write there), as buildah does.
void StageBuilder::Preserve(const std::string& volume) {
  std::string v = volume == "/" ? "/" : JoinContainerPath("/", volume);
  preserved_.erase(std::remove_if(preserved_.begin(), preserved_.end(),
                                  [&](const std::string& p) { return v == "/" || p.rfind(v + "/", 0) == 0; }),
                   preserved_.end());
  preserved_.push_back(v);
}

std::string StageBuilder::DirsKey() const {
  std::string key;
  for (const auto& d : pending_dirs_) key += "ensure " + d.path + " " + d.user + "\n";
  for (const auto& v : preserved_) key += "volume " + v + "\n";
  return key;
}

Expected<std::vector<std::string>> StageBuilder::EnsureDirs(const runtime::ContainerSpec& spec) {
  if (pending_dirs_.empty() && preserved_.empty()) return std::vector<std::string>{};
  ASSIGN_OR_RETURN(std::vector<std::string> resolved, PrepareRootfs(spec, pending_dirs_, preserved_));
  DirsEnsured();
  return resolved;
}

void StageBuilder::DirsEnsured() {
  for (const auto& d : pending_dirs_) ensured_dirs_.insert(d.path);
  pending_dirs_.clear();
}

Status StageBuilder::FilesystemChange(const std::string& key, const std::string& created_by, const StepDir& dir,
                                      bool last) {
  image::HistoryEntry h;
  h.created_by = created_by;
  Digest parent = state_.layers.empty() ? Digest() : state_.layers.back().chain_id;
  ASSIGN_OR_RETURN(store::LayerInfo layer, CommitLayer(parent, dir.upper()));
  {
    std::lock_guard<std::mutex> lock(run_.store_mu);
    if (!run_.lease.empty()) (void)run_.store.AddLeaseRef(run_.lease, "layer", layer.chain_id.hex());
  }
  return CommitStep(key, h, layer, last);
}

// No store_mu: the ingest and the snapshot's publication touch only files with unique
// temporary names, renamed into place (made for many kiln processes at once), never the
// database; parallel stages write their layer tars at the same time.
Expected<store::LayerInfo> StageBuilder::CommitLayer(const Digest& parent, const std::string& upper) {
  return store::CommitUpperDir(run_.store, parent, upper, run_.LayerTarOptions());
}

Status StageBuilder::RunStep(const Instruction& ins, bool last) {
  std::string shown;
  ASSIGN_OR_RETURN(std::vector<std::string> argv, RunArgv(ins, shown));
  // podman 4.3.1 has no heredocs: the script as run stands for them.
  std::string created_by = RunCreatedBy(ins.heredocs.empty() ? RunCommandText(ins.original) : shown, HistoryArgs());
  std::unique_ptr<StepDir> own;
  ASSIGN_OR_RETURN(const StepDir* step_dir, DirForStep(own));
  const StepDir& dir = *step_dir;
  std::string mounts_key;
  ASSIGN_OR_RETURN(std::vector<runtime::BindMount> binds, RunMounts(ins, mounts_key, dir.path()));
  runtime::Network network = run_.opts.network;
  if (const Flag* n = FindFlag(ins, "network")) {
    if (n->value == "none") network = runtime::Network::kNone;
    else if (n->value == "host") network = runtime::Network::kHost;
    else if (n->value != "default") return InvalidArgument("unsupported network \"" + n->value + "\"");
  }
  std::vector<std::string> env = RunEnv();
  Json key_doc = {{"argv", argv}, {"env", env}, {"user", state_.User()}, {"cwd", state_.WorkingDir()},
                  {"network", static_cast<int>(network)}, {"mounts", mounts_key}};
  std::string key = StepKey("RUN\n" + created_by + "\n" + JsonText(key_doc) + "\n" + DirsKey());
  if (layered()) {
    ASSIGN_OR_RETURN(bool hit, UseCache(key, last));
    if (hit) {
      DirsEnsured();
      return Status::Ok();
    }
  }
  if (runtime::NeedsEmulator(platform_, run_.host)) RETURN_IF_ERROR(runtime::CheckEmulator(platform_));
  ASSIGN_OR_RETURN(runtime::ContainerSpec spec, ContainerFor(dir.path()));
  ASSIGN_OR_RETURN(spec.discard_writes, EnsureDirs(spec));
  ASSIGN_OR_RETURN(runtime::BindMount env_file, ContainerEnvFile(dir.path()));
  binds.push_back(env_file);
  spec.args = argv;
  spec.env = env;
  spec.network = network;
  spec.binds = run_.opts.volumes;
  spec.binds.insert(spec.binds.end(), binds.begin(), binds.end());
  spec.extra_hosts = run_.opts.add_hosts;
  spec.no_hosts = run_.opts.no_hosts;
  spec.capabilities = run_.opts.capabilities;
  spec.rlimits = run_.opts.rlimits;
  spec.seccomp_profile = run_.opts.seccomp_profile;
  spec.no_new_privileges = run_.opts.no_new_privileges;
  ASSIGN_OR_RETURN(RunOutcome out, RunInContainer(spec, run_.opts.quiet ? -1 : fileno(run_.opts.out), fileno(run_.opts.err)));
  if (!out.error.empty() && out.exit_code != 126 && out.exit_code != 127)
    return StepError(ins, Internal(out.error), out.exit_code);
  if (out.exit_code != 0)
    return StepError(ins, Internal("while running runtime: exit status " + std::to_string(out.exit_code)),
                     out.exit_code);
  if (!layered()) return UnlayeredStep(created_by, /*changes_files=*/true, last);
  return FilesystemChange(key, created_by, dir, last);
}

Status StageBuilder::CopyStep(const Instruction& ins, bool last) {
  const bool is_add = ins.keyword == "ADD";
  std::vector<std::string> words;
  for (const auto& a : ins.args) {
    ASSIGN_OR_RETURN(std::string w, Expand(a));
    words.push_back(w);
  }
  if (words.size() < 2) return InvalidArgument(ins.keyword + " requires at least two arguments");
  std::string dest_word = words.back();
  words.pop_back();

  CopyRequest req;
  req.options.extract_archives = is_add;
  if (const Flag* f = FindFlag(ins, "chmod")) {
    ASSIGN_OR_RETURN(std::string v, Expand(f->value));
    ASSIGN_OR_RETURN(mode_t m, ParseChmod(v));
    req.options.chmod = m;
  }
  if (const Flag* f = FindFlag(ins, "parents")) req.options.parents = f->value != "false";
  for (const auto& f : ins.flags)
    if (f.name == "exclude") req.options.excludes.push_back(f.value);
  std::string key_extra;
  std::unique_ptr<StepDir> own;
  ASSIGN_OR_RETURN(const StepDir* step_dir, DirForStep(own));
  const StepDir& dir = *step_dir;
  ASSIGN_OR_RETURN(runtime::ContainerSpec spec, ContainerFor(dir.path()));
  if (const Flag* f = FindFlag(ins, "chown")) {
    RETURN_IF_ERROR(SettlePulls());  // the user is looked up in the files of the steps before
    ASSIGN_OR_RETURN(std::string v, Expand(f->value));
    // buildah looks the user part up by name: an empty one (--chown=${UNSET}:${UNSET}) is unknown
    if (v.empty() || v[0] == ':')
      return NotFound("looking up UID/GID for \"" + v + "\": can't find uid for user " + v);
    ASSIGN_OR_RETURN(runtime::User u, runtime::ResolveUser(spec.lowers, v));
    req.options.uid = u.uid;
    req.options.gid = u.gid;
    key_extra += "chown " + std::to_string(u.uid) + ":" + std::to_string(u.gid) + "\n";
  }

  // Where the sources come from: another stage or image, heredocs, URLs, or the context.
  Digest content;
  const Flag* from = FindFlag(ins, "from");
  std::string temp_root = dir.path() + "/sources";
  bool heredoc_or_url = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return (!ins.heredocs.empty() && w.rfind("<<", 0) == 0) || (is_add && IsUrl(w));
  });
  if (from) {
    ASSIGN_OR_RETURN(std::string name, Expand(from->value));
    ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, LayersOf(name));
    ASSIGN_OR_RETURN(req.source_lowers, LowerDirs(run_.store, layers, dir.path()));
    // Resolved inside the mounted image; keyed on that image's content (its top chain ID).
    for (const auto& w : words) req.sources.push_back(Source{w, false});
    req.resolve_in_child = true;
    std::string top = layers.empty() ? "" : layers.back().chain_id.hex();
    content = Digest::OfBytes("from " + top + "\n" + JoinWords(words));
  } else if (heredoc_or_url) {
    RETURN_IF_ERROR(MakeDirs(temp_root));
    for (const auto& w : words) {
      std::string name;
      if (IsUrl(w)) {
        name = UrlBaseName(w);
        UniqueFd fd(open((temp_root + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd.valid()) return ErrnoError("creating download file", errno);
        if (::fchmod(fd.get(), 0600) != 0) return ErrnoError("chmod download file", errno);  // whatever the umask
        FdWriter out = FdWriter::Borrow(fd.get());
        RETURN_IF_ERROR(HttpGet(w, out));
        if (const Flag* c = FindFlag(ins, "checksum")) {
          ASSIGN_OR_RETURN(std::string data, ReadFile(temp_root + "/" + name));
          if (Digest::OfBytes(data).str() != c->value)
            return Corrupt("digest mismatch for " + w + ": expected " + c->value + ", got " +
                           Digest::OfBytes(data).str());
        }
        req.options.extract_archives = false;
      } else {
        std::string hname = w.substr(w.rfind('<') + 1);
        if (!hname.empty() && hname[0] == '-') hname.erase(0, 1);
        auto h = std::find_if(ins.heredocs.begin(), ins.heredocs.end(), [&](const Heredoc& d) { return d.name == hname; });
        if (h == ins.heredocs.end()) return InvalidArgument("no heredoc named " + hname);
        std::string body = h->content;
        if (h->expand) {
          // Expanded as one double-quoted word, so the body's own quotes stay as written.
          std::string quoted = "\"";
          for (char c : body) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
          ASSIGN_OR_RETURN(body, ExpandWord(quoted + "\"", Vars(), run_.file.escape));
        }
        name = hname;
        RETURN_IF_ERROR(WriteFileAtomic(temp_root + "/" + name, body, 0644));
        // 0644 whatever the umask: the mode is copied into the layer and is part of the key.
        if (::chmod((temp_root + "/" + name).c_str(), 0644) != 0) return ErrnoError("chmod heredoc " + name, errno);
        req.options.extract_archives = false;
      }
      req.sources.push_back(Source{name, false});
    }
    req.source_root = temp_root;
    ASSIGN_OR_RETURN(content, HashSources(temp_root, req.sources, nullptr, {}, nullptr, Owners::kIgnore));
  } else {
    ASSIGN_OR_RETURN(req.sources, ResolveSources(run_.opts.context_dir, words, &run_.ignore));
    req.source_root = run_.opts.context_dir;
    req.ignore = &run_.ignore;
    ASSIGN_OR_RETURN(content, HashSources(run_.opts.context_dir, req.sources, &run_.ignore, req.options.excludes,
                                          &run_.locked_stat_cache, Owners::kIgnore));
  }
  req.dest = JoinContainerPath(state_.WorkingDir(), dest_word, /*keep_slash=*/true);
  if (words.size() > 1 && req.dest.back() != '/') req.dest += '/';

  std::string kind = "multi";
  if (req.sources.size() == 1 && !req.resolve_in_child) kind = req.sources[0].is_dir ? "dir" : "file";
  if (req.resolve_in_child && words.size() == 1) kind = IsDirInLayers(req.source_lowers, words[0]) ? "dir" : "file";
  // The destination as written (buildah's node value: variables unexpanded).
  std::string created_by =
      NopCreatedBy(ins.keyword + " " + kind + ":" + content.hex() + " in " + ins.args.back() + " ");
  std::string flags_key;
  for (const auto& f : ins.flags) flags_key += f.name + "=" + f.value + "\n";
  std::string key = StepKey(ins.keyword + "\n" + created_by + "\n" + req.dest + "\n" + flags_key + key_extra +
                            state_.User() + "\n" + state_.WorkingDir() + "\n" + DirsKey());
  if (layered()) {
    ASSIGN_OR_RETURN(bool hit, UseCache(key, last));
    if (hit) {
      DirsEnsured();
      return Status::Ok();
    }
  }
  RETURN_IF_ERROR(EnsureDirs(spec).status());
  RETURN_IF_ERROR(CopyInContainer(spec, req));
  if (!layered()) return UnlayeredStep(created_by, /*changes_files=*/true, last);
  return FilesystemChange(key, created_by, dir, last);
}

}  // namespace kiln::build
