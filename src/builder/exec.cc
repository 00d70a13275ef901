#include "builder/exec.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fs.h"
#include "util/top_dir.h"
#include "util/io.h"

namespace kiln::build {
namespace {

std::string BuildDirOf(const std::string& store_root) { return store_root + "/build"; }

bool PidAlive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

Expected<StepDir> StepDir::Create(const std::string& store_root) {
  std::string base = BuildDirOf(store_root);
  RETURN_IF_ERROR(MakeDirs(base));
  MarkTopDir(base);  // each step's upper dir becomes a snapshot: an unrelated tree
  std::string path = base + "/" + std::to_string(getpid()) + "-" + RandomHex(6);
  if (mkdir(path.c_str(), 0700) != 0) return ErrnoError("creating " + path, errno);
  for (const char* sub : {"upper", "work", "merged"}) {
    std::string p = path + "/" + sub;
    if (mkdir(p.c_str(), 0755) != 0) return ErrnoError("creating " + p, errno);
  }
  return StepDir(std::move(path));
}

StepDir::~StepDir() {
  if (!path_.empty()) (void)RemoveTree(path_);
}

void RemoveStaleStepDirs(const std::string& store_root) {
  std::string base = BuildDirOf(store_root);
  DIR* d = opendir(base.c_str());
  if (!d) return;
  std::vector<std::string> stale;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    pid_t pid = static_cast<pid_t>(std::atoi(name.c_str()));
    if (!PidAlive(pid)) stale.push_back(base + "/" + name);
  }
  closedir(d);
  for (const auto& p : stale) (void)RemoveTree(p);
}

Expected<std::vector<std::string>> LowerDirs(const store::Store& store, const std::vector<store::LayerInfo>& layers,
                                             const std::string& dir) {
  std::vector<std::string> lowers;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) lowers.push_back(store.snapshots().FsPath(it->chain_id));
  if (lowers.empty()) {
    std::string empty = dir + "/empty";
    if (mkdir(empty.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("creating " + empty, errno);
    lowers.push_back(empty);
  }
  return lowers;
}

Expected<RunOutcome> RunInContainer(const runtime::ContainerSpec& spec, int out_fd, int err_fd) {
  RETURN_IF_ERROR(runtime::PrepareBundle(spec));
  UniqueFd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::fflush(nullptr);
  UniqueFd sink;  // out_fd < 0: the output is discarded (build -q)
  if (out_fd < 0) {
    sink = UniqueFd(open("/dev/null", O_WRONLY | O_CLOEXEC));
    out_fd = sink.get();
  }
  auto proc = runtime::Start(spec, runtime::Stdio{devnull.get(), out_fd, err_fd});
  RunOutcome out;
  if (!proc.ok()) {
    out.exit_code = 125;
    out.error = proc.status().message();
    return out;
  }
  ASSIGN_OR_RETURN(runtime::ExitResult res, proc->Wait());
  out.exit_code = res.code;
  if (!res.started) out.error = res.error;
  RETURN_IF_ERROR(runtime::CleanMountPoints(spec));
  return out;
}

namespace {

struct CopyJob {
  const runtime::ContainerSpec* spec;
  const CopyRequest* req;
  int err_fd;
};

// Runs in the child that has the destination overlay mounted at `rootfs`.
int CopyChild(const std::string& rootfs, void* arg) {
  auto* job = static_cast<CopyJob*>(arg);
  const CopyRequest& req = *job->req;
  std::string source_root = req.source_root;
  Status st = Status::Ok();
  if (!req.source_lowers.empty()) {
    // The source image is mounted read-only-in-effect: its upper dir is thrown away.
    std::string d = job->spec->dir;
    for (const char* sub : {"/src-upper", "/src-work", "/src-merged"}) mkdir((d + sub).c_str(), 0755);
    st = runtime::MountLayers(job->spec->layer_mount, req.source_lowers, d + "/src-upper", d + "/src-work",
                              d + "/src-merged", runtime::LayerLifetime::kCaller);
    source_root = d + "/src-merged";
  }
  std::vector<Source> sources = req.sources;
  if (st.ok() && req.resolve_in_child) {
    std::vector<std::string> patterns;
    for (const auto& s : req.sources) patterns.push_back(s.rel);
    auto resolved = ResolveSources(source_root, patterns, nullptr);
    if (resolved.ok()) sources = std::move(*resolved);
    st = resolved.status();
  }
  if (st.ok()) st = CopySources(source_root, sources, req.ignore, rootfs, req.dest, req.options);
  if (st.ok()) return 0;
  std::string msg = st.message();
  (void)WriteAll(job->err_fd, msg.data(), msg.size());
  return 1;
}

}  // namespace

namespace {

struct PrepareJob {
  const std::vector<DirToEnsure>* dirs;
  std::vector<std::pair<uid_t, gid_t>> owners;  // parallel to dirs
  const std::vector<std::string>* resolve;
  int out_fd;
};

// In the child with the rootfs mounted: "+" and a resolved path per line, or "!" and an error.
int PrepareChild(const std::string& rootfs, void* arg) {
  auto* job = static_cast<PrepareJob*>(arg);
  auto fail = [&](const Status& st) {
    std::string msg = "!" + st.message();
    (void)WriteAll(job->out_fd, msg.data(), msg.size());
    return 1;
  };
  for (size_t i = 0; i < job->dirs->size(); ++i) {
    auto made = MakeDirIn(rootfs, (*job->dirs)[i].path, job->owners[i].first, job->owners[i].second);
    if (!made.ok()) return fail(made.status());
  }
  std::string out;
  for (const std::string& path : *job->resolve) {
    auto made = MakeDirIn(rootfs, path, 0, 0);
    if (!made.ok()) return fail(made.status());
    out += "+" + *made + "\n";
  }
  (void)WriteAll(job->out_fd, out.data(), out.size());
  return 0;
}

}  // namespace

Expected<std::vector<std::string>> PrepareRootfs(const runtime::ContainerSpec& spec,
                                                 const std::vector<DirToEnsure>& dirs,
                                                 const std::vector<std::string>& resolve) {
  PrepareJob job{&dirs, {}, &resolve, -1};
  for (const auto& d : dirs) {
    auto u = d.user.empty() ? Expected<runtime::User>(runtime::User{}) : runtime::ResolveUser(spec.lowers, d.user);
    // buildah creates it as root when the user is unknown
    job.owners.emplace_back(u.ok() ? u->uid : 0, u.ok() ? u->gid : 0);
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  UniqueFd rd(p[0]), wr(p[1]);
  job.out_fd = wr.get();
  Status st = runtime::WithRootfs(spec, PrepareChild, &job);
  wr = UniqueFd();
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(rd.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  if (!text.empty() && text[0] == '!') return InvalidArgument(text.substr(1));
  RETURN_IF_ERROR(st);
  std::vector<std::string> resolved;
  for (size_t i = 0; i < text.size();) {
    size_t nl = text.find('\n', i);
    if (nl == std::string::npos) break;
    resolved.push_back(text.substr(i + 1, nl - i - 1));
    i = nl + 1;
  }
  if (resolved.size() != resolve.size()) return Internal("preparing the container's root filesystem: short answer");
  return resolved;
}

Status CopyInContainer(const runtime::ContainerSpec& spec, const CopyRequest& req) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  UniqueFd rd(p[0]), wr(p[1]);
  CopyJob job{&spec, &req, wr.get()};
  Status st = runtime::WithRootfs(spec, CopyChild, &job);
  wr = UniqueFd();
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = read(rd.get(), buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  if (!msg.empty()) return InvalidArgument(msg);
  return st;
}

}  // namespace kiln::build
