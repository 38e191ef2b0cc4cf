// Shared pieces of the fuzz harnesses (tests/fuzz, the `fuzz` preset, docs/testing.md): the
// input as text, and a scratch file for the parsers that read from a path. A harness returns
// normally on enas::Error (a clear rejection is the wanted outcome); any other exception, crash,
// hang or sanitizer report is a finding.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace enas::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// A per-process scratch folder (in memory where possible), removed at exit.
class ScratchDir {
public:
    ScratchDir() : path_(std::filesystem::temp_directory_path() / ("enas-fuzz-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

    /// Writes `bytes` to `name` in the folder and returns its path.
    std::filesystem::path write(const std::string& name, std::string_view bytes) const {
        const std::filesystem::path p = path_ / name;
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return p;
    }

private:
    // /dev/shm when there is one: with a file written per input, a disk-backed /tmp made the
    // file-reading harnesses wait on I/O for most of their run time.
    static std::filesystem::path base() {
        std::error_code ec;
        if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
        return std::filesystem::temp_directory_path();
    }
    std::filesystem::path path_;
};

inline const ScratchDir& scratch() {
    static const ScratchDir dir;
    return dir;
}

}  // namespace enas::fuzz
