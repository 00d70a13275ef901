#include "util/compression.h"

#include <bzlib.h>
#include <dlfcn.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace kiln {
namespace {

// The C libraries count in 32-bit lengths; feed them at most this much per call.
constexpr size_t kMaxStep = 1u << 30;

uint32_t Clamp32(size_t n) { return static_cast<uint32_t>(std::min(n, kMaxStep)); }

// ISA-L is opened on first use, not linked: a shared library in the program's NEEDED list
// is mapped and relocated at every start (~10 page faults, a tenth of `kiln --version`),
// and most commands never compress. Debian ships no static libisal.
struct IsalApi {
  decltype(&::isal_inflate_init) inflate_init;
  decltype(&::isal_inflate_reset) inflate_reset;
  decltype(&::isal_inflate) inflate;
  decltype(&::isal_deflate_init) deflate_init;
  decltype(&::isal_deflate) deflate;
  decltype(&::isal_deflate_stateless_init) deflate_stateless_init;
  decltype(&::isal_deflate_stateless) deflate_stateless;
  decltype(&::crc32_gzip_refl) crc32_gzip_refl;
};

Expected<IsalApi> LoadIsal() {
  void* lib = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return Unsupported("gzip needs ISA-L (apt-get install libisal2)");
  IsalApi api{};
  bool complete = true;
  auto sym = [&](auto& field, const char* name) {
    field = reinterpret_cast<std::remove_reference_t<decltype(field)>>(dlsym(lib, name));
    complete = complete && field != nullptr;
  };
  sym(api.inflate_init, "isal_inflate_init");
  sym(api.inflate_reset, "isal_inflate_reset");
  sym(api.inflate, "isal_inflate");
  sym(api.deflate_init, "isal_deflate_init");
  sym(api.deflate, "isal_deflate");
  sym(api.deflate_stateless_init, "isal_deflate_stateless_init");
  sym(api.deflate_stateless, "isal_deflate_stateless");
  sym(api.crc32_gzip_refl, "crc32_gzip_refl");
  if (!complete) return Unsupported("libisal.so.2 lacks functions kiln uses");
  return api;
}

// Loaded once per process (thread-safe), never changed after.
const Expected<IsalApi>& Isal() {
  static const Expected<IsalApi> api = LoadIsal();
  return api;
}

// ---------------------------------------------------------------------------------------
// Input side.

// Replays the bytes consumed while detecting the format, then continues with the source.
class PrefixedReader final : public Reader {
 public:
  PrefixedReader(std::string prefix, std::unique_ptr<Reader> src)
      : prefix_(std::move(prefix)), src_(std::move(src)) {}

  Expected<size_t> Read(void* buf, size_t n) override {
    if (pos_ == prefix_.size()) return src_->Read(buf, n);
    size_t k = std::min(n, prefix_.size() - pos_);
    std::memcpy(buf, prefix_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<Reader> src_;
};

// The compressed input of a decompressor: a buffer refilled from the source only once
// the codec has consumed all of it.
class InputBuffer {
 public:
  explicit InputBuffer(std::unique_ptr<Reader> src) : src_(std::move(src)), buf_(kStreamChunkSize) {}

  Status FillIfEmpty() {
    if (pos_ < len_ || eof_) return Status::Ok();
    ASSIGN_OR_RETURN(len_, src_->Read(buf_.data(), buf_.size()));
    pos_ = 0;
    eof_ = len_ == 0;
    return Status::Ok();
  }
  uint8_t* data() { return buf_.data() + pos_; }
  size_t size() const { return len_ - pos_; }
  void Consume(size_t k) { pos_ += k; }
  // Nothing buffered and the source has ended.
  bool exhausted() const { return pos_ == len_ && eof_; }

 private:
  std::unique_ptr<Reader> src_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
};

Status UnexpectedEof(std::string_view format) {
  return Corrupt(std::string(format) + ": unexpected EOF");
}

// RFC 1952 member header. ISA-L 2.30 can parse headers itself but wrongly rejects
// every header that carries the optional header CRC (FHCRC), so kiln reads the header
// and leaves only the deflate data and the trailer to ISA-L.
constexpr uint8_t kGzipFlagHcrc = 0x02, kGzipFlagExtra = 0x04, kGzipFlagName = 0x08,
                  kGzipFlagComment = 0x10, kGzipFlagsReserved = 0xe0;
// A longer header (the name and comment fields are unbounded) is treated as garbage.
constexpr size_t kMaxGzipHeader = 64 * 1024;

Status GzipInvalidHeader() { return Corrupt("gzip: invalid header"); }

// Returns the length of the header at the start of b, or 0 when b is a valid but
// incomplete prefix of one.
Expected<size_t> ParseGzipHeader(std::string_view b) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  const uint8_t fixed[] = {0x1f, 0x8b, 8};  // magic, then CM = deflate
  for (size_t i = 0; i < 3 && i < b.size(); ++i) {
    if (byte(i) != fixed[i]) return GzipInvalidHeader();
  }
  if (b.size() < 10) return size_t{0};
  uint8_t flags = byte(3);
  if (flags & kGzipFlagsReserved) return GzipInvalidHeader();
  size_t pos = 10;
  if (flags & kGzipFlagExtra) {
    if (b.size() < pos + 2) return size_t{0};
    pos += 2 + (byte(pos) | size_t{byte(pos + 1)} << 8);
  }
  for (uint8_t zero_terminated : {kGzipFlagName, kGzipFlagComment}) {
    if (!(flags & zero_terminated)) continue;
    size_t nul = pos < b.size() ? b.find('\0', pos) : std::string_view::npos;
    if (nul == std::string_view::npos) return size_t{0};
    pos = nul + 1;
  }
  if (flags & kGzipFlagHcrc) {
    if (b.size() < pos + 2) return size_t{0};
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(pos)) & 0xffff;
    if (crc != (byte(pos) | uint32_t{byte(pos + 1)} << 8)) return GzipInvalidHeader();
    pos += 2;
  }
  return b.size() < pos ? size_t{0} : pos;
}

// gzip with ISA-L: after the header, ISA-L inflates and verifies the CRC-32/ISIZE
// trailer (ISAL_GZIP_NO_HDR_VER), then stops at ISAL_BLOCK_FINISH with next_in just past
// the trailer, where the next member, if any, starts.
class GzipReader final : public Reader {
 public:
  GzipReader(const IsalApi& isal, std::unique_ptr<Reader> src) : isal_(isal), in_(std::move(src)) {
    isal_.inflate_init(&st_);
  }

  Expected<size_t> Read(void* buf, size_t n) override {
    for (;;) {
      RETURN_IF_ERROR(in_.FillIfEmpty());
      if (!in_member_) {
        if (in_.exhausted()) {
          if (members_ == 0) return UnexpectedEof("gzip");
          return size_t{0};
        }
        RETURN_IF_ERROR(StartMember());
        continue;
      }
      ASSIGN_OR_RETURN(size_t produced, Inflate(buf, n));
      if (produced > 0) return produced;
      if (in_member_ && in_.exhausted()) return UnexpectedEof("gzip");
    }
  }

 private:
  // Consumes the member header, which may arrive in pieces.
  Status StartMember() {
    std::string header;
    for (;;) {
      RETURN_IF_ERROR(in_.FillIfEmpty());
      if (in_.exhausted()) return UnexpectedEof("gzip");
      size_t before = header.size();
      size_t take = std::min(in_.size(), kMaxGzipHeader - before);
      if (take == 0) return GzipInvalidHeader();
      header.append(reinterpret_cast<const char*>(in_.data()), take);
      ASSIGN_OR_RETURN(size_t length, ParseGzipHeader(header));
      if (length > 0) {
        in_.Consume(length - before);
        break;
      }
      in_.Consume(take);
    }
    isal_.inflate_reset(&st_);
    st_.crc_flag = ISAL_GZIP_NO_HDR_VER;
    in_member_ = true;
    ++members_;
    return Status::Ok();
  }

  Expected<size_t> Inflate(void* buf, size_t n) {
    st_.next_in = in_.data();
    st_.avail_in = Clamp32(in_.size());
    st_.next_out = static_cast<uint8_t*>(buf);
    st_.avail_out = Clamp32(n);
    uint32_t out_before = st_.avail_out;
    uint32_t in_before = st_.avail_in;
    int ret = isal_.inflate(&st_);
    in_.Consume(in_before - st_.avail_in);
    if (ret != ISAL_DECOMP_OK) return Error(ret);
    if (st_.block_state == ISAL_BLOCK_FINISH) in_member_ = false;
    return static_cast<size_t>(out_before - st_.avail_out);
  }

  static Status Error(int ret) {
    if (ret == ISAL_INCORRECT_CHECKSUM) return Corrupt("gzip: invalid checksum");
    return Corrupt("gzip: corrupt deflate data (isa-l error " + std::to_string(ret) + ")");
  }

  const IsalApi& isal_;
  InputBuffer in_;
  inflate_state st_;
  bool in_member_ = false;
  uint64_t members_ = 0;
};

class ZstdReader final : public Reader {
 public:
  explicit ZstdReader(std::unique_ptr<Reader> src) : in_(std::move(src)), ctx_(ZSTD_createDCtx()) {}
  ~ZstdReader() override { ZSTD_freeDCtx(ctx_); }

  Expected<size_t> Read(void* buf, size_t n) override {
    for (;;) {
      RETURN_IF_ERROR(in_.FillIfEmpty());
      // Called even without input: the context may still hold output to flush.
      ZSTD_inBuffer input{in_.data(), in_.size(), 0};
      ZSTD_outBuffer output{buf, n, 0};
      size_t ret = ZSTD_decompressStream(ctx_, &output, &input);
      if (ZSTD_isError(ret)) return Corrupt(std::string("zstd: ") + ZSTD_getErrorName(ret));
      in_.Consume(input.pos);
      // 0 means a frame has ended and is fully flushed; judge only calls that did work.
      if (input.pos > 0 || output.pos > 0) frame_complete_ = ret == 0;
      if (output.pos > 0) return output.pos;
      if (in_.exhausted()) {
        if (frame_complete_) return size_t{0};
        return UnexpectedEof("zstd");
      }
    }
  }

 private:
  InputBuffer in_;
  ZSTD_DCtx* ctx_;
  bool frame_complete_ = false;
};

class XzReader final : public Reader {
 public:
  explicit XzReader(std::unique_ptr<Reader> src) : in_(std::move(src)) {}
  ~XzReader() override { lzma_end(&strm_); }

  Status Init() {
    lzma_ret ret = lzma_stream_decoder(&strm_, UINT64_MAX, LZMA_CONCATENATED);
    if (ret != LZMA_OK) return Internal("xz: cannot initialise decoder (" + std::to_string(ret) + ")");
    return Status::Ok();
  }

  Expected<size_t> Read(void* buf, size_t n) override {
    while (!done_) {
      RETURN_IF_ERROR(in_.FillIfEmpty());
      strm_.next_in = in_.data();
      strm_.avail_in = in_.size();
      strm_.next_out = static_cast<uint8_t*>(buf);
      strm_.avail_out = n;
      // LZMA_CONCATENATED needs LZMA_FINISH to know the input has ended.
      lzma_ret ret = lzma_code(&strm_, in_.exhausted() ? LZMA_FINISH : LZMA_RUN);
      in_.Consume(in_.size() - strm_.avail_in);
      if (ret == LZMA_STREAM_END) done_ = true;
      else if (ret != LZMA_OK) return Error(ret);
      if (strm_.avail_out < n) return n - strm_.avail_out;
    }
    return size_t{0};
  }

 private:
  static Status Error(lzma_ret ret) {
    switch (ret) {
      case LZMA_BUF_ERROR: return UnexpectedEof("xz");
      case LZMA_FORMAT_ERROR: return Corrupt("xz: invalid header");
      case LZMA_DATA_ERROR: return Corrupt("xz: corrupt data");
      case LZMA_MEM_ERROR: return Internal("xz: out of memory");
      default: return Corrupt("xz: unsupported or corrupt stream (liblzma error " + std::to_string(ret) + ")");
    }
  }

  InputBuffer in_;
  lzma_stream strm_ = LZMA_STREAM_INIT;
  bool done_ = false;
};

// bzip2; like bzip2(1) and Go, a stream may be followed by further complete streams
// (as pbzip2 writes them).
class Bzip2Reader final : public Reader {
 public:
  explicit Bzip2Reader(std::unique_ptr<Reader> src) : in_(std::move(src)) {}
  ~Bzip2Reader() override { EndStream(); }

  Expected<size_t> Read(void* buf, size_t n) override {
    for (;;) {
      RETURN_IF_ERROR(in_.FillIfEmpty());
      if (!in_stream_) {
        if (in_.exhausted()) {
          if (streams_ == 0) return UnexpectedEof("bzip2");
          return size_t{0};
        }
        RETURN_IF_ERROR(StartStream());
      }
      strm_.next_in = reinterpret_cast<char*>(in_.data());
      strm_.avail_in = Clamp32(in_.size());
      strm_.next_out = static_cast<char*>(buf);
      strm_.avail_out = Clamp32(n);
      unsigned in_before = strm_.avail_in, out_before = strm_.avail_out;
      int ret = BZ2_bzDecompress(&strm_);
      in_.Consume(in_before - strm_.avail_in);
      if (ret == BZ_STREAM_END) EndStream();
      else if (ret != BZ_OK) return Error(ret);
      if (strm_.avail_out < out_before) return size_t{out_before - strm_.avail_out};
      if (in_stream_ && in_before == 0 && in_.exhausted()) return UnexpectedEof("bzip2");
    }
  }

 private:
  Status StartStream() {
    strm_ = bz_stream{};
    if (BZ2_bzDecompressInit(&strm_, 0, 0) != BZ_OK) return Internal("bzip2: cannot initialise decoder");
    in_stream_ = true;
    ++streams_;
    return Status::Ok();
  }
  void EndStream() {
    if (in_stream_) BZ2_bzDecompressEnd(&strm_);
    in_stream_ = false;
  }
  static Status Error(int ret) {
    switch (ret) {
      case BZ_DATA_ERROR_MAGIC: return Corrupt("bzip2: invalid header");
      case BZ_DATA_ERROR: return Corrupt("bzip2: corrupt data");
      case BZ_MEM_ERROR: return Internal("bzip2: out of memory");
      default: return Corrupt("bzip2: decompression failed (" + std::to_string(ret) + ")");
    }
  }

  InputBuffer in_;
  bz_stream strm_{};
  bool in_stream_ = false;
  uint64_t streams_ = 0;
};

// ---------------------------------------------------------------------------------------
// Output side. Each compressor turns input into output chunks of up to kStreamChunkSize
// and hands them to dst; Close() drains the codec, then closes dst.

class CompressingWriter : public Writer {
 public:
  explicit CompressingWriter(std::unique_ptr<Writer> dst) : dst_(std::move(dst)), out_(kStreamChunkSize) {}

  Status Write(const void* data, size_t n) override {
    if (closed_) return Internal("write to a closed compressor");
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      size_t step = std::min(n, kMaxStep);
      RETURN_IF_ERROR(Compress(p, step));
      p += step;
      n -= step;
    }
    return Status::Ok();
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    RETURN_IF_ERROR(Finish());
    return dst_->Close();
  }

 protected:
  // Consumes all n bytes, emitting whatever output the codec produces.
  virtual Status Compress(const uint8_t* data, size_t n) = 0;
  // Flushes the codec and writes the trailer.
  virtual Status Finish() = 0;

  uint8_t* out() { return out_.data(); }
  size_t out_size() const { return out_.size(); }
  Status Emit(size_t n) { return n == 0 ? Status::Ok() : dst_->Write(out_.data(), n); }

 private:
  std::unique_ptr<Writer> dst_;
  std::vector<uint8_t> out_;
  bool closed_ = false;
};

class IsalGzipWriter final : public CompressingWriter {
 public:
  IsalGzipWriter(const IsalApi& isal, std::unique_ptr<Writer> dst, int isal_level)
      : CompressingWriter(std::move(dst)), isal_(isal), level_buf_(LevelBufSize(isal_level)) {
    isal_.deflate_init(&zs_);
    zs_.level = static_cast<uint32_t>(isal_level);
    zs_.level_buf = level_buf_.data();
    zs_.level_buf_size = static_cast<uint32_t>(level_buf_.size());
    zs_.gzip_flag = IGZIP_GZIP;
  }

 protected:
  Status Compress(const uint8_t* data, size_t n) override {
    zs_.next_in = const_cast<uint8_t*>(data);  // ISA-L does not write to its input.
    zs_.avail_in = static_cast<uint32_t>(n);
    zs_.end_of_stream = 0;
    do {
      RETURN_IF_ERROR(Step());
    } while (zs_.avail_in > 0 || zs_.avail_out == 0);
    return Status::Ok();
  }

  Status Finish() override {
    zs_.avail_in = 0;
    zs_.end_of_stream = 1;
    while (zs_.internal_state.state != ZSTATE_END) RETURN_IF_ERROR(Step());
    return Status::Ok();
  }

 private:
  static size_t LevelBufSize(int level) {
    switch (level) {
      case 1: return ISAL_DEF_LVL1_DEFAULT;
      case 2: return ISAL_DEF_LVL2_DEFAULT;
      case 3: return ISAL_DEF_LVL3_DEFAULT;
      default: return 0;
    }
  }

  Status Step() {
    zs_.next_out = out();
    zs_.avail_out = static_cast<uint32_t>(out_size());
    int ret = isal_.deflate(&zs_);
    if (ret != COMP_OK) return Internal("gzip: isa-l deflate failed (" + std::to_string(ret) + ")");
    return Emit(out_size() - zs_.avail_out);
  }

  const IsalApi& isal_;
  std::vector<uint8_t> level_buf_;
  isal_zstream zs_;
};

class ZlibGzipWriter final : public CompressingWriter {
 public:
  explicit ZlibGzipWriter(std::unique_ptr<Writer> dst) : CompressingWriter(std::move(dst)) {}
  ~ZlibGzipWriter() override {
    if (initialised_) deflateEnd(&zs_);
  }

  Status Init(int level) {
    // windowBits 15 + 16: a gzip wrapper instead of zlib's.
    if (deflateInit2(&zs_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return InvalidArgument("gzip: invalid compression level " + std::to_string(level));
    }
    initialised_ = true;
    return Status::Ok();
  }

 protected:
  Status Compress(const uint8_t* data, size_t n) override {
    zs_.next_in = const_cast<Bytef*>(data);
    zs_.avail_in = static_cast<uInt>(n);
    do {
      RETURN_IF_ERROR(Step(Z_NO_FLUSH));
    } while (zs_.avail_in > 0 || zs_.avail_out == 0);
    return Status::Ok();
  }

  Status Finish() override {
    int ret;
    do {
      zs_.next_out = out();
      zs_.avail_out = static_cast<uInt>(out_size());
      ret = deflate(&zs_, Z_FINISH);
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) return Internal("gzip: deflate failed");
      RETURN_IF_ERROR(Emit(out_size() - zs_.avail_out));
    } while (ret != Z_STREAM_END);
    return Status::Ok();
  }

 private:
  Status Step(int flush) {
    zs_.next_out = out();
    zs_.avail_out = static_cast<uInt>(out_size());
    int ret = deflate(&zs_, flush);
    if (ret != Z_OK && ret != Z_BUF_ERROR) return Internal("gzip: deflate failed");
    return Emit(out_size() - zs_.avail_out);
  }

  z_stream zs_{};
  bool initialised_ = false;
};

class ZstdWriter final : public CompressingWriter {
 public:
  explicit ZstdWriter(std::unique_ptr<Writer> dst) : CompressingWriter(std::move(dst)), ctx_(ZSTD_createCCtx()) {}
  ~ZstdWriter() override { ZSTD_freeCCtx(ctx_); }

  Status Init(int level) {
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
      return InvalidArgument("zstd: invalid compression level " + std::to_string(level));
    }
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level);
    // A content checksum, as zstd(1) and Go's zstd writer add by default.
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
    return Status::Ok();
  }

 protected:
  Status Compress(const uint8_t* data, size_t n) override {
    ZSTD_inBuffer input{data, n, 0};
    while (input.pos < input.size) RETURN_IF_ERROR(Step(&input, ZSTD_e_continue).status());
    return Status::Ok();
  }

  Status Finish() override {
    ZSTD_inBuffer input{nullptr, 0, 0};
    for (;;) {
      ASSIGN_OR_RETURN(size_t remaining, Step(&input, ZSTD_e_end));
      if (remaining == 0) return Status::Ok();
    }
  }

 private:
  Expected<size_t> Step(ZSTD_inBuffer* input, ZSTD_EndDirective mode) {
    ZSTD_outBuffer output{out(), out_size(), 0};
    size_t ret = ZSTD_compressStream2(ctx_, &output, input, mode);
    if (ZSTD_isError(ret)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(ret));
    RETURN_IF_ERROR(Emit(output.pos));
    return ret;
  }

  ZSTD_CCtx* ctx_;
};

class XzWriter final : public CompressingWriter {
 public:
  explicit XzWriter(std::unique_ptr<Writer> dst) : CompressingWriter(std::move(dst)) {}
  ~XzWriter() override { lzma_end(&strm_); }

  Status Init(int level) {
    if (level < 0 || level > 9) return InvalidArgument("xz: invalid compression level " + std::to_string(level));
    if (lzma_easy_encoder(&strm_, static_cast<uint32_t>(level), LZMA_CHECK_CRC64) != LZMA_OK) {
      return Internal("xz: cannot initialise encoder");
    }
    return Status::Ok();
  }

 protected:
  Status Compress(const uint8_t* data, size_t n) override {
    strm_.next_in = data;
    strm_.avail_in = n;
    while (strm_.avail_in > 0) RETURN_IF_ERROR(Step(LZMA_RUN).status());
    return Status::Ok();
  }

  Status Finish() override {
    for (;;) {
      ASSIGN_OR_RETURN(bool done, Step(LZMA_FINISH));
      if (done) return Status::Ok();
    }
  }

 private:
  Expected<bool> Step(lzma_action action) {
    strm_.next_out = out();
    strm_.avail_out = out_size();
    lzma_ret ret = lzma_code(&strm_, action);
    if (ret != LZMA_OK && ret != LZMA_STREAM_END) return Internal("xz: compression failed (" + std::to_string(ret) + ")");
    RETURN_IF_ERROR(Emit(out_size() - strm_.avail_out));
    return ret == LZMA_STREAM_END;
  }

  lzma_stream strm_ = LZMA_STREAM_INIT;
};

class Bzip2Writer final : public CompressingWriter {
 public:
  explicit Bzip2Writer(std::unique_ptr<Writer> dst) : CompressingWriter(std::move(dst)) {}
  ~Bzip2Writer() override {
    if (initialised_) BZ2_bzCompressEnd(&strm_);
  }

  Status Init(int level) {
    if (level < 1 || level > 9) return InvalidArgument("bzip2: invalid compression level " + std::to_string(level));
    if (BZ2_bzCompressInit(&strm_, level, 0, 0) != BZ_OK) return Internal("bzip2: cannot initialise encoder");
    initialised_ = true;
    return Status::Ok();
  }

 protected:
  Status Compress(const uint8_t* data, size_t n) override {
    strm_.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(data));
    strm_.avail_in = static_cast<unsigned>(n);
    while (strm_.avail_in > 0) RETURN_IF_ERROR(Step(BZ_RUN).status());
    return Status::Ok();
  }

  Status Finish() override {
    for (;;) {
      ASSIGN_OR_RETURN(int ret, Step(BZ_FINISH));
      if (ret == BZ_STREAM_END) return Status::Ok();
    }
  }

 private:
  Expected<int> Step(int action) {
    strm_.next_out = reinterpret_cast<char*>(out());
    strm_.avail_out = static_cast<unsigned>(out_size());
    int ret = BZ2_bzCompress(&strm_, action);
    if (ret < 0) return Internal("bzip2: compression failed (" + std::to_string(ret) + ")");
    RETURN_IF_ERROR(Emit(out_size() - strm_.avail_out));
    return ret;
  }

  bz_stream strm_{};
  bool initialised_ = false;
};

template <typename W>
Expected<std::unique_ptr<Writer>> MakeWriter(std::unique_ptr<Writer> dst, int level) {
  auto w = std::make_unique<W>(std::move(dst));
  RETURN_IF_ERROR(w->Init(level));
  return std::unique_ptr<Writer>(std::move(w));
}

Expected<std::unique_ptr<Writer>> OpenGzipCompressor(std::unique_ptr<Writer> dst, int level) {
  if (level == kDefaultCompressionLevel) level = 6;
  if (level < 0 || level > 9) return InvalidArgument("gzip: invalid compression level " + std::to_string(level));
  if (level == 0 || level >= 7) return MakeWriter<ZlibGzipWriter>(std::move(dst), level);
  const Expected<IsalApi>& isal = Isal();
  if (!isal.ok()) return isal.status();
  int isal_level = std::min(level, 3);
  return std::unique_ptr<Writer>(std::make_unique<IsalGzipWriter>(*isal, std::move(dst), isal_level));
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kXz: return "xz";
    case Compression::kBzip2: return "bzip2";
  }
  return "unknown";
}

Expected<Compression> ParseCompression(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kXz,
                        Compression::kBzip2}) {
    if (name == CompressionName(c)) return c;
  }
  if (name == "uncompressed") return Compression::kNone;
  return InvalidArgument("unknown compression format \"" + std::string(name) + "\"");
}

Compression DetectCompression(std::string_view b) {
  auto starts = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  using namespace std::string_view_literals;
  if (starts("\x1f\x8b"sv)) return Compression::kGzip;
  if (starts("\x28\xb5\x2f\xfd"sv)) return Compression::kZstd;
  if (starts("\xfd" "7zXZ\x00"sv)) return Compression::kXz;
  // "BZh" and a block size digit.
  if (b.size() >= 4 && starts("BZh") && b[3] >= '1' && b[3] <= '9') return Compression::kBzip2;
  return Compression::kNone;
}

namespace {

// Counts the compressed bytes a decompressor pulls from its source.
class CountingSource final : public Reader {
 public:
  CountingSource(std::unique_ptr<Reader> src, uint64_t* count) : src_(std::move(src)), count_(count) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t got, src_->Read(buf, n));
    *count_ += got;
    return got;
  }

 private:
  std::unique_ptr<Reader> src_;
  uint64_t* count_;
};

// Stops a decompressor whose output passes DecompressionLimits.
class BombGuard final : public Reader {
 public:
  BombGuard(std::unique_ptr<Reader> decoded, std::unique_ptr<uint64_t> in, DecompressionLimits limits)
      : decoded_(std::move(decoded)), in_(std::move(in)), limits_(limits) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    ASSIGN_OR_RETURN(size_t got, decoded_->Read(buf, n));
    out_ += got;
    if (limits_.max_output && out_ > limits_.max_output)
      return InvalidArgument("decompressed size exceeds " + std::to_string(limits_.max_output) +
                             " bytes (KILN_MAX_DECOMPRESSED_SIZE)");
    if (limits_.max_ratio && out_ > limits_.ratio_floor && out_ / std::max<uint64_t>(*in_, 1) > limits_.max_ratio)
      return InvalidArgument("decompression ratio exceeds " + std::to_string(limits_.max_ratio) +
                             ":1 (KILN_MAX_DECOMPRESSION_RATIO): possible decompression bomb");
    return got;
  }

 private:
  std::unique_ptr<Reader> decoded_;
  std::unique_ptr<uint64_t> in_;  // owned here, written by the CountingSource below decoded_
  DecompressionLimits limits_;
  uint64_t out_ = 0;
};

Expected<std::unique_ptr<Reader>> OpenCodec(Compression c, std::unique_ptr<Reader> src) {
  switch (c) {
    case Compression::kNone: return src;
    case Compression::kGzip: {
      const Expected<IsalApi>& isal = Isal();
      if (!isal.ok()) return isal.status();
      return std::unique_ptr<Reader>(std::make_unique<GzipReader>(*isal, std::move(src)));
    }
    case Compression::kZstd: return std::unique_ptr<Reader>(std::make_unique<ZstdReader>(std::move(src)));
    case Compression::kXz: {
      auto r = std::make_unique<XzReader>(std::move(src));
      RETURN_IF_ERROR(r->Init());
      return std::unique_ptr<Reader>(std::move(r));
    }
    case Compression::kBzip2: return std::unique_ptr<Reader>(std::make_unique<Bzip2Reader>(std::move(src)));
  }
  return InvalidArgument("unknown compression format");
}

std::optional<uint64_t> ParseByteCount(const char* text) {
  if (!text || !*text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *text == '-') return std::nullopt;
  int shift = 0;
  switch (std::tolower(static_cast<unsigned char>(*end))) {
    case '\0': break;
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    case 't': shift = 40; break;
    default: return std::nullopt;
  }
  if (*end && end[1] && !(std::tolower(static_cast<unsigned char>(end[1])) == 'b' && !end[2])) return std::nullopt;
  if (shift && v > (~0ULL >> shift)) return std::nullopt;
  return static_cast<uint64_t>(v) << shift;
}

}  // namespace

DecompressionLimits DecompressionLimits::FromEnvironment() {
  DecompressionLimits l;
  if (auto v = ParseByteCount(std::getenv("KILN_MAX_DECOMPRESSED_SIZE"))) l.max_output = *v;
  if (auto v = ParseByteCount(std::getenv("KILN_MAX_DECOMPRESSION_RATIO"))) l.max_ratio = *v;
  return l;
}

Expected<std::unique_ptr<Reader>> OpenDecompressor(std::unique_ptr<Reader> src, Compression* detected,
                                                   const DecompressionLimits& limits) {
  std::string magic(kCompressionMagicSize, '\0');
  ASSIGN_OR_RETURN(size_t got, ReadFull(*src, magic.data(), magic.size()));
  magic.resize(got);
  Compression c = DetectCompression(magic);
  if (detected) *detected = c;
  return OpenDecompressorFor(c, std::make_unique<PrefixedReader>(std::move(magic), std::move(src)), limits);
}

Expected<std::unique_ptr<Reader>> OpenDecompressorFor(Compression c, std::unique_ptr<Reader> src,
                                                      const DecompressionLimits& limits) {
  if (c == Compression::kNone) return src;  // no amplification: every byte was read
  auto in = std::make_unique<uint64_t>(0);
  ASSIGN_OR_RETURN(auto codec, OpenCodec(c, std::make_unique<CountingSource>(std::move(src), in.get())));
  return std::unique_ptr<Reader>(std::make_unique<BombGuard>(std::move(codec), std::move(in), limits));
}

Expected<std::unique_ptr<Writer>> OpenCompressor(Compression c, std::unique_ptr<Writer> dst, int level) {
  bool by_default = level == kDefaultCompressionLevel;
  switch (c) {
    case Compression::kNone: return dst;
    case Compression::kGzip: return OpenGzipCompressor(std::move(dst), level);
    case Compression::kZstd: return MakeWriter<ZstdWriter>(std::move(dst), by_default ? 3 : level);
    case Compression::kXz: return MakeWriter<XzWriter>(std::move(dst), by_default ? 6 : level);
    case Compression::kBzip2: return MakeWriter<Bzip2Writer>(std::move(dst), by_default ? 9 : level);
  }
  return InvalidArgument("unknown compression format");
}

namespace {

void PutLe32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string GzipStoredMember(std::string_view data) {
  constexpr size_t kMaxStored = 65535;  // a stored block's LEN is 16 bits
  std::string out;
  out.reserve(data.size() + (data.size() / kMaxStored + 1) * 5 + 18);
  // Header as Go and ISA-L write it: no name, no mtime, OS unknown (255).
  out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  size_t off = 0;
  do {
    size_t n = std::min(kMaxStored, data.size() - off);
    bool last = off + n == data.size();
    out.push_back(static_cast<char>(last ? 1 : 0));  // BFINAL, BTYPE=00; byte-aligned
    uint16_t len = static_cast<uint16_t>(n), nlen = static_cast<uint16_t>(~len);
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(nlen & 0xff));
    out.push_back(static_cast<char>(nlen >> 8));
    out.append(data.substr(off, n));
    off += n;
  } while (off < data.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const Expected<IsalApi>& isal = Isal();
  PutLe32(out, isal.ok() ? isal->crc32_gzip_refl(0, bytes, data.size())
                         : static_cast<uint32_t>(crc32_z(0, bytes, data.size())));
  PutLe32(out, static_cast<uint32_t>(data.size()));
  return out;
}

bool LooksIncompressible(std::string_view data) {
  constexpr size_t kSample = 64 * 1024;
  std::string_view sample = data.substr(0, kSample);
  if (sample.size() < 4096) return false;
  const Expected<IsalApi>& isal = Isal();
  if (!isal.ok()) return false;
  std::vector<uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
  std::vector<uint8_t> out(sample.size() + sample.size() / 8 + 1024);
  isal_zstream zs;
  isal->deflate_stateless_init(&zs);
  zs.level = 1;
  zs.level_buf = level_buf.data();
  zs.level_buf_size = static_cast<uint32_t>(level_buf.size());
  zs.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(sample.data()));
  zs.avail_in = static_cast<uint32_t>(sample.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uint32_t>(out.size());
  zs.end_of_stream = 1;
  zs.flush = NO_FLUSH;
  if (isal->deflate_stateless(&zs) != COMP_OK) return false;
  return zs.total_out * 100 >= sample.size() * 97;
}

}  // namespace kiln
