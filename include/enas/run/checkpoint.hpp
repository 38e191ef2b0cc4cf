// Checkpoint files: named tensors (float32, float64, int32), named JSON documents and named raw
// byte blobs (a controller state file, RNG state, ...) in one file with a checksum, written
// atomically ("<path>.tmp", fsync, rename; see atomic_file.hpp).
//
// Binary layout (little-endian, fixed-width numbers):
//   header  "ENASCKPT"  u32 version(1)  u32 entry_count  u64 total_file_bytes  u32 crc32(header)
//   entry   u8 kind (1 tensor, 2 json, 3 blob)  u8 dtype (0 none, 1 f32, 2 f64, 3 i32)  u16 zero
//           u32 name_length  name  u32 rank  i64 dims[rank]  u64 payload_bytes  payload
//           (JSON payloads are UTF-8 text; blobs have rank 1, dims = {payload_bytes})
//   footer  u32 crc32 of every byte before it
// Reading validates the magic, version, header checksum, size, every entry and the checksum
// before anything is returned. Problems raise enas::FormatError (corrupt, truncated, wrong
// entry) or enas::IoError (missing, unreadable), each naming the file and what was wrong.
#pragma once
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"
#include "enas/core/tensor.hpp"

namespace enas::run {

enum class EntryKind : std::uint8_t { tensor = 1, json = 2, blob = 3 };
enum class DType : std::uint8_t { none = 0, float32 = 1, float64 = 2, int32 = 3 };

/// "float32", "float64", "int32" or "none".
const char* dtype_name(DType dtype);
/// "tensor", "json" or "blob".
const char* entry_kind_name(EntryKind kind);
/// Bytes per element (0 for DType::none).
std::size_t dtype_size(DType dtype);

template <Element T>
constexpr DType dtype_of() {
    if constexpr (std::is_same_v<T, float>)
        return DType::float32;
    else if constexpr (std::is_same_v<T, double>)
        return DType::float64;
    else
        return DType::int32;
}

/// Collects entries, then writes them as one checkpoint file. Tensors are captured when added
/// (a host copy, or for contiguous CPU tensors a reference to their storage: do not modify such
/// a tensor's values between `add_tensor` and `write`). Names must be unique and non-empty.
class CheckpointWriter {
public:
    /// Adds a tensor of any device; its shape and dtype are recorded.
    template <Element T, Device D>
    void add_tensor(const std::string& name, const Tensor<T, D>& tensor) {
        check<StateError>(tensor.defined(), "checkpoint: tensor '", name, "' is undefined");
        auto host = std::make_shared<Tensor<T, Cpu>>();
        if constexpr (is_cpu_v<D>)
            *host = tensor.contiguous();
        else
            *host = tensor.template to<Cpu>();
        const char* data = reinterpret_cast<const char*>(host->data());
        add_entry(EntryKind::tensor, dtype_of<T>(), name, host->shape(), std::shared_ptr<const void>(host, host.get()),
                  data, static_cast<std::uint64_t>(host->numel()) * sizeof(T));
    }
    /// Adds a copy of `values` as a tensor of `shape` (default: rank 1 of values.size()).
    template <Element T>
    void add_values(const std::string& name, const std::vector<T>& values) {
        add_values(name, values, Shape{static_cast<std::int64_t>(values.size())});
    }
    template <Element T>
    void add_values(const std::string& name, const std::vector<T>& values, const Shape& shape) {
        check<ShapeError>(shape.numel() == static_cast<std::int64_t>(values.size()), "checkpoint: entry '", name,
                          "': ", values.size(), " values for shape ", shape.str());
        auto copy = std::make_shared<std::vector<T>>(values);
        add_entry(EntryKind::tensor, dtype_of<T>(), name, shape, copy, reinterpret_cast<const char*>(copy->data()),
                  copy->size() * sizeof(T));
    }
    /// Adds a JSON document (stored as its compact text).
    void add_json(const std::string& name, const nlohmann::json& value);
    /// Adds raw bytes.
    void add_blob(const std::string& name, std::string bytes);
    void add_blob(const std::string& name, const std::vector<char>& bytes) {
        add_blob(name, std::string(bytes.begin(), bytes.end()));
    }
    /// Adds a whole file's bytes (e.g. a controller state file). IoError if unreadable.
    void add_blob_from_file(const std::string& name, const std::filesystem::path& file);

    bool contains(std::string_view name) const;
    std::size_t size() const { return entries_.size(); }

    /// Writes the checkpoint to `path` atomically. Throws IoError (naming the file) on failure,
    /// leaving any previous file at `path` untouched.
    void write(const std::filesystem::path& path) const;

private:
    struct Pending {
        EntryKind kind;
        DType dtype;
        std::string name;
        Shape shape;
        std::shared_ptr<const void> keep_alive;
        const char* data;
        std::uint64_t bytes;
    };
    void add_entry(EntryKind kind, DType dtype, const std::string& name, const Shape& shape,
                   std::shared_ptr<const void> keep_alive, const char* data, std::uint64_t bytes);

    std::vector<Pending> entries_;
    std::unordered_map<std::string, std::size_t> index_;
};

/// Where one entry lives in a loaded checkpoint.
struct CheckpointEntry {
    std::string name;
    EntryKind kind = EntryKind::tensor;
    DType dtype = DType::none;
    Shape shape;
    std::uint64_t offset = 0;  // of the payload, in the file
    std::uint64_t bytes = 0;   // payload size
};

/// A checkpoint file read into memory and fully validated.
class Checkpoint {
public:
    /// Reads and validates `path`. IoError if it is missing or unreadable; FormatError naming the
    /// file and the problem if it is not a checkpoint, truncated, or corrupt.
    static Checkpoint read(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }
    const std::vector<CheckpointEntry>& entries() const { return entries_; }
    bool contains(std::string_view name) const { return index_.count(std::string(name)) != 0; }
    /// The entry called `name`; FormatError naming it and listing a few present entries if absent.
    const CheckpointEntry& entry(std::string_view name) const;

    /// A tensor entry as a new CPU tensor; FormatError if `name` is not a T tensor.
    template <Element T>
    Tensor<T, Cpu> tensor(std::string_view name) const {
        const CheckpointEntry& e = typed_entry(name, EntryKind::tensor, dtype_of<T>());
        Tensor<T, Cpu> t(e.shape);
        if (e.bytes) std::memcpy(t.data(), bytes_.data() + e.offset, e.bytes);
        return t;
    }
    /// The elements of a tensor entry in row-major order.
    template <Element T>
    std::vector<T> values(std::string_view name) const {
        const CheckpointEntry& e = typed_entry(name, EntryKind::tensor, dtype_of<T>());
        std::vector<T> v(static_cast<std::size_t>(e.shape.numel()));
        if (e.bytes) std::memcpy(v.data(), bytes_.data() + e.offset, e.bytes);
        return v;
    }
    /// Copies a tensor entry into `into` (any device, any strides). ShapeError naming both shapes
    /// if they differ.
    template <Element T, Device D>
    void restore(std::string_view name, Tensor<T, D>& into) const {
        const CheckpointEntry& e = typed_entry(name, EntryKind::tensor, dtype_of<T>());
        check<ShapeError>(into.shape() == e.shape, "checkpoint ", path_.string(), ": tensor '", e.name, "' has shape ",
                          e.shape.str(), " in the file but the destination has shape ", into.shape().str());
        into.copy_from(tensor<T>(name));
    }
    /// The same, into a temporary view (e.g. `restore("w", arena.values().narrow(0, 0, n))`).
    template <Element T, Device D>
    void restore(std::string_view name, Tensor<T, D>&& into) const {
        restore(name, into);
    }
    /// A JSON entry, parsed.
    nlohmann::json json(std::string_view name) const;
    /// A blob entry's bytes.
    std::string blob(std::string_view name) const;
    /// Writes a blob entry to `file` atomically (e.g. to hand it to load_controller_state).
    void blob_to_file(std::string_view name, const std::filesystem::path& file) const;

private:
    const CheckpointEntry& typed_entry(std::string_view name, EntryKind kind, DType dtype) const;

    std::filesystem::path path_;
    std::string bytes_;
    std::vector<CheckpointEntry> entries_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace enas::run
