#include "enas/data/idx.hpp"

#include <zlib.h>

#include <array>
#include <cstdio>

namespace enas::data {
namespace fs = std::filesystem;

namespace {

// Reads the whole file through zlib, which passes uncompressed files through unchanged.
std::vector<std::uint8_t> read_maybe_gzip(const fs::path& path) {
    if (!fs::exists(path)) throw IoError(detail::concat("cannot open '", path.string(), "': no such file"));
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw IoError(detail::concat("cannot open '", path.string(), "' for reading"));
    std::vector<std::uint8_t> out;
    std::array<std::uint8_t, 1 << 16> buf{};
    for (;;) {
        const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
        if (n < 0) {
            int code = 0;
            const std::string msg = gzerror(f, &code);
            gzclose(f);
            throw FormatError(detail::concat("'", path.string(), "' is not a readable (gzip) file: ", msg));
        }
        if (n == 0) break;
        out.insert(out.end(), buf.begin(), buf.begin() + n);
    }
    gzclose(f);
    return out;
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

fs::path find_file(const fs::path& dir, const std::string& stem) {
    for (const char* suffix : {".gz", ""}) {
        const fs::path p = dir / (stem + suffix);
        if (fs::exists(p)) return p;
    }
    throw IoError(detail::concat("Fashion-MNIST file '", stem, "[.gz]' not found in '", dir.string(),
                                 "'. Install Debian's dataset-fashion-mnist package (it puts the files in ",
                                 kDebianFashionMnistDir, ") or pass the folder that holds them."));
}

}  // namespace

IdxArray read_idx(const fs::path& path) {
    const std::vector<std::uint8_t> bytes = read_maybe_gzip(path);
    const std::string name = path.string();
    check<FormatError>(bytes.size() >= 4, "'", name, "' is too short (", bytes.size(), " bytes) to be an IDX file");
    check<FormatError>(bytes[0] == 0 && bytes[1] == 0, "'", name, "' has a bad IDX magic number (first bytes ",
                       int(bytes[0]), " ", int(bytes[1]), ", expected 0 0)");
    check<FormatError>(bytes[2] == 0x08, "'", name, "' holds IDX element type 0x", std::hex, int(bytes[2]),
                       ", expected 0x08 (unsigned byte)");
    const int rank = bytes[3];
    check<FormatError>(rank >= 1 && rank <= 4, "'", name, "' has IDX rank ", rank, ", expected 1 to 4");
    const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
    check<FormatError>(bytes.size() >= header, "'", name, "' is truncated inside its header");
    IdxArray a;
    std::size_t count = 1;
    for (int i = 0; i < rank; ++i) {
        const std::uint32_t d = big_endian_u32(bytes.data() + 4 + 4 * i);
        a.dims.push_back(d);
        count *= d;
    }
    check<FormatError>(bytes.size() == header + count, "'", name, "' has ", bytes.size() - header,
                       " data bytes, expected ", count, " for its dimensions (truncated or corrupt)");
    a.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
    return a;
}

ImageDataset load_fashion_mnist(const fs::path& dir, const std::string& split) {
    check<ValueError>(split == "train" || split == "test", "Fashion-MNIST split must be 'train' or 'test', got '",
                      split, "'");
    const std::string prefix = split == "train" ? "train" : "t10k";
    const fs::path images_path = find_file(dir, prefix + "-images-idx3-ubyte");
    const fs::path labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);
    check<FormatError>(images.dims.size() == 3, "'", images_path.string(), "' has rank ", images.dims.size(),
                       ", expected 3 (N, 28, 28)");
    check<FormatError>(labels.dims.size() == 1, "'", labels_path.string(), "' has rank ", labels.dims.size(),
                       ", expected 1 (N)");
    check<FormatError>(images.dims[0] == labels.dims[0], "'", images_path.string(), "' holds ", images.dims[0],
                       " images but '", labels_path.string(), "' holds ", labels.dims[0], " labels");
    ImageDataset ds;
    ds.name = "fashion-mnist/" + split;
    ds.description = "Fashion-MNIST " + split + " split: " + images_path.string() + ", " + labels_path.string();
    ds.channels = 1;
    ds.height = images.dims[1];
    ds.width = images.dims[2];
    ds.num_classes = 10;
    ds.pixels = std::move(images.values);
    ds.labels.reserve(labels.values.size());
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        const int label = labels.values[i];
        check<FormatError>(label < 10, "'", labels_path.string(), "': label ", label, " of record ", i,
                           " is outside [0, 10)");
        ds.labels.push_back(label);
    }
    return ds;
}

}  // namespace enas::data
