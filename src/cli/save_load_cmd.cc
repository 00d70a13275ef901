// save, image save, load, image load.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "archive/load.h"
#include "archive/save.h"
#include "cli/commands.h"
#include "util/http.h"

namespace kiln::cli {
namespace {

// podman's copy log on stderr: one line per step.
class PlainProgress final : public archive::Progress {
 public:
  void Line(const std::string& s) override { std::fprintf(stderr, "%s\n", s.c_str()); }
};

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", b, units[u]);
  return buf;
}

// On a terminal: the copy log, and under it one bar with bytes, rate and ETA.
class BarProgress final : public archive::Progress {
 public:
  BarProgress() : start_(std::chrono::steady_clock::now()) {}
  ~BarProgress() override {
    if (drawn_) std::fputc('\n', stderr);
  }
  void Line(const std::string& s) override {
    if (drawn_) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s\n", s.c_str());
    if (drawn_) Draw();
  }
  void Bytes(uint64_t done, uint64_t total) override {
    done_ = done;
    total_ = total;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && (total == 0 || done < total)) return;
    last_ = now;
    Draw();
  }

 private:
  void Draw() {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
    std::string line = "\r\033[K";
    if (total_ > 0) {
      constexpr int kWidth = 30;
      int fill = static_cast<int>(kWidth * std::min<double>(1.0, static_cast<double>(done_) / static_cast<double>(total_)));
      line += "[" + std::string(fill, '=') + (fill < kWidth ? ">" : "") + std::string(kWidth - fill - (fill < kWidth), '-') + "] ";
      line += HumanBytes(static_cast<double>(done_)) + " / " + HumanBytes(static_cast<double>(total_));
    } else {
      line += HumanBytes(static_cast<double>(done_));
    }
    line += " | " + HumanBytes(rate) + "/s";
    if (total_ > 0 && rate > 0 && done_ < total_) {
      char eta[32];
      std::snprintf(eta, sizeof eta, " | ETA %.0fs", static_cast<double>(total_ - done_) / rate);
      line += eta;
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  std::chrono::steady_clock::time_point start_, last_;
  uint64_t done_ = 0, total_ = 0;
  bool drawn_ = false;
};

std::unique_ptr<archive::Progress> MakeProgress(bool quiet) {
  if (quiet) return std::make_unique<archive::Progress>();
  if (::isatty(STDERR_FILENO)) return std::make_unique<BarProgress>();
  return std::make_unique<PlainProgress>();
}

struct SaveCmdOptions {
  std::vector<std::string> images;
  std::string output, format = "docker-archive";
  bool multi = false, compress = false, uncompressed = false, quiet = false, progress = false;
};

int RunSave(Context& ctx, const SaveCmdOptions& opts) {
  if (opts.images.empty()) return Fail(InvalidArgument("need at least 1 argument"));
  auto format = archive::ParseSaveFormat(opts.format);
  if (!format.ok()) return Fail(format.status());
  if (opts.quiet && opts.progress) return Fail(InvalidArgument("--quiet and --progress cannot be used together"));
  if (opts.compress && *format != archive::SaveFormat::kDockerDir)
    return Fail(InvalidArgument("--compress can only be set when --format is 'docker-dir'"));
  archive::SaveOptions so;
  so.format = *format;
  so.images = opts.images;
  so.multi = opts.multi;
  so.compress = opts.compress;
  so.uncompressed = opts.uncompressed;
  so.output = opts.output;
  bool quiet = opts.quiet;
  if (so.output.empty()) {
    if (::isatty(STDOUT_FILENO)) return Fail(InvalidArgument("refusing to save to terminal. Use -o flag or redirect"));
    so.out_fd = STDOUT_FILENO;
    quiet = !opts.progress;  // podman: nothing but the archive when it goes to stdout
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto progress = MakeProgress(quiet);
  Status st = archive::SaveImages(**store, so, *progress);
  progress.reset();
  // An I/O error (a full disk) names what was being written; others keep podman's texts.
  if (st.code() == Code::kIo) st = st.Wrap("saving to " + (so.output.empty() ? std::string("stdout") : so.output));
  if (!st.ok()) return Fail(st);
  return 0;
}

struct LoadCmdOptions {
  std::string input;
  bool quiet = false;
};

int RunLoad(Context& ctx, const LoadCmdOptions& opts) {
  std::unique_ptr<Reader> input;
  uint64_t size = 0;
  bool is_dir = false;
  if (opts.input.empty()) {
    if (::isatty(STDIN_FILENO))
      return Fail(InvalidArgument("cannot read from terminal, use command-line redirection or the --input flag"));
    struct stat st;
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
    input = std::make_unique<FdReader>(FdReader::Borrow(STDIN_FILENO));
  } else if (IsHttpUrl(opts.input)) {  // podman downloads it first, as here
    auto downloaded = DownloadToTempFile(opts.input);
    if (!downloaded.ok()) return Fail(downloaded.status());
    input = std::move(*downloaded);
  } else {
    struct stat st;
    if (::stat(opts.input.c_str(), &st) != 0) return Fail(ErrnoError("stat " + opts.input, errno));
    is_dir = S_ISDIR(st.st_mode);
    if (!is_dir) {
      UniqueFd fd(::open(opts.input.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return Fail(ErrnoError("open " + opts.input, errno));
      ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
      size = static_cast<uint64_t>(st.st_size);
      input = std::make_unique<FdReader>(std::move(fd));
    }
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto progress = MakeProgress(opts.quiet);
  auto result = is_dir ? archive::LoadDirectory(**store, opts.input, *progress)
                       : archive::LoadArchive(**store, std::move(input), size, *progress);
  progress.reset();
  if (!result.ok()) return Fail(result.status());
  for (const auto& name : result->loaded) std::printf("Loaded image: %s\n", name.c_str());
  return 0;
}

void AddSave(CLI::App& parent, Registry& r) {
  auto opts = std::make_shared<SaveCmdOptions>();
  CLI::App* cmd = AddCommand(parent, "save", "Save image(s) to an archive");
  cmd->add_option("images", opts->images, "IMAGE [IMAGE...]");
  cmd->add_flag("--compress", opts->compress,
                "Compress tarball image layers when saving to a directory using the 'dir' transport. (default is same "
                "compression type as source)");
  cmd->add_option("--format", opts->format,
                  "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir "
                  "(directory with v2s2 manifest type)");
  cmd->add_flag("-m,--multi-image-archive", opts->multi,
                "Interpret additional arguments as images not tags and create a multi-image-archive (only for "
                "docker-archive)");
  cmd->add_option("-o,--output", opts->output, "Write to a specified file (default: stdout, which must be redirected)");
  cmd->add_flag("--progress", opts->progress,
                "Show progress on stderr, also when the archive goes to stdout (not in podman 4.3.1; the tutorial uses it)");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress the output");
  cmd->add_flag("--uncompressed", opts->uncompressed, "Accept uncompressed layers when copying OCI images");
  cmd->callback([&r, opts] { r.exit_code = RunSave(r.ctx, *opts); });
}

void AddLoad(CLI::App& parent, Registry& r) {
  auto opts = std::make_shared<LoadCmdOptions>();
  CLI::App* cmd = AddCommand(parent, "load", "Load image(s) from a tar archive");
  cmd->add_option("-i,--input", opts->input, "Read from specified archive file (default: stdin)");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress the output");
  cmd->callback([&r, opts] { r.exit_code = RunLoad(r.ctx, *opts); });
}

}  // namespace

void RegisterSaveLoadCommands(Registry& r) {
  AddSave(r.root, r);
  AddSave(r.image, r);
  AddLoad(r.root, r);
  AddLoad(r.image, r);
}

}  // namespace kiln::cli
