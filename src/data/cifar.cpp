#include "enas/data/cifar.hpp"

#include <fstream>
#include <system_error>
#include <vector>

#include "enas/core/error.hpp"

namespace enas::data {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kPixelBytes = 3 * 32 * 32;

ImageDataset empty_cifar(const std::string& name, std::int32_t num_classes) {
    ImageDataset ds;
    ds.name = name;
    ds.channels = 3;
    ds.height = 32;
    ds.width = 32;
    ds.num_classes = num_classes;
    return ds;
}

void check_split(const char* dataset, const std::string& split) {
    check<ValueError>(split == "train" || split == "test", dataset, " split must be 'train' or 'test', got '", split,
                      "'");
}

void require_folder(const fs::path& dir, const char* dataset, const char* expected) {
    std::error_code ec;
    check<IoError>(fs::is_directory(dir, ec), dataset, " folder '", dir.string(),
                   "' does not exist (or is not a folder); expected the folder of the binary release holding ",
                   expected);
}

void require_file(const fs::path& file, const char* dataset, const char* expected) {
    std::error_code ec;
    check<IoError>(fs::is_regular_file(file, ec), dataset, " file '", file.string(), "' not found; the folder '",
                   file.parent_path().string(), "' should hold ", expected);
}

}  // namespace

void append_cifar_file(const fs::path& file, int label_bytes, std::int32_t num_classes, ImageDataset& ds) {
    check<ValueError>(label_bytes == 1 || label_bytes == 2, "append_cifar_file: label_bytes must be 1 or 2, got ",
                      label_bytes);
    check<ValueError>(ds.channels == 3 && ds.height == 32 && ds.width == 32, "append_cifar_file: dataset '", ds.name,
                      "' is ", ds.channels, "x", ds.height, "x", ds.width, ", expected 3x32x32");
    const std::string name = file.string();
    std::error_code ec;
    check<IoError>(fs::is_regular_file(file, ec), "CIFAR file '", name, "' not found (or is not a regular file)");
    const auto size = static_cast<std::int64_t>(fs::file_size(file, ec));
    check<IoError>(!ec, "cannot read the size of '", name, "': ", ec.message());
    const std::int64_t record = label_bytes + kPixelBytes;
    check<FormatError>(size > 0, "'", name, "' is empty; expected records of ", record, " bytes (", label_bytes,
                       " label byte(s) + ", kPixelBytes, " pixel bytes)");
    check<FormatError>(size % record == 0, "'", name, "' has ", size, " bytes, which is not a multiple of the ", record,
                       "-byte record (", label_bytes, " label byte(s) + ", kPixelBytes,
                       " pixel bytes): ", size / record, " whole records and ", size % record,
                       " bytes left over (truncated, or not this dataset's binary format)");
    std::ifstream in(file, std::ios::binary);
    check<IoError>(in.good(), "cannot open '", name, "' for reading");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    check<IoError>(in.gcount() == size, "reading '", name, "' stopped after ", in.gcount(), " of ", size, " bytes");

    const std::int64_t records = size / record;
    const std::size_t first_pixel = ds.pixels.size();
    ds.pixels.resize(first_pixel + static_cast<std::size_t>(records * kPixelBytes));
    ds.labels.reserve(ds.labels.size() + static_cast<std::size_t>(records));
    for (std::int64_t r = 0; r < records; ++r) {
        const std::uint8_t* rec = bytes.data() + r * record;
        if (label_bytes == 2)  // CIFAR-100: the coarse label first (20 superclasses)
            check<FormatError>(rec[0] < 20, "'", name, "': record ", r, " has coarse label ", int(rec[0]),
                               ", expected a value in [0, 20)");
        const int label = rec[label_bytes - 1];
        check<FormatError>(label < num_classes, "'", name, "': record ", r, " has label ", label,
                           ", expected a value in [0, ", num_classes, ")");
        ds.labels.push_back(label);
        std::copy(
            rec + label_bytes, rec + record,
            ds.pixels.begin() + static_cast<std::ptrdiff_t>(first_pixel + static_cast<std::size_t>(r * kPixelBytes)));
    }
}

ImageDataset load_cifar10(const fs::path& path, const std::string& split) {
    check_split("CIFAR-10", split);
    ImageDataset ds = empty_cifar("cifar10/" + split, 10);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        append_cifar_file(path, 1, 10, ds);
        ds.description = "CIFAR-10 file " + path.string();
        return ds;
    }
    if (split == "test") {
        require_folder(path, "CIFAR-10", "test_batch.bin (and data_batch_1..5.bin)");
        const fs::path file = path / "test_batch.bin";
        require_file(file, "CIFAR-10", "test_batch.bin for the test split");
        append_cifar_file(file, 1, 10, ds);
        ds.description = "CIFAR-10 test split: " + file.string();
        return ds;
    }
    require_folder(path, "CIFAR-10", "data_batch_1.bin .. data_batch_5.bin (and test_batch.bin)");
    require_file(path / "data_batch_1.bin", "CIFAR-10",
                 "data_batch_1.bin (required) .. data_batch_5.bin for the training split");
    int found = 0;
    std::string files;
    for (int b = 1; b <= 5; ++b) {
        const fs::path file = path / ("data_batch_" + std::to_string(b) + ".bin");
        if (!fs::is_regular_file(file, ec)) continue;
        append_cifar_file(file, 1, 10, ds);
        files += (found++ ? ", " : "") + file.filename().string();
    }
    ds.description = std::to_string(found) + " of 5 CIFAR-10 training batches in " + path.string() + ": " + files;
    return ds;
}

ImageDataset load_cifar100(const fs::path& path, const std::string& split) {
    check_split("CIFAR-100", split);
    ImageDataset ds = empty_cifar("cifar100/" + split, 100);
    std::error_code ec;
    fs::path file = path;
    if (!fs::is_regular_file(path, ec)) {
        require_folder(path, "CIFAR-100", "train.bin and test.bin");
        file = path / (split + ".bin");
        require_file(file, "CIFAR-100",
                     split == "train" ? "train.bin for the training split" : "test.bin for the test split");
    }
    append_cifar_file(file, 2, 100, ds);
    ds.description = "CIFAR-100 " + split + " split (fine labels): " + file.string();
    return ds;
}

}  // namespace enas::data
