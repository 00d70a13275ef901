// The tar container of image archives (docker-archive, oci-archive): a writer that
// produces the bytes Go's archive/tar writes for containers/image, and a streaming reader
// that never touches the disk.
//
// Writer: USTAR headers exactly as Go formats them (octal fields zero-padded with a NUL
// terminator, checksum "%06o\0 ", magic "ustar\0" "00", empty uname/gname, devmajor/minor
// "0000000\0"), a PAX record only when a name does not fit, two zero blocks at the end and
// no further padding. File contents can come from a file descriptor; when the output is a
// file or a pipe they move in the kernel (copy_file_range, splice, sendfile), never
// through user space.
//
// Reader: ustar, pax (path, linkpath, size) and GNU long names (L/K). Names are cleaned
// lexically ("./a//b" is "a/b"); an absolute name, or one that climbs out with "..", is an
// error that names the entry. Truncation is "unexpected EOF"; a bad header checksum is
// "archive/tar: invalid tar header" (Go's text, which podman prints).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/io.h"
#include "util/status.h"

namespace kiln::archive {

// Where an archive goes: a Writer, or a file descriptor that file contents can be
// copied to by the kernel.
class ArchiveSink {
 public:
  virtual ~ArchiveSink() = default;
  virtual Status Write(const void* data, size_t n) = 0;
  // Appends `size` bytes of in_fd starting at `offset`.
  virtual Status CopyFromFd(int in_fd, uint64_t offset, uint64_t size) = 0;
  virtual Status Flush() { return Status::Ok(); }
  // Whether bytes already written can be rewritten (a regular file): lets a writer put
  // a header it can only know afterwards (a compressed blob's name and size) in place.
  virtual bool CanPatch() const { return false; }
  // Overwrites bytes at `offset` (counted like written()).
  virtual Status Patch(uint64_t /*offset*/, std::string_view /*bytes*/) { return Unsupported("patch"); }
  uint64_t written() const { return written_; }
  // Called with written() as data goes out (at least every 64 MiB of a large copy).
  void OnProgress(std::function<void(uint64_t)> f) { on_progress_ = std::move(f); }

 protected:
  void Advance(uint64_t n) {
    written_ += n;
    if (on_progress_) on_progress_(written_);
  }
  uint64_t written_ = 0;
  std::function<void(uint64_t)> on_progress_;
};

// A buffered sink on a file descriptor (regular file or pipe); uses copy_file_range,
// splice or sendfile for CopyFromFd and falls back to read/write when the kernel cannot.
std::unique_ptr<ArchiveSink> FdSink(int fd);
// A sink on a Writer (a compressor, a string in tests); CopyFromFd reads and writes.
std::unique_ptr<ArchiveSink> WriterSink(Writer& w);

struct TarHeader {
  std::string name;
  char type = '0';  // '0' file, '2' symlink, '5' directory
  int64_t mode = 0444;
  int64_t size = 0;
  int64_t mtime = 0;  // seconds
  std::string linkname;
};

class TarWriter {
 public:
  explicit TarWriter(ArchiveSink& sink) : sink_(sink) {}
  Status WriteHeader(const TarHeader& h);
  // A whole regular file from memory.
  Status AddBytes(const std::string& name, std::string_view data, int64_t mode = 0444);
  // A whole regular file of `size` bytes from in_fd at `offset`.
  Status AddFromFd(const std::string& name, int in_fd, uint64_t offset, uint64_t size, int64_t mode = 0444);
  Status AddSymlink(const std::string& name, const std::string& target);
  Status AddDir(const std::string& name, int64_t mode = 0755);
  // Pads the current file to a block and ends the archive (two zero blocks).
  Status Close();

 private:
  Status Pad(uint64_t size);
  ArchiveSink& sink_;
};

// One header block (or a PAX header plus the block) for h, as Go writes it.
std::string FormatTarHeader(const TarHeader& h);

struct TarEntry {
  std::string name;  // cleaned, relative
  char type = '0';
  int64_t size = 0;
  int64_t mode = 0;
  std::string linkname;  // raw, as in the archive
};

// Lexically cleans an entry name ("./a//b/../c" is "a/c"). Fails (kInvalidArgument) for an
// absolute name or one whose ".." climbs above the root.
Expected<std::string> CleanEntryName(std::string_view name);

class TarReader {
 public:
  explicit TarReader(Reader& in) : in_(in) {}
  // The next entry, or nullopt at the end of the archive. Skips what is left of the
  // previous entry's data.
  Expected<std::optional<TarEntry>> Next();
  // Reads the current entry's data (0 at its end).
  Expected<size_t> Read(void* buf, size_t n);
  // A Reader of the current entry's data.
  Reader& data() { return data_; }
  uint64_t offset() const { return offset_; }  // bytes consumed from the input

 private:
  class DataReader final : public Reader {
   public:
    explicit DataReader(TarReader& t) : t_(t) {}
    Expected<size_t> Read(void* buf, size_t n) override { return t_.Read(buf, n); }

   private:
    TarReader& t_;
  };
  Status ReadBlock(char* block);  // exactly 512 bytes, or unexpected EOF
  Status Skip(uint64_t n);
  Expected<std::string> ReadSmall(int64_t size);  // PAX or GNU long-name payloads

  Reader& in_;
  DataReader data_{*this};
  uint64_t remaining_ = 0;  // data bytes of the current entry not yet read
  uint64_t padding_ = 0;    // padding after them
  uint64_t offset_ = 0;
  bool done_ = false;
};

}  // namespace kiln::archive
