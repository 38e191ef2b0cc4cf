// Controller state files: weights, Adam moments, pending (not yet applied) gradients, baseline,
// step and RNG, so that a search resumes exactly and a controller trained on one dataset can
// initialise a search on another (controller transfer). Parameter shapes do not depend on the
// number of layers or nodes, so a state also loads into a controller of another depth.
//
// Binary layout (little-endian, every number fixed-width; values stored as float64):
//   "ENASCTRL"  u32 version(1)  str space  f64 baseline  i64 step  i64 pending  u64 rng_seed
//   u64 rng_offset  u32 num_blocks  { str name  u32 rank  i64 dims[rank]  f64 values[n]
//   f64 grads[n]  f64 adam_m[n]  f64 adam_v[n] } × num_blocks  u64 checksum (FNV-1a of all before)
// where str = u32 length + bytes. ArchitecturePolicy::save(path) writes "<path>.tmp" and renames it.
#pragma once
#include <cstdint>
#include <cstring>
#include <istream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "enas/controller/parameters.hpp"
#include "enas/controller/reinforce.hpp"
#include "enas/controller/token_space.hpp"

namespace enas::controller {

namespace state_io_detail {

inline constexpr char kMagic[8] = {'E', 'N', 'A', 'S', 'C', 'T', 'R', 'L'};
inline constexpr std::uint32_t kVersion = 1;

inline std::uint64_t fnv1a(const char* data, std::size_t n) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= 1099511628211ull;
    }
    return h;
}

class Writer {
public:
    template <class V>
    void put(V v) {
        char b[sizeof(V)];
        std::memcpy(b, &v, sizeof(V));
        bytes.insert(bytes.end(), b, b + sizeof(V));
    }
    void put_string(const std::string& s) {
        put(static_cast<std::uint32_t>(s.size()));
        bytes.insert(bytes.end(), s.begin(), s.end());
    }
    std::vector<char> bytes;
};

class Reader {
public:
    Reader(const std::string& path, const std::vector<char>& bytes, std::size_t end)
        : path_(path), bytes_(bytes), end_(end) {}
    template <class V>
    V get(const char* what) {
        need(sizeof(V), what);
        V v;
        std::memcpy(&v, bytes_.data() + at_, sizeof(V));
        at_ += sizeof(V);
        return v;
    }
    std::string get_string(const char* what) {
        const auto n = get<std::uint32_t>(what);
        need(n, what);
        std::string s(bytes_.data() + at_, n);
        at_ += n;
        return s;
    }
    std::size_t position() const { return at_; }
    [[noreturn]] void fail(const std::string& why) const {
        throw FormatError("controller state file '" + path_ + "': " + why);
    }

private:
    void need(std::size_t n, const char* what) const {
        if (n > end_ - at_)
            fail("truncated at byte " + std::to_string(at_) + " while reading " + what + " (needs " +
                 std::to_string(n) + " bytes, " + std::to_string(end_ - at_) + " left)");
    }
    const std::string& path_;
    const std::vector<char>& bytes_;
    std::size_t end_;
    std::size_t at_ = 0;
};

}  // namespace state_io_detail

/// Writes a controller state to `out` (the layout above). `params` may be null (RandomSearch
/// has no weights).
template <Scalar T>
void write_controller_state(std::ostream& out, SpaceKind space, const ParameterArena<T>* params,
                            const ReinforceState& state, const Rng& rng) {
    using namespace state_io_detail;
    Writer w;
    w.bytes.insert(w.bytes.end(), kMagic, kMagic + 8);
    w.put(kVersion);
    w.put_string(space_name(space));
    w.put(state.baseline);
    w.put(state.step);
    w.put(state.pending);
    w.put(rng.seed());
    w.put(rng.offset());
    const std::size_t num_blocks = params ? params->blocks().size() : 0;
    w.put(static_cast<std::uint32_t>(num_blocks));
    for (std::size_t b = 0; b < num_blocks; ++b) {
        const ParameterBlock& block = params->blocks()[b];
        w.put_string(block.name);
        w.put(static_cast<std::uint32_t>(block.shape.rank()));
        for (int d = 0; d < block.shape.rank(); ++d) w.put(static_cast<std::int64_t>(block.shape[d]));
        for (const Tensor<T, Cpu>* t : {&params->values(), &params->grads(), &params->adam_m(), &params->adam_v()})
            for (std::int64_t i = 0; i < block.numel(); ++i) w.put(static_cast<double>(t->data()[block.offset + i]));
    }
    w.put(fnv1a(w.bytes.data(), w.bytes.size()));
    out.write(w.bytes.data(), static_cast<std::streamsize>(w.bytes.size()));
    check<IoError>(static_cast<bool>(out), "controller state: writing the state failed");
}

/// Reads a state written for the same space from `in` into `params` (same block names and
/// shapes), `state` and `rng`; `path` names the source in messages. Nothing is modified unless the
/// whole state is valid.
template <Scalar T>
void read_controller_state(std::istream& in, const std::string& path, SpaceKind space, ParameterArena<T>* params,
                           ReinforceState& state, Rng& rng) {
    using namespace state_io_detail;
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check<IoError>(!in.bad(), "controller state: reading '", path, "' failed");
    check<FormatError>(bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) == 0, "controller state file '", path,
                       "': not a controller state (bad magic; expected \"ENASCTRL\")");
    check<FormatError>(bytes.size() >= 16, "controller state file '", path, "': truncated (", bytes.size(), " bytes)");
    Reader r(path, bytes, bytes.size() - 8);
    for (int i = 0; i < 8; ++i) r.get<char>("magic");
    const auto version = r.get<std::uint32_t>("version");
    if (version != kVersion) r.fail("unsupported version " + std::to_string(version) + " (expected 1)");
    const std::string file_space = r.get_string("space");
    if (file_space != space_name(space))
        r.fail("holds a '" + file_space + "' controller state, this controller is '" + space_name(space) + "'");
    ReinforceState loaded;
    loaded.baseline = r.get<double>("baseline");
    loaded.step = r.get<std::int64_t>("step");
    loaded.pending = r.get<std::int64_t>("pending");
    const auto seed = r.get<std::uint64_t>("rng seed");
    const auto offset = r.get<std::uint64_t>("rng offset");
    const auto num_blocks = r.get<std::uint32_t>("block count");
    const std::size_t expected_blocks = params ? params->blocks().size() : 0;
    if (num_blocks != expected_blocks)
        r.fail("has " + std::to_string(num_blocks) + " parameter blocks, this controller has " +
               std::to_string(expected_blocks));
    std::vector<double> staged;
    staged.reserve(params ? static_cast<std::size_t>(4 * params->size()) : 0);
    for (std::uint32_t b = 0; b < num_blocks; ++b) {
        const ParameterBlock& block = params->blocks()[b];
        const std::string name = r.get_string("block name");
        if (name != block.name)
            r.fail("parameter block " + std::to_string(b) + " is '" + name + "', expected '" + block.name + "'");
        const auto rank = r.get<std::uint32_t>("block rank");
        if (rank > static_cast<std::uint32_t>(Shape::kMaxRank))
            r.fail("block '" + name + "' has rank " + std::to_string(rank));
        std::vector<std::int64_t> dims(rank);
        for (auto& d : dims) d = r.get<std::int64_t>("block shape");
        bool same = static_cast<int>(rank) == block.shape.rank();
        for (std::uint32_t d = 0; same && d < rank; ++d) same = dims[d] == block.shape[static_cast<int>(d)];
        if (!same) {
            std::string seen = "[";
            for (std::size_t d = 0; d < dims.size(); ++d) seen += (d ? ", " : "") + std::to_string(dims[d]);
            r.fail("parameter '" + name + "' has shape " + seen + "], this controller expects " + block.shape.str() +
                   " (different hidden size or number of ops?)");
        }
        for (int k = 0; k < 4; ++k)
            for (std::int64_t i = 0; i < block.numel(); ++i) staged.push_back(r.get<double>("parameter values"));
    }
    if (r.position() != bytes.size() - 8)
        r.fail(std::to_string(bytes.size() - 8 - r.position()) + " unexpected bytes before the checksum");
    std::uint64_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    if (stored != fnv1a(bytes.data(), bytes.size() - 8)) r.fail("checksum mismatch (the file is corrupt)");

    std::size_t at = 0;
    for (std::uint32_t b = 0; b < num_blocks; ++b) {
        const ParameterBlock& block = params->blocks()[b];
        for (Tensor<T, Cpu>* t : {&params->values(), &params->grads(), &params->adam_m(), &params->adam_v()})
            for (std::int64_t i = 0; i < block.numel(); ++i) t->data()[block.offset + i] = static_cast<T>(staged[at++]);
    }
    state = loaded;
    rng.set_state(seed, offset);
}

}  // namespace enas::controller
