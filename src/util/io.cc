#include "util/io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace kiln {

Expected<size_t> ReadFull(Reader& r, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < n) {
    ASSIGN_OR_RETURN(size_t k, r.Read(p + got, n - got));
    if (k == 0) break;
    got += k;
  }
  return got;
}

Expected<std::string> ReadAll(Reader& r, size_t max_size) {
  std::string out;
  size_t chunk = 64 * 1024;
  for (;;) {
    size_t old = out.size();
    out.resize(old + chunk);
    ASSIGN_OR_RETURN(size_t k, r.Read(out.data() + old, chunk));
    out.resize(old + k);
    if (k == 0) return out;
    if (out.size() > max_size) {
      return InvalidArgument("stream is larger than the limit of " + std::to_string(max_size) +
                             " bytes");
    }
    chunk = std::min<size_t>(chunk * 2, kStreamChunkSize);
  }
}

Expected<uint64_t> CopyStream(Reader& r, Writer& w) {
  std::vector<char> buf(kStreamChunkSize);
  uint64_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t k, r.Read(buf.data(), buf.size()));
    if (k == 0) return total;
    RETURN_IF_ERROR(w.Write(buf.data(), k));
    total += k;
  }
}

Expected<size_t> FdReader::Read(void* buf, size_t n) {
  for (;;) {
    ssize_t k = ::read(fd_, buf, n);
    if (k >= 0) return static_cast<size_t>(k);
    if (errno != EINTR) return ErrnoError("read", errno);
  }
}

Expected<std::unique_ptr<Reader>> OpenFileReader(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  return std::unique_ptr<Reader>(std::make_unique<FdReader>(std::move(fd)));
}

Status FdWriter::Write(const void* data, size_t n) { return WriteAll(fd_, data, n); }

Status FdWriter::Close() {
  if (!owned_.valid()) return Status::Ok();
  int fd = owned_.release();
  fd_ = -1;
  // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
  if (::close(fd) != 0 && errno != EINTR) return ErrnoError("close", errno);
  return Status::Ok();
}

Expected<size_t> StringReader::Read(void* buf, size_t n) {
  size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

Status StringWriter::Write(const void* data, size_t n) {
  data_.append(static_cast<const char*>(data), n);
  return Status::Ok();
}

Expected<size_t> DigestingReader::Read(void* buf, size_t n) {
  ASSIGN_OR_RETURN(size_t k, inner_.Read(buf, n));
  sha_.Update(buf, k);
  bytes_ += k;
  return k;
}

Status DigestingWriter::Write(const void* data, size_t n) {
  sha_.Update(data, n);
  bytes_ += n;
  return inner_.Write(data, n);
}

}  // namespace kiln
