// Content-addressed blobs: ROOT/blobs/sha256/HEX, immutable once there.
// Every blob is written to ROOT/ingest/ first, fsync'd, checked against its expected
// digest and size, and only then renamed into place — a crash leaves at most a stray
// ingest file, which the next GC pass removes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/digest.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/status.h"

namespace kiln::store {

class ContentStore;

// One blob being written. Abandoned (not committed) ingests delete their file.
class Ingest final : public Writer {
 public:
  Ingest(Ingest&&) noexcept = default;
  Ingest& operator=(Ingest&&) noexcept = default;
  ~Ingest() override;

  Status Write(const void* data, size_t size) override;
  Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  uint64_t size() const { return size_; }
  // Finishes the blob: verifies it against what the caller expects (if given) and
  // moves it into the store. Returns its digest.
  Expected<Digest> Commit(const std::optional<Digest>& expected = std::nullopt,
                          std::optional<uint64_t> expected_size = std::nullopt);

 private:
  friend class ContentStore;
  Ingest(const ContentStore* store, std::string temp_path, UniqueFd fd);

  const ContentStore* store_;
  std::string temp_path_;
  UniqueFd fd_;
  std::unique_ptr<Sha256> hash_;
  uint64_t size_ = 0;
  uint64_t written_back_ = 0;  // bytes already handed to the disk (sync_file_range)
};

class ContentStore {
 public:
  explicit ContentStore(std::string root);

  Status Init() const;  // creates the directories
  Expected<Ingest> BeginIngest() const;
  Expected<Digest> Put(std::string_view bytes) const;

  std::string BlobPath(const Digest& d) const;
  bool Has(const Digest& d) const;
  Expected<std::string> Read(const Digest& d) const;
  // Re-hashes a stored blob; a mismatch means the store was damaged from outside.
  Status Verify(const Digest& d) const;
  Expected<uint64_t> Size(const Digest& d) const;

  // For garbage collection only.
  Expected<std::vector<Digest>> List() const;
  Status Remove(const Digest& d) const;
  // Deletes everything in ingest/ (call only while holding the GC lock).
  Status ClearIngest() const;

  const std::string& blobs_dir() const { return blobs_dir_; }
  const std::string& ingest_dir() const { return ingest_dir_; }

 private:
  std::string blobs_dir_;
  std::string ingest_dir_;
};

}  // namespace kiln::store
