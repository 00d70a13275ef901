#include "archive/tar.h"

#include "util/fs.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace kiln::archive {
namespace {

constexpr size_t kBlock = 512;
constexpr int64_t kMaxOctal11 = 077777777777LL;  // what a 12-byte octal field holds
constexpr size_t kMaxSpecialPayload = 1 << 20;   // PAX records, GNU long names
constexpr uint64_t kProgressStep = 64ull << 20;  // kernel copies between progress reports

// ---- sinks ----

class FdSinkImpl final : public ArchiveSink {
 public:
  explicit FdSinkImpl(int fd) : fd_(fd) {
    struct stat st;
    regular_ = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular_) base_ = ::lseek(fd, 0, SEEK_CUR);
    buf_.reserve(kStreamChunkSize);
  }
  bool CanPatch() const override { return regular_ && base_ >= 0; }
  Status Patch(uint64_t offset, std::string_view bytes) override {
    RETURN_IF_ERROR(Flush());
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t k = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, base_ + static_cast<off_t>(offset + done));
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return ErrnoError("write", errno);
      done += static_cast<size_t>(k);
    }
    return Status::Ok();
  }
  Status Write(const void* data, size_t n) override {
    written_ += n;
    if (on_progress_ && written_ - reported_ >= kProgressStep / 8) {
      reported_ = written_;
      on_progress_(written_);
    }
    if (buf_.size() + n > kStreamChunkSize) RETURN_IF_ERROR(Flush());
    if (n >= kStreamChunkSize) return WriteAll(fd_, data, n);
    buf_.insert(buf_.end(), static_cast<const char*>(data), static_cast<const char*>(data) + n);
    return Status::Ok();
  }
  Status Flush() override {
    if (buf_.empty()) return Status::Ok();
    Status st = WriteAll(fd_, buf_.data(), buf_.size());
    buf_.clear();
    return st;
  }
  Status CopyFromFd(int in_fd, uint64_t offset, uint64_t size) override {
    RETURN_IF_ERROR(Flush());
    loff_t off = static_cast<loff_t>(offset);
    uint64_t left = size;
    // In the kernel first: copy_file_range between files (a reflink where the filesystem
    // can), sendfile into a pipe or an O_APPEND file; read/write when neither works.
    while (left > 0 && (use_cfr_ || use_sendfile_)) {
      size_t step = static_cast<size_t>(std::min<uint64_t>(left, kProgressStep));
      ssize_t k;
      if (use_cfr_ && regular_) {
        k = ::copy_file_range(in_fd, &off, fd_, nullptr, step, 0);
        if (k < 0 && errno != EINTR) {
          use_cfr_ = false;
          continue;
        }
      } else {
        k = ::sendfile(fd_, in_fd, &off, step);
        if (k < 0 && errno != EINTR) {
          if (errno == EPIPE) return ErrnoError("write", errno);
          use_sendfile_ = false;
          continue;
        }
      }
      if (k < 0) continue;
      if (k == 0) return Corrupt("blob file is shorter than expected: unexpected EOF");
      left -= static_cast<uint64_t>(k);
      Advance(static_cast<uint64_t>(k));
    }
    std::vector<char> buf(std::min<uint64_t>(left, kStreamChunkSize));
    while (left > 0) {
      size_t step = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      ssize_t k = ::pread(in_fd, buf.data(), step, off);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return ErrnoError("read", errno);
      if (k == 0) return Corrupt("blob file is shorter than expected: unexpected EOF");
      RETURN_IF_ERROR(WriteAll(fd_, buf.data(), static_cast<size_t>(k)));
      off += k;
      left -= static_cast<uint64_t>(k);
      Advance(static_cast<uint64_t>(k));
    }
    return Status::Ok();
  }

 private:
  int fd_;
  bool regular_ = false;
  off_t base_ = -1;
  uint64_t reported_ = 0;
  bool use_cfr_ = true;
  bool use_sendfile_ = true;
  std::vector<char> buf_;
};

class WriterSinkImpl final : public ArchiveSink {
 public:
  explicit WriterSinkImpl(Writer& w) : w_(w) {}
  Status Write(const void* data, size_t n) override {
    Advance(n);
    return w_.Write(data, n);
  }
  Status CopyFromFd(int in_fd, uint64_t offset, uint64_t size) override {
    std::vector<char> buf(std::min<uint64_t>(std::max<uint64_t>(size, 1), kStreamChunkSize));
    uint64_t left = size;
    auto off = static_cast<off_t>(offset);
    while (left > 0) {
      size_t step = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      ssize_t k = ::pread(in_fd, buf.data(), step, off);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return ErrnoError("read", errno);
      if (k == 0) return Corrupt("blob file is shorter than expected: unexpected EOF");
      RETURN_IF_ERROR(Write(buf.data(), static_cast<size_t>(k)));
      off += k;
      left -= static_cast<uint64_t>(k);
    }
    return Status::Ok();
  }

 private:
  Writer& w_;
};

// ---- header formatting (Go's archive/tar) ----

void PutString(char* field, size_t width, std::string_view s) {
  std::memset(field, 0, width);
  std::memcpy(field, s.data(), std::min(width, s.size()));
}

// Go's formatOctal: zero-padded to width-1 digits, then NUL.
void PutOctal(char* field, size_t width, int64_t v) {
  char digits[32];
  int n = std::snprintf(digits, sizeof digits, "%llo", static_cast<unsigned long long>(v));
  std::string s(digits, static_cast<size_t>(n));
  if (s.size() < width) s = std::string(width - s.size() - 1, '0') + s;
  PutString(field, width, s);
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Go's splitUSTARPath.
bool SplitUstarPath(std::string_view name, std::string_view& prefix, std::string_view& suffix) {
  size_t length = name.size();
  if (length <= 100 || !IsAscii(name)) return false;
  if (length > 156) {
    length = 156;
  } else if (name[length - 1] == '/') {
    --length;
  }
  size_t i = name.substr(0, length).rfind('/');
  if (i == std::string_view::npos || i == 0) return false;
  size_t nlen = name.size() - i - 1;
  if (nlen > 100 || nlen == 0 || i > 155) return false;
  prefix = name.substr(0, i);
  suffix = name.substr(i + 1);
  return true;
}

void Checksum(char* b) {
  std::memset(b + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(b[i]);
  PutOctal(b + 148, 7, sum);
  b[155] = ' ';
}

std::string UstarBlock(std::string_view name, std::string_view prefix, char type, int64_t mode, int64_t size,
                       int64_t mtime, std::string_view linkname) {
  std::string blk(kBlock, '\0');
  char* b = blk.data();
  PutString(b, 100, name);
  PutOctal(b + 100, 8, mode);
  PutOctal(b + 108, 8, 0);
  PutOctal(b + 116, 8, 0);
  PutOctal(b + 124, 12, size);
  PutOctal(b + 136, 12, mtime);
  b[156] = type;
  PutString(b + 157, 100, linkname);
  std::memcpy(b + 257, "ustar\0" "00", 8);
  PutOctal(b + 329, 8, 0);
  PutOctal(b + 337, 8, 0);
  PutString(b + 345, 155, prefix);
  Checksum(b);
  return blk;
}

std::string PaxRecord(std::string_view key, std::string_view value) {
  // "%d %s=%s\n" where %d counts the whole record, itself included.
  size_t size = key.size() + value.size() + 3;
  size_t digits = std::to_string(size).size();
  size += digits;
  if (std::to_string(size).size() > digits) ++size;
  return std::to_string(size) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

// ---- reading ----

Expected<int64_t> ParseNumeric(const char* f, size_t width) {
  if (static_cast<unsigned char>(f[0]) & 0x80) {  // base-256
    int64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      unsigned char c = static_cast<unsigned char>(f[i]);
      if (i == 0) c &= 0x7f;
      if (v > (INT64_MAX >> 8)) return InvalidArgument("archive/tar: invalid tar header");
      v = (v << 8) | c;
    }
    return v;
  }
  int64_t v = 0;
  size_t i = 0;
  while (i < width && (f[i] == ' ' || f[i] == '\0')) ++i;
  bool any = false;
  for (; i < width && f[i] >= '0' && f[i] <= '7'; ++i) {
    if (v > (INT64_MAX >> 3)) return InvalidArgument("archive/tar: invalid tar header");
    v = v * 8 + (f[i] - '0');
    any = true;
  }
  for (; i < width; ++i)
    if (f[i] != ' ' && f[i] != '\0') return InvalidArgument("archive/tar: invalid tar header");
  (void)any;
  return v;
}

std::string FieldString(const char* f, size_t width) {
  size_t n = 0;
  while (n < width && f[n] != '\0') ++n;
  return std::string(f, n);
}

}  // namespace

std::unique_ptr<ArchiveSink> FdSink(int fd) { return std::make_unique<FdSinkImpl>(fd); }
std::unique_ptr<ArchiveSink> WriterSink(Writer& w) { return std::make_unique<WriterSinkImpl>(w); }

std::string FormatTarHeader(const TarHeader& h) {
  std::string_view name = h.name, prefix;
  std::string pax;
  if (name.size() > 100) {
    std::string_view pre, suf;
    if (SplitUstarPath(name, pre, suf)) {
      prefix = pre;
      name = suf;
    } else {
      pax += PaxRecord("path", h.name);
    }
  }
  if (h.linkname.size() > 100) pax += PaxRecord("linkpath", h.linkname);
  int64_t size = h.size;
  if (size > kMaxOctal11) {
    pax += PaxRecord("size", std::to_string(size));
    size = 0;
  }
  std::string out;
  if (!pax.empty()) {
    // Go: the extended header is named DIR/PaxHeaders.0/BASE, truncated to 100 bytes.
    std::string_view full = h.name;
    size_t slash = full.rfind('/', full.size() > 1 ? full.size() - 2 : 0);
    std::string dir = slash == std::string_view::npos ? "" : std::string(full.substr(0, slash + 1));
    std::string base = std::string(slash == std::string_view::npos ? full : full.substr(slash + 1));
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string pax_name = dir + "PaxHeaders.0/" + base;
    if (pax_name.size() > 100) pax_name.resize(100);
    out = UstarBlock(pax_name, "", 'x', 0, static_cast<int64_t>(pax.size()), 0, "");
    out += pax;
    out.append((kBlock - pax.size() % kBlock) % kBlock, '\0');
    if (name.size() > 100) name = name.substr(0, 100);
  }
  out += UstarBlock(name, prefix, h.type, h.mode, size, h.mtime,
                    h.linkname.size() > 100 ? std::string_view(h.linkname).substr(0, 100) : h.linkname);
  return out;
}

Status TarWriter::WriteHeader(const TarHeader& h) {
  std::string hdr = FormatTarHeader(h);
  return sink_.Write(hdr.data(), hdr.size());
}

Status TarWriter::Pad(uint64_t size) {
  static const char kZeros[kBlock] = {};
  size_t pad = (kBlock - size % kBlock) % kBlock;
  return pad ? sink_.Write(kZeros, pad) : Status::Ok();
}

Status TarWriter::AddBytes(const std::string& name, std::string_view data, int64_t mode) {
  RETURN_IF_ERROR(WriteHeader({name, '0', mode, static_cast<int64_t>(data.size()), 0, ""}));
  RETURN_IF_ERROR(sink_.Write(data.data(), data.size()));
  return Pad(data.size());
}

Status TarWriter::AddFromFd(const std::string& name, int in_fd, uint64_t offset, uint64_t size, int64_t mode) {
  RETURN_IF_ERROR(WriteHeader({name, '0', mode, static_cast<int64_t>(size), 0, ""}));
  RETURN_IF_ERROR(sink_.CopyFromFd(in_fd, offset, size));
  return Pad(size);
}

Status TarWriter::AddSymlink(const std::string& name, const std::string& target) {
  return WriteHeader({name, '2', 0, 0, 0, target});
}

Status TarWriter::AddDir(const std::string& name, int64_t mode) { return WriteHeader({name, '5', mode, 0, 0, ""}); }

Status TarWriter::Close() {
  static const char kZeros[2 * kBlock] = {};
  RETURN_IF_ERROR(sink_.Write(kZeros, sizeof kZeros));
  return sink_.Flush();
}

// ---- reader ----

Expected<std::string> CleanEntryName(std::string_view name) {
  if (name.empty()) return InvalidArgument("archive entry with an empty name");
  if (name[0] == '/')
    return InvalidArgument("archive entry \"" + std::string(name) + "\": absolute path refused");
  auto clean = CleanRelativePath(name);
  if (!clean.ok()) return InvalidArgument("archive entry \"" + std::string(name) + "\": path escapes the archive");
  return clean;
}

Status TarReader::ReadBlock(char* block) {
  ASSIGN_OR_RETURN(size_t n, ReadFull(in_, block, kBlock));
  offset_ += n;
  if (n != kBlock) return Corrupt(n == 0 ? "unexpected EOF" : "archive/tar: unexpected EOF");
  return Status::Ok();
}

Status TarReader::Skip(uint64_t n) {
  char buf[64 * 1024];
  while (n > 0) {
    size_t step = static_cast<size_t>(std::min<uint64_t>(n, sizeof buf));
    ASSIGN_OR_RETURN(size_t k, in_.Read(buf, step));
    if (k == 0) return Corrupt("unexpected EOF");
    offset_ += k;
    n -= k;
  }
  return Status::Ok();
}

Expected<std::string> TarReader::ReadSmall(int64_t size) {
  if (size < 0 || static_cast<uint64_t>(size) > kMaxSpecialPayload)
    return InvalidArgument("archive/tar: extended header too large");
  std::string s(static_cast<size_t>(size), '\0');
  ASSIGN_OR_RETURN(size_t n, ReadFull(in_, s.data(), s.size()));
  offset_ += n;
  if (n != s.size()) return Corrupt("unexpected EOF");
  RETURN_IF_ERROR(Skip((kBlock - s.size() % kBlock) % kBlock));
  return s;
}

Expected<size_t> TarReader::Read(void* buf, size_t n) {
  if (remaining_ == 0) return size_t{0};
  size_t step = static_cast<size_t>(std::min<uint64_t>(n, remaining_));
  ASSIGN_OR_RETURN(size_t k, in_.Read(buf, step));
  if (k == 0) return Corrupt("unexpected EOF");
  remaining_ -= k;
  offset_ += k;
  return k;
}

Expected<std::optional<TarEntry>> TarReader::Next() {
  if (done_) return std::optional<TarEntry>();
  RETURN_IF_ERROR(Skip(remaining_ + padding_));
  remaining_ = padding_ = 0;
  std::string long_name, long_link;
  bool have_long_name = false, have_long_link = false;
  std::optional<int64_t> pax_size;
  char b[kBlock];
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, ReadFull(in_, b, kBlock));
    offset_ += n;
    if (n == 0) {  // end of input at a header boundary: Go's reader takes it as the end
      done_ = true;
      return std::optional<TarEntry>();
    }
    if (n != kBlock) return Corrupt("unexpected EOF");
    if (std::all_of(b, b + kBlock, [](char c) { return c == 0; })) {
      ASSIGN_OR_RETURN(size_t m, ReadFull(in_, b, kBlock));
      offset_ += m;
      if (m == kBlock && !std::all_of(b, b + kBlock, [](char c) { return c == 0; }))
        return InvalidArgument("archive/tar: invalid tar header");
      done_ = true;
      // Whatever follows the end-of-archive blocks (padding to a record) is left unread:
      // it is not part of any entry.
      return std::optional<TarEntry>();
    }
    // Checksum: unsigned sum (signed accepted too, as Go does), chksum field as spaces.
    unsigned usum = 0;
    int ssum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
      char c = (i >= 148 && i < 156) ? ' ' : b[i];
      usum += static_cast<unsigned char>(c);
      ssum += static_cast<signed char>(c);
    }
    auto stored = ParseNumeric(b + 148, 8);
    if (!stored.ok() || (*stored != static_cast<int64_t>(usum) && *stored != static_cast<int64_t>(ssum)))
      return InvalidArgument("archive/tar: invalid tar header");
    ASSIGN_OR_RETURN(int64_t size, ParseNumeric(b + 124, 12));
    if (size < 0) return InvalidArgument("archive/tar: invalid tar header");
    char type = b[156];
    if (type == 'x' || type == 'g') {
      ASSIGN_OR_RETURN(std::string recs, ReadSmall(size));
      if (type == 'g') continue;
      size_t p = 0;
      while (p < recs.size()) {
        size_t sp = recs.find(' ', p);
        if (sp == std::string::npos) return InvalidArgument("archive/tar: invalid tar header");
        long len = std::strtol(recs.c_str() + p, nullptr, 10);
        if (len <= 0 || p + static_cast<size_t>(len) > recs.size()) return InvalidArgument("archive/tar: invalid tar header");
        std::string rec = recs.substr(sp + 1, p + static_cast<size_t>(len) - sp - 2);  // minus "\n"
        p += static_cast<size_t>(len);
        size_t eq = rec.find('=');
        if (eq == std::string::npos) continue;
        std::string key = rec.substr(0, eq), value = rec.substr(eq + 1);
        if (key == "path") {
          long_name = value;
          have_long_name = true;
        } else if (key == "linkpath") {
          long_link = value;
          have_long_link = true;
        } else if (key == "size") {
          char* end = nullptr;
          long long v = std::strtoll(value.c_str(), &end, 10);
          if (value.empty() || *end || v < 0) return InvalidArgument("archive/tar: invalid tar header");
          pax_size = v;
        }
      }
      continue;
    }
    if (type == 'L' || type == 'K') {
      ASSIGN_OR_RETURN(std::string s, ReadSmall(size));
      while (!s.empty() && s.back() == '\0') s.pop_back();
      (type == 'L' ? long_name : long_link) = s;
      (type == 'L' ? have_long_name : have_long_link) = true;
      continue;
    }
    TarEntry e;
    std::string raw_name = FieldString(b, 100);
    bool gnu = std::memcmp(b + 257, "ustar  \0", 8) == 0;
    bool ustar = std::memcmp(b + 257, "ustar\0", 6) == 0;
    if (ustar && !gnu) {
      std::string prefix = FieldString(b + 345, 155);
      if (!prefix.empty()) raw_name = prefix + "/" + raw_name;
    }
    if (have_long_name) raw_name = long_name;
    e.linkname = have_long_link ? long_link : FieldString(b + 157, 100);
    e.type = type == '\0' || type == '7' ? '0' : type;
    e.size = pax_size ? *pax_size : size;
    ASSIGN_OR_RETURN(e.mode, ParseNumeric(b + 100, 8));
    ASSIGN_OR_RETURN(e.name, CleanEntryName(raw_name));
    // Only regular files carry data in the archives kiln reads (links and directories
    // have none whatever their size field says, as in Go).
    uint64_t data = (e.type == '1' || e.type == '2' || e.type == '5') ? 0 : static_cast<uint64_t>(e.size);
    if (data == 0) e.size = 0;
    remaining_ = data;
    padding_ = (kBlock - data % kBlock) % kBlock;
    return std::optional<TarEntry>(std::move(e));
  }
}

}  // namespace kiln::archive
