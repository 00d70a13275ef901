// Byte streams: the plumbing under import, load, pull, push, save and build.
//
// A Reader hands out bytes in chunks, a Writer takes them in chunks; stages stack
// (file -> digest -> decompress -> digest -> tar extractor). Every call moves a whole
// chunk, so the cost of the virtual call is paid per chunk, never per byte.
//
//   FdReader file(std::move(fd));
//   DigestingReader blob(file);                  // digest of the compressed blob
//   ASSIGN_OR_RETURN(auto tar, OpenDecompressor(std::make_unique<ReaderRef>(blob)));
//   DigestingReader diff(*tar);                  // diffID of the uncompressed tar
//   RETURN_IF_ERROR(store::ApplyLayer(diff, dir, opts, &stats));
//   Digest diff_id = diff.Finish();
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "util/digest.h"
#include "util/fs.h"
#include "util/status.h"

namespace kiln {

// Chunk size for copies and for stages that buffer their input: large enough that
// syscalls and virtual calls vanish next to the work done per byte.
inline constexpr size_t kStreamChunkSize = 1 << 20;

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to n bytes (n > 0) into buf and returns how many it read: fewer than n
  // is normal, 0 means end of stream. After an error the reader is unusable.
  virtual Expected<size_t> Read(void* buf, size_t n) = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  virtual Status Write(const void* data, size_t n) = 0;
  // Finishes this stage (a compressor writes its trailer) and closes the stage below
  // it, so closing the top of a stack finishes the whole stack. A writer destroyed
  // without Close() leaves its output incomplete: that is how a failed copy is abandoned.
  virtual Status Close() { return Status::Ok(); }
};

// Reads until n bytes or end of stream; returns the count (less than n only at the end).
Expected<size_t> ReadFull(Reader& r, void* buf, size_t n);
// Reads the whole stream; a stream longer than max_size is an error (kInvalidArgument),
// so that a hostile input cannot make us allocate without bound.
Expected<std::string> ReadAll(Reader& r, size_t max_size = std::numeric_limits<size_t>::max());
// Copies everything from r to w with a kStreamChunkSize buffer; returns the byte count.
// Does not Close() w.
Expected<uint64_t> CopyStream(Reader& r, Writer& w);

// Reads a file descriptor, owned (closed on destruction) or borrowed.
class FdReader final : public Reader {
 public:
  explicit FdReader(UniqueFd fd) : owned_(std::move(fd)), fd_(owned_.get()) {}
  static FdReader Borrow(int fd) { return FdReader(fd); }
  Expected<size_t> Read(void* buf, size_t n) override;

 private:
  explicit FdReader(int fd) : fd_(fd) {}
  UniqueFd owned_;
  int fd_;
};

// Opens path for reading.
Expected<std::unique_ptr<Reader>> OpenFileReader(const std::string& path);

// Writes to a file descriptor, owned or borrowed. Close() closes an owned descriptor and
// reports close(2) errors (which is where NFS reports lost writes); it does not fsync.
class FdWriter final : public Writer {
 public:
  explicit FdWriter(UniqueFd fd) : owned_(std::move(fd)), fd_(owned_.get()) {}
  static FdWriter Borrow(int fd) { return FdWriter(fd); }
  Status Write(const void* data, size_t n) override;
  Status Close() override;

 private:
  explicit FdWriter(int fd) : fd_(fd) {}
  UniqueFd owned_;
  int fd_;
};

// Reads from a string it owns.
class StringReader final : public Reader {
 public:
  explicit StringReader(std::string data) : data_(std::move(data)) {}
  Expected<size_t> Read(void* buf, size_t n) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Appends to a string it owns.
class StringWriter final : public Writer {
 public:
  Status Write(const void* data, size_t n) override;
  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  std::string data_;
};

// Swallows everything (for counting or digesting only).
class DiscardWriter final : public Writer {
 public:
  Status Write(const void*, size_t) override { return Status::Ok(); }
};

// Forwards to a reader owned elsewhere, so that a stack object can be handed to an API
// that takes std::unique_ptr<Reader> while the caller still reads its state afterwards.
class ReaderRef final : public Reader {
 public:
  explicit ReaderRef(Reader& inner) : inner_(inner) {}
  Expected<size_t> Read(void* buf, size_t n) override { return inner_.Read(buf, n); }

 private:
  Reader& inner_;
};

// The Writer counterpart of ReaderRef; Close() is forwarded too.
class WriterRef final : public Writer {
 public:
  explicit WriterRef(Writer& inner) : inner_(inner) {}
  Status Write(const void* data, size_t n) override { return inner_.Write(data, n); }
  Status Close() override { return inner_.Close(); }

 private:
  Writer& inner_;
};

// Passes bytes through from inner while hashing them with SHA-256 and counting them.
class DigestingReader final : public Reader {
 public:
  explicit DigestingReader(Reader& inner) : inner_(inner) {}
  Expected<size_t> Read(void* buf, size_t n) override;
  uint64_t bytes() const { return bytes_; }
  // The digest of everything read so far; call once, after the stream is consumed.
  Digest Finish() { return sha_.Finish(); }

 private:
  Reader& inner_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

// Passes bytes through to inner while hashing them with SHA-256 and counting them.
class DigestingWriter final : public Writer {
 public:
  explicit DigestingWriter(Writer& inner) : inner_(inner) {}
  Status Write(const void* data, size_t n) override;
  Status Close() override { return inner_.Close(); }
  uint64_t bytes() const { return bytes_; }
  // The digest of everything written so far; call once.
  Digest Finish() { return sha_.Finish(); }

 private:
  Writer& inner_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace kiln
