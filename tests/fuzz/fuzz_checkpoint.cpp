// Fuzz harness: the checkpoint reader (run/checkpoint.hpp) on arbitrary file contents, and every
// entry of a checkpoint it accepts read back. Half of the inputs (first byte odd) get their size
// field and both CRC-32s fixed up first, so the fuzzer reaches the entry parser behind them.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "enas/core/error.hpp"
#include "enas/run/checkpoint.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string bytes(enas::fuzz::as_text(data + 1, size - 1));
    constexpr std::size_t kHeader = 8 + 4 + 4 + 8;  // magic, version, entry count, total size
    if ((data[0] & 1) && bytes.size() >= kHeader + 4 + 4) {
        const std::uint64_t total = bytes.size();
        std::memcpy(&bytes[16], &total, 8);
        const std::uint32_t header_crc = static_cast<std::uint32_t>(
            crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(kHeader)));
        std::memcpy(&bytes[kHeader], &header_crc, 4);
        const std::uint32_t crc = static_cast<std::uint32_t>(
            crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
        std::memcpy(&bytes[bytes.size() - 4], &crc, 4);
    }
    const auto path = enas::fuzz::scratch().write("ckpt.bin", bytes);
    try {
        using enas::run::DType;
        using enas::run::EntryKind;
        const enas::run::Checkpoint c = enas::run::Checkpoint::read(path);
        for (const enas::run::CheckpointEntry& e : c.entries()) {
            try {
                if (e.kind == EntryKind::json) (void)c.json(e.name);
                if (e.kind == EntryKind::blob) (void)c.blob(e.name);
                if (e.kind == EntryKind::tensor && e.dtype == DType::float32) (void)c.values<float>(e.name);
                if (e.kind == EntryKind::tensor && e.dtype == DType::float64) (void)c.values<double>(e.name);
                if (e.kind == EntryKind::tensor && e.dtype == DType::int32) (void)c.values<std::int32_t>(e.name);
            } catch (const enas::Error&) {}
        }
    } catch (const enas::Error&) {}
    return 0;
}
