#include "enas/run/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <limits>

#include "enas/run/atomic_file.hpp"
#include "enas/run/fault_injection.hpp"

static_assert(std::endian::native == std::endian::little, "checkpoint files are little-endian");

namespace enas::run {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'E', 'N', 'A', 'S', 'C', 'K', 'P', 'T'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kHeaderBytes = 8 + 4 + 4 + 8 + 4;  // magic, version, count, total, header crc
constexpr std::uint64_t kFooterBytes = 4;

std::uint32_t crc32_of(std::uint32_t crc, const char* data, std::uint64_t n) {
    const auto* p = reinterpret_cast<const Bytef*>(data);
    while (n > 0) {
        const auto chunk = static_cast<uInt>(std::min<std::uint64_t>(n, std::uint64_t{1} << 30));
        crc = static_cast<std::uint32_t>(::crc32(crc, p, chunk));
        p += chunk;
        n -= chunk;
    }
    return crc;
}

template <class V>
void append(std::string& out, V v) {
    char b[sizeof(V)];
    std::memcpy(b, &v, sizeof(V));
    out.append(b, sizeof(V));
}

std::string hex(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

std::string quoted_list(const std::vector<CheckpointEntry>& entries, std::size_t most) {
    std::string s;
    for (std::size_t i = 0; i < entries.size() && i < most; ++i) s += (i ? ", '" : "'") + entries[i].name + "'";
    if (entries.size() > most) s += ", ...";
    return s;
}

// Walks the bytes of a checkpoint. `fail_truncated` and `fail_malformed` build the messages.
class EntryParser {
public:
    EntryParser(const std::string& where, const std::string& bytes, std::uint64_t limit, std::uint64_t total)
        : where_(where), bytes_(bytes), limit_(limit), total_(total) {}

    std::vector<CheckpointEntry> parse(std::uint32_t count) {
        std::vector<CheckpointEntry> entries;
        entries.reserve(std::min<std::uint32_t>(count, 1u << 16));
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::string after = entries.empty() ? "" : " (after '" + entries.back().name + "')";
            const std::string which = "entry " + std::to_string(i + 1) + " of " + std::to_string(count) + after;
            CheckpointEntry e;
            const auto kind = get<std::uint8_t>(which);
            const auto dtype = get<std::uint8_t>(which);
            const auto reserved = get<std::uint16_t>(which);
            const auto name_length = get<std::uint32_t>(which);
            need(name_length, which);
            e.name.assign(bytes_.data() + at_, name_length);
            at_ += name_length;
            const std::string label = "'" + e.name + "' (" + which + ")";
            const auto rank = get<std::uint32_t>(label);
            if (kind < 1 || kind > 3) malformed(label + " has unknown kind " + std::to_string(kind));
            if (dtype > 3) malformed(label + " has unknown dtype " + std::to_string(dtype));
            if (reserved != 0) malformed(label + " has nonzero reserved bits");
            if (rank > static_cast<std::uint32_t>(Shape::kMaxRank))
                malformed(label + " has rank " + std::to_string(rank) + " (at most " + std::to_string(Shape::kMaxRank) +
                          ")");
            e.kind = static_cast<EntryKind>(kind);
            e.dtype = static_cast<DType>(dtype);
            for (std::uint32_t d = 0; d < rank; ++d) {
                const auto dim = get<std::int64_t>(label);
                if (dim < 0) malformed(label + " has negative dimension " + std::to_string(dim));
                e.shape.push_back(dim);
            }
            e.bytes = get<std::uint64_t>(label);
            check_payload_size(e, label);
            const std::string payload_name = std::string(entry_kind_name(e.kind)) + " '" + e.name + "'";
            if (e.bytes > limit_ - at_)
                truncated("expected " + std::to_string(e.bytes) + " bytes of " + payload_name + ", found " +
                          std::to_string(limit_ - at_));
            e.offset = at_;
            at_ += e.bytes;
            entries.push_back(std::move(e));
        }
        return entries;
    }
    std::uint64_t position() const { return at_; }

    [[noreturn]] void truncated(const std::string& what) const {
        throw FormatError("checkpoint " + where_ + ": truncated: " + what + " (the file has " +
                          std::to_string(bytes_.size()) + " of " + std::to_string(total_) + " bytes)");
    }
    [[noreturn]] void malformed(const std::string& what) const {
        throw FormatError("checkpoint " + where_ + ": malformed: " + what);
    }

private:
    void need(std::uint64_t n, const std::string& what) const {
        if (n > limit_ - at_) truncated("the file ends inside the header of " + what);
    }
    template <class V>
    V get(const std::string& what) {
        need(sizeof(V), what);
        V v;
        std::memcpy(&v, bytes_.data() + at_, sizeof(V));
        at_ += sizeof(V);
        return v;
    }
    void check_payload_size(const CheckpointEntry& e, const std::string& label) const {
        if (e.kind == EntryKind::tensor) {
            if (e.dtype == DType::none) malformed(label + " is a tensor without a dtype");
            // The element count, computed so that a corrupt file's dimensions cannot overflow it
            // (Shape::numel would; found by tests/fuzz/fuzz_checkpoint.cpp).
            std::uint64_t numel = 1;
            bool too_many = false;
            const bool any_zero = std::find(e.shape.begin(), e.shape.end(), std::int64_t{0}) != e.shape.end();
            for (const std::int64_t d : e.shape) {
                if (any_zero) {
                    numel = 0;
                    break;
                }
                const auto u = static_cast<std::uint64_t>(d);
                if (numel > e.bytes / u) {
                    too_many = true;
                    break;
                }
                numel *= u;
            }
            const std::uint64_t size = dtype_size(e.dtype);
            if (too_many || numel > std::numeric_limits<std::uint64_t>::max() / size || numel * size != e.bytes)
                malformed(label + " has shape " + e.shape.str() + " of " + dtype_name(e.dtype) + " but " +
                          std::to_string(e.bytes) + " payload bytes");
        } else {
            if (e.dtype != DType::none) malformed(label + " is a " + entry_kind_name(e.kind) + " with a dtype");
            if (e.shape.rank() != 1 || static_cast<std::uint64_t>(e.shape[0]) != e.bytes)
                malformed(label + " records " + std::to_string(e.bytes) + " bytes but shape " + e.shape.str());
        }
    }

    const std::string& where_;
    const std::string& bytes_;
    std::uint64_t limit_;
    std::uint64_t total_;
    std::uint64_t at_ = kHeaderBytes;
};

}  // namespace

const char* dtype_name(DType dtype) {
    switch (dtype) {
        case DType::float32: return "float32";
        case DType::float64: return "float64";
        case DType::int32: return "int32";
        default: return "none";
    }
}

const char* entry_kind_name(EntryKind kind) {
    switch (kind) {
        case EntryKind::tensor: return "tensor";
        case EntryKind::json: return "json";
        default: return "blob";
    }
}

std::size_t dtype_size(DType dtype) {
    switch (dtype) {
        case DType::float32: return 4;
        case DType::float64: return 8;
        case DType::int32: return 4;
        default: return 0;
    }
}

// ---- writing ----

void CheckpointWriter::add_entry(EntryKind kind, DType dtype, const std::string& name, const Shape& shape,
                                 std::shared_ptr<const void> keep_alive, const char* data, std::uint64_t bytes) {
    check<ValueError>(!name.empty(), "checkpoint: an entry name must not be empty");
    check<ValueError>(name.size() < (1u << 16), "checkpoint: entry name of ", name.size(), " characters is too long");
    check<ValueError>(!contains(name), "checkpoint: duplicate entry '", name, "'");
    index_.emplace(name, entries_.size());
    entries_.push_back(Pending{kind, dtype, name, shape, std::move(keep_alive), data, bytes});
}

bool CheckpointWriter::contains(std::string_view name) const { return index_.count(std::string(name)) != 0; }

void CheckpointWriter::add_json(const std::string& name, const nlohmann::json& value) {
    add_blob(name, value.dump());
    entries_.back().kind = EntryKind::json;
}

void CheckpointWriter::add_blob(const std::string& name, std::string bytes) {
    auto owned = std::make_shared<std::string>(std::move(bytes));
    const Shape shape{static_cast<std::int64_t>(owned->size())};
    const char* data = owned->data();
    const std::uint64_t size = owned->size();
    add_entry(EntryKind::blob, DType::none, name, shape, std::move(owned), data, size);
}

void CheckpointWriter::add_blob_from_file(const std::string& name, const fs::path& file) {
    add_blob(name, read_whole_file(file));
}

void CheckpointWriter::write(const fs::path& path) const {
    std::vector<std::string> entry_headers;
    entry_headers.reserve(entries_.size());
    std::uint64_t total = kHeaderBytes + kFooterBytes;
    for (const Pending& e : entries_) {
        std::string h;
        append(h, static_cast<std::uint8_t>(e.kind));
        append(h, static_cast<std::uint8_t>(e.dtype));
        append(h, std::uint16_t{0});
        append(h, static_cast<std::uint32_t>(e.name.size()));
        h += e.name;
        append(h, static_cast<std::uint32_t>(e.shape.rank()));
        for (std::int64_t d : e.shape) append(h, d);
        append(h, e.bytes);
        total += h.size() + e.bytes;
        entry_headers.push_back(std::move(h));
    }
    std::string header(kMagic, sizeof kMagic);
    append(header, kVersion);
    append(header, static_cast<std::uint32_t>(entries_.size()));
    append(header, total);
    append(header, crc32_of(0, header.data(), header.size()));

    AtomicFileWriter out(path);
    std::uint32_t crc = 0;
    auto emit = [&](const char* data, std::uint64_t n) {
        out.write(data, n);
        crc = crc32_of(crc, data, n);
    };
    emit(header.data(), header.size());
    const bool die_inside = fault::armed() && fault::kill_in_this_checkpoint();  // tests only
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (die_inside && i == entries_.size() / 2) {
            out.flush();
            fault::kill_now("while writing checkpoint '" + out.temporary_path().string() + "' (" +
                            std::to_string(out.bytes_written()) + " of " + std::to_string(total) +
                            " bytes written, not renamed into place)");
        }
        emit(entry_headers[i].data(), entry_headers[i].size());
        emit(entries_[i].data, entries_[i].bytes);
    }
    std::string footer;
    append(footer, crc);
    out.write(footer);
    check<StateError>(out.bytes_written() == total, "checkpoint ", path.string(), ": wrote ", out.bytes_written(),
                      " bytes, expected ", total, " (internal error)");
    out.commit();
}

// ---- reading ----

Checkpoint Checkpoint::read(const fs::path& path) {
    Checkpoint c;
    c.path_ = path;
    const std::string where = path.string();
    try {
        c.bytes_ = read_whole_file(path);
    } catch (const IoError& e) { throw IoError(std::string("checkpoint: ") + e.what()); }
    const std::string& b = c.bytes_;
    const auto fail = [&](const std::string& why) { throw FormatError("checkpoint " + where + ": " + why); };

    const std::size_t magic_seen = std::min(b.size(), sizeof kMagic);
    if (std::memcmp(b.data(), kMagic, magic_seen) != 0 || b.empty())
        fail(b.empty() ? "empty file (0 bytes)" : "not an enas checkpoint (bad magic; expected \"ENASCKPT\")");
    if (b.size() < kHeaderBytes)
        fail("truncated: " + std::to_string(b.size()) + " bytes, the header alone needs " +
             std::to_string(kHeaderBytes));
    std::uint32_t version, count, header_crc;
    std::uint64_t total;
    std::memcpy(&version, b.data() + 8, 4);
    std::memcpy(&count, b.data() + 12, 4);
    std::memcpy(&total, b.data() + 16, 8);
    std::memcpy(&header_crc, b.data() + 24, 4);
    if (header_crc != crc32_of(0, b.data(), 24)) fail("corrupt header (header checksum mismatch)");
    if (version != kVersion)
        fail("unsupported format version " + std::to_string(version) + " (this build reads version " +
             std::to_string(kVersion) + ")");
    if (total < kHeaderBytes + kFooterBytes)
        fail("corrupt header (records a total size of " + std::to_string(total) + " bytes)");

    if (b.size() < total) {
        // Find what was cut off, for the message.
        EntryParser walk(where, b, b.size(), total);
        walk.parse(count);
        walk.truncated("the final checksum is missing");
    }
    if (b.size() > total)
        fail(std::to_string(b.size() - total) +
             " unexpected bytes after the end recorded in the header (the file has " + std::to_string(b.size()) +
             " bytes, expected " + std::to_string(total) + ")");
    std::uint32_t stored;
    std::memcpy(&stored, b.data() + total - kFooterBytes, 4);
    const std::uint32_t computed = crc32_of(0, b.data(), total - kFooterBytes);
    if (stored != computed)
        fail("checksum mismatch: the file is corrupt (stored " + hex(stored) + ", computed " + hex(computed) + ")");

    EntryParser parser(where, b, total - kFooterBytes, total);
    c.entries_ = parser.parse(count);
    if (parser.position() != total - kFooterBytes)
        parser.malformed(std::to_string(total - kFooterBytes - parser.position()) +
                         " unexpected bytes after the last entry");
    for (std::size_t i = 0; i < c.entries_.size(); ++i)
        if (!c.index_.emplace(c.entries_[i].name, i).second)
            parser.malformed("duplicate entry '" + c.entries_[i].name + "'");
    return c;
}

const CheckpointEntry& Checkpoint::entry(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    if (it == index_.end())
        throw FormatError("checkpoint " + path_.string() + ": no entry '" + std::string(name) + "' (it has " +
                          std::to_string(entries_.size()) + " entries: " + quoted_list(entries_, 5) + ")");
    return entries_[it->second];
}

const CheckpointEntry& Checkpoint::typed_entry(std::string_view name, EntryKind kind, DType dtype) const {
    const CheckpointEntry& e = entry(name);
    if (e.kind != kind || e.dtype != dtype) {
        const std::string seen =
            e.kind == EntryKind::tensor ? std::string(dtype_name(e.dtype)) + " tensor" : entry_kind_name(e.kind);
        const std::string wanted =
            kind == EntryKind::tensor ? std::string(dtype_name(dtype)) + " tensor" : entry_kind_name(kind);
        throw FormatError("checkpoint " + path_.string() + ": entry '" + e.name + "' is a " + seen + ", expected a " +
                          wanted);
    }
    return e;
}

nlohmann::json Checkpoint::json(std::string_view name) const {
    const CheckpointEntry& e = typed_entry(name, EntryKind::json, DType::none);
    try {
        return nlohmann::json::parse(bytes_.begin() + static_cast<std::ptrdiff_t>(e.offset),
                                     bytes_.begin() + static_cast<std::ptrdiff_t>(e.offset + e.bytes));
    } catch (const nlohmann::json::exception& ex) {
        throw FormatError("checkpoint " + path_.string() + ": json entry '" + e.name +
                          "' does not parse: " + ex.what());
    }
}

std::string Checkpoint::blob(std::string_view name) const {
    const CheckpointEntry& e = typed_entry(name, EntryKind::blob, DType::none);
    return bytes_.substr(e.offset, e.bytes);
}

void Checkpoint::blob_to_file(std::string_view name, const fs::path& file) const {
    write_file_atomically(file, blob(name));
}

}  // namespace enas::run
