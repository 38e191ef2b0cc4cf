#include "enas/run/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "enas/core/error.hpp"
#include "enas/run/fault_injection.hpp"

namespace enas::run {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kBufferSize = std::size_t{1} << 20;

std::string reason(int error_number) { return std::strerror(error_number); }

// Makes a rename durable; failures are ignored (some file systems cannot fsync folders).
void sync_folder(const fs::path& folder) noexcept {
    const fs::path dir = folder.empty() ? fs::path(".") : folder;
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    (void)::close(fd);
}
}  // namespace

AtomicFileWriter::AtomicFileWriter(fs::path path) : path_(std::move(path)), tmp_path_(path_.string() + ".tmp") {
    fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create", errno);
    buffer_.reserve(kBufferSize);
}

AtomicFileWriter::~AtomicFileWriter() {
    if (!committed_) discard();
}

void AtomicFileWriter::discard() noexcept {
    if (fd_ >= 0) {
        (void)::close(fd_);
        fd_ = -1;
    }
    if (!committed_) (void)::unlink(tmp_path_.c_str());
}

void AtomicFileWriter::fail(const std::string& what, int error_number) {
    const std::string message =
        what + " '" + tmp_path_.string() + "' (for '" + path_.string() + "'): " + reason(error_number);
    discard();
    committed_ = true;  // nothing left to clean up
    throw IoError(message);
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
    check<StateError>(fd_ >= 0, "AtomicFileWriter: write to '", path_.string(), "' after commit or failure");
    if (fault::armed()) {
        try {
            fault::before_write(tmp_path_.string(), size);
        } catch (const IoError&) {
            discard();
            committed_ = true;  // nothing left to clean up, as after a real failed write
            throw;
        }
    }
    const char* p = static_cast<const char*>(data);
    if (buffer_.size() + size <= kBufferSize) {
        buffer_.append(p, size);
    } else {
        flush_buffer();
        if (size < kBufferSize) {
            buffer_.append(p, size);
        } else {
            // Large payloads go straight to the file.
            std::size_t done = 0;
            while (done < size) {
                const ssize_t n = ::write(fd_, p + done, size - done);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) fail("writing", errno);
                done += static_cast<std::size_t>(n);
            }
        }
    }
    written_ += size;
}

void AtomicFileWriter::flush() {
    check<StateError>(fd_ >= 0, "AtomicFileWriter: flush of '", path_.string(), "' after commit or failure");
    flush_buffer();
}

void AtomicFileWriter::flush_buffer() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("writing", errno);
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

void AtomicFileWriter::commit() {
    check<StateError>(fd_ >= 0, "AtomicFileWriter: commit of '", path_.string(), "' after commit or failure");
    flush_buffer();
    if (::fsync(fd_) != 0) fail("syncing", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        const int e = errno;
        fail("closing", e);
    }
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
        const int e = errno;
        fail("renaming into place", e);
    }
    committed_ = true;
    sync_folder(path_.parent_path());
}

void write_file_atomically(const fs::path& path, std::string_view contents) {
    AtomicFileWriter writer(path);
    writer.write(contents);
    writer.commit();
}

std::string read_whole_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError("cannot open '" + path.string() + "': no such file");
    if (fs::is_directory(path, ec)) throw IoError("cannot read '" + path.string() + "': it is a folder");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open '" + path.string() + "' for reading: " + reason(errno));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw IoError("reading '" + path.string() + "' failed");
    return bytes;
}

}  // namespace enas::run
