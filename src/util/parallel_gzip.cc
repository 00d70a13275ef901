#include "util/parallel_gzip.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/compression.h"

namespace kiln {
namespace {

// Appends to a string owned elsewhere.
class AppendWriter final : public Writer {
 public:
  explicit AppendWriter(std::string& out) : out_(out) {}
  Status Write(const void* data, size_t n) override {
    out_.append(static_cast<const char*>(data), n);
    return Status::Ok();
  }

 private:
  std::string& out_;
};

Status PreadAll(int fd, char* buf, size_t len, uint64_t off) {
  size_t got = 0;
  while (got < len) {
    ssize_t k = ::pread(fd, buf + got, len - got, static_cast<off_t>(off + got));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return ErrnoError("read", errno);
    if (k == 0) return Corrupt("layer blob is shorter than the store says: unexpected EOF");
    got += static_cast<size_t>(k);
  }
  return Status::Ok();
}

Status GzipInto(std::string_view in, Writer& out) {
  ASSIGN_OR_RETURN(std::unique_ptr<Writer> gz,
                   OpenCompressor(Compression::kGzip, std::make_unique<WriterRef>(out), kLayerGzipLevel));
  if (!in.empty()) RETURN_IF_ERROR(gz->Write(in.data(), in.size()));
  return gz->Close();
}

// The pieces of one file: compressed by whichever thread takes them, written in order by
// the thread that calls Run (which compresses too while the next piece to write is not done).
class PieceQueue {
 public:
  PieceQueue(int fd, uint64_t size, unsigned threads)
      : fd_(fd), size_(size), pieces_((size + kGzipPieceSize - 1) / kGzipPieceSize), window_(threads) {}

  Status Run(Writer& out, unsigned threads) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([this] { Work(); });
    Status st = WriteInOrder(out);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (failure_.ok() && !st.ok()) failure_ = st;
      if (failure_.ok() && written_ < pieces_) failure_ = Internal("compression stopped early");
      next_ = pieces_;  // let idle workers go
      cv_.notify_all();
    }
    for (auto& t : pool) t.join();
    return failure_;
  }

 private:
  // `in` is the calling thread's buffer, reused from piece to piece (zeroed only once).
  Status Compress(uint64_t i, std::string& in, std::string& result) const {
    uint64_t off = i * kGzipPieceSize;
    size_t len = static_cast<size_t>(std::min<uint64_t>(kGzipPieceSize, size_ - off));
    in.resize(len);
    RETURN_IF_ERROR(PreadAll(fd_, in.data(), len, off));
    if (LooksIncompressible(in)) {  // random or already-compressed data: store, don't deflate
      result = GzipStoredMember(in);
      return Status::Ok();
    }
    result.clear();
    result.reserve(len + len / 64 + 1024);  // deflate's worst case, so the string never doubles
    AppendWriter sw(result);
    return GzipInto(in, sw);
  }

  // Compresses piece i with the lock released; called and returns with `lock` held.
  void CompressLocked(uint64_t i, std::unique_lock<std::mutex>& lock, std::string& in) {
    lock.unlock();
    std::string result;
    Status st = Compress(i, in, result);
    lock.lock();
    if (!st.ok() && failure_.ok()) failure_ = st;
    if (st.ok()) done_.emplace(i, std::move(result));
    cv_.notify_all();
  }

  bool CanTake() const { return next_ < pieces_ && next_ < written_ + window_; }

  void Work() {
    std::string in;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return !failure_.ok() || next_ >= pieces_ || CanTake(); });
      if (!failure_.ok() || next_ >= pieces_) return;
      CompressLocked(next_++, lock, in);
    }
  }

  Status WriteInOrder(Writer& out) {
    std::string in;
    while (written_ < pieces_) {
      std::string piece;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (!failure_.ok()) return Status::Ok();  // Run reports failure_
        auto it = done_.find(written_);
        if (it == done_.end()) {
          if (CanTake()) CompressLocked(next_++, lock, in);
          else cv_.wait(lock, [&] { return !failure_.ok() || done_.count(written_); });
          continue;
        }
        piece = std::move(it->second);
        done_.erase(it);
      }
      RETURN_IF_ERROR(out.Write(piece.data(), piece.size()));
      std::lock_guard<std::mutex> lock(mu_);
      ++written_;
      cv_.notify_all();
    }
    return Status::Ok();
  }

  const int fd_;
  const uint64_t size_;
  const uint64_t pieces_;
  const uint64_t window_;  // pieces compressed ahead of the writer
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::string> done_;
  uint64_t next_ = 0, written_ = 0;
  Status failure_;
};

}  // namespace

Status ParallelGzip(int in_fd, uint64_t size, Writer& out) {
  if (size == 0) {  // an empty layer is still one (empty) gzip member
    std::string member;
    AppendWriter sw(member);
    RETURN_IF_ERROR(GzipInto({}, sw));
    return out.Write(member.data(), member.size());
  }
  unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  if (size <= kGzipPieceSize) threads = 1;
  PieceQueue queue(in_fd, size, threads);
  return queue.Run(out, threads);
}

Status ParallelGzipFile(const std::string& path, Writer& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat " + path, errno);
  return ParallelGzip(fd.get(), static_cast<uint64_t>(st.st_size), out);
}

}  // namespace kiln
