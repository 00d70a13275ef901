#include "store/content_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace kiln::store {

Ingest::Ingest(const ContentStore* store, std::string temp_path, UniqueFd fd)
    : store_(store), temp_path_(std::move(temp_path)), fd_(std::move(fd)), hash_(std::make_unique<Sha256>()) {}

Ingest::~Ingest() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status Ingest::Write(const void* data, size_t size) {
  hash_->Update(data, size);
  RETURN_IF_ERROR(WriteAll(fd_.get(), data, size));
  size_ += size;
  written_back_ = StartWriteback(fd_.get(), written_back_, size_);  // Commit's fsync has less to wait for
  return Status::Ok();
}

Expected<Digest> Ingest::Commit(const std::optional<Digest>& expected, std::optional<uint64_t> expected_size) {
  Digest got = hash_->Finish();
  if (expected_size && *expected_size != size_)
    return Corrupt("blob " + (expected ? expected->str() : got.str()) + ": expected " +
                   std::to_string(*expected_size) + " bytes, got " + std::to_string(size_));
  if (expected && *expected != got)
    return Corrupt("digest mismatch: expected " + expected->str() + ", got " + got.str());
  std::string final_path = store_->BlobPath(got);
  if (PathExists(final_path)) return got;  // identical content already stored; the destructor drops ours
  if (::fsync(fd_.get()) != 0) return ErrnoError("fsync " + temp_path_, errno);
  fd_.reset();
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) return ErrnoError("storing blob " + got.str(), errno);
  temp_path_.clear();
  RETURN_IF_ERROR(FsyncParentDir(final_path));
  return got;
}

ContentStore::ContentStore(std::string root)
    : blobs_dir_(JoinPath(root, "blobs/sha256")), ingest_dir_(JoinPath(root, "ingest")) {}

Status ContentStore::Init() const {
  RETURN_IF_ERROR(MakeDirs(blobs_dir_));
  return MakeDirs(ingest_dir_);
}

Expected<Ingest> ContentStore::BeginIngest() const {
  std::string path = JoinPath(ingest_dir_, RandomHex(16));
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("creating " + path, errno);
  return Ingest(this, std::move(path), std::move(fd));
}

Expected<Digest> ContentStore::Put(std::string_view bytes) const {
  Digest d = Digest::OfBytes(bytes);
  if (Has(d)) return d;
  ASSIGN_OR_RETURN(Ingest ingest, BeginIngest());
  RETURN_IF_ERROR(ingest.Write(bytes));
  return ingest.Commit(d);
}

std::string ContentStore::BlobPath(const Digest& d) const { return JoinPath(blobs_dir_, d.hex()); }

bool ContentStore::Has(const Digest& d) const { return PathExists(BlobPath(d)); }

Expected<std::string> ContentStore::Read(const Digest& d) const {
  auto data = ReadFile(BlobPath(d));
  if (!data.ok()) return NotFound("blob " + d.str() + " not found in the store");
  return data;
}

Status ContentStore::Verify(const Digest& d) const {
  UniqueFd fd(::open(BlobPath(d).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return NotFound("blob " + d.str() + " not found in the store");
  Sha256 h;
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading blob " + d.str(), errno);
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
  }
  Digest got = h.Finish();
  if (got != d) return Corrupt("blob " + d.str() + " is corrupt: its content hashes to " + got.str());
  return Status::Ok();
}

Expected<uint64_t> ContentStore::Size(const Digest& d) const {
  struct stat st;
  if (::stat(BlobPath(d).c_str(), &st) != 0) return ErrnoError("blob " + d.str(), errno);
  return static_cast<uint64_t>(st.st_size);
}

Expected<std::vector<Digest>> ContentStore::List() const {
  std::vector<Digest> out;
  DIR* dir = ::opendir(blobs_dir_.c_str());
  if (!dir) return ErrnoError("listing " + blobs_dir_, errno);
  while (struct dirent* e = ::readdir(dir)) {
    auto d = Digest::FromHex(e->d_name);
    if (d.ok()) out.push_back(*d);
  }
  ::closedir(dir);
  return out;
}

Status ContentStore::Remove(const Digest& d) const {
  if (::unlink(BlobPath(d).c_str()) != 0 && errno != ENOENT) return ErrnoError("removing blob " + d.str(), errno);
  return Status::Ok();
}

Status ContentStore::ClearIngest() const {
  RETURN_IF_ERROR(RemoveTree(ingest_dir_));
  return MakeDirs(ingest_dir_);
}

}  // namespace kiln::store
