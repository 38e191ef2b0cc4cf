// Atomic file replacement: write "<path>.tmp", flush and fsync it, rename it over <path>, then
// fsync the folder. A reader sees either the old file or the complete new one, never a
// half-written file, even after a crash or a full disk. Used by checkpoints, config.json and
// summary.json.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "enas/core/error.hpp"

namespace enas::run {

/// Writes a file through "<path>.tmp" and renames it into place on `commit()`. If the writer is
/// destroyed without a successful commit (an exception, a failed write), the temporary file is
/// removed and <path> is left as it was. Every failure throws enas::IoError naming the file and
/// the system's reason (e.g. "No space left on device").
class AtomicFileWriter {
public:
    /// Creates (truncates) "<path>.tmp". Throws IoError if it cannot be created.
    explicit AtomicFileWriter(std::filesystem::path path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    /// Appends `size` bytes (buffered).
    void write(const void* data, std::size_t size);
    void write(std::string_view text) { write(text.data(), text.size()); }
    /// Hands the buffered bytes to the temporary file (no fsync, no rename).
    void flush();
    /// Bytes written so far.
    std::uint64_t bytes_written() const { return written_; }

    /// Flushes, fsyncs, closes and renames the temporary file over the target, then fsyncs the
    /// folder (best effort). After this the writer is inert.
    void commit();

    const std::filesystem::path& path() const { return path_; }
    const std::filesystem::path& temporary_path() const { return tmp_path_; }

private:
    void flush_buffer();
    [[noreturn]] void fail(const std::string& what, int error_number);
    void discard() noexcept;

    std::filesystem::path path_;
    std::filesystem::path tmp_path_;
    int fd_ = -1;
    std::string buffer_;
    std::uint64_t written_ = 0;
    bool committed_ = false;
};

/// Replaces `path` with `contents` atomically (see AtomicFileWriter).
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// The whole file as bytes. Throws IoError naming the path if it is missing or unreadable.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace enas::run
