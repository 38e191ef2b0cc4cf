#include "enas/data/image_folder.hpp"

#include <algorithm>
#include <exception>
#include <system_error>
#include <utility>

#include "enas/core/error.hpp"
#include "enas/data/image_folder_codec.hpp"
#include "enas/data/shuffle.hpp"

namespace enas::data {
namespace fs = std::filesystem;

namespace {

// The fixed seed of the stored order (any constant: it only has to be the same on every run).
constexpr std::uint64_t kFolderOrderSeed = 0x464F4C444552ull;  // "FOLDER"

struct Entry {
    fs::path file;
    std::int32_t label = 0;
};

const char* channel_words(std::int64_t c) { return c == 1 ? "grey" : "colour"; }

std::vector<std::string> sorted_subfolders(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec)) names.push_back(e.path().filename().string());
    check<IoError>(!ec, "cannot list '", dir.string(), "': ", ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

/// The images of split folder `dir`, class by class (label = index in `classes`).
std::vector<Entry> list_split(const fs::path& dir, const std::vector<std::string>& classes) {
    const std::vector<std::string> found = sorted_subfolders(dir);
    check<ValueError>(!found.empty(), "image folder '", dir.string(),
                      "' holds no class folders; expected one subfolder of images per class (", dir.string(),
                      "/<class>/<image>.png|jpg)");
    std::vector<Entry> out;
    for (const std::string& name : found) {
        const auto it = std::find(classes.begin(), classes.end(), name);
        check<ValueError>(it != classes.end(), "class folder '", (dir / name).string(),
                          "' has no counterpart in the training folder (its classes: ", classes.size(),
                          " folders under '", (dir.parent_path() / "train").string(), "')");
        const std::vector<fs::path> files = find_image_files(dir / name);
        check<ValueError>(!files.empty(), "class folder '", (dir / name).string(),
                          "' holds no images (*.png, *.jpg, *.jpeg)");
        for (const fs::path& f : files) out.push_back({f, static_cast<std::int32_t>(it - classes.begin())});
    }
    return out;
}

/// The size and channels every image must have: the first training image's (checked against
/// every header of both splits when no size is given; channels always).
struct Layout {
    std::int64_t channels = 0, size = 0;
};

Layout common_layout(const std::vector<Entry>& train, const std::vector<Entry>& test, std::int64_t image_size) {
    const DecodedImage first = read_image_header(train.front().file);
    Layout l{first.channels, image_size};
    if (image_size == 0) {
        check<ValueError>(first.height == first.width, "image '", train.front().file.string(), "' is ", first.width,
                          "x", first.height,
                          " (width x height), not square; the models need square images: pass "
                          "--image-size N to resize every image to N x N");
        l.size = first.height;
    }
    for (const std::vector<Entry>* split : {&train, &test})
        for (const Entry& e : *split) {
            const DecodedImage h = read_image_header(e.file);
            check<FormatError>(h.channels == first.channels, "image '", e.file.string(), "' has ", h.channels,
                               " channel(s) (", channel_words(h.channels), "); the first training image '",
                               train.front().file.string(), "' has ", first.channels, " (",
                               channel_words(first.channels), ")");
            check<ValueError>(image_size > 0 || (h.height == first.height && h.width == first.width), "image '",
                              e.file.string(), "' is ", h.width, "x", h.height, " but '", train.front().file.string(),
                              "' is ", first.width, "x", first.height,
                              ": pass --image-size N to resize every image to N x N");
        }
    return l;
}

/// Decodes `files` in parallel into NCHW images of `channels` x size x size (the first error by
/// file order is rethrown).
void decode_into(const std::vector<fs::path>& files, const Layout& l, ImageDataset& ds) {
    const std::int64_t n = static_cast<std::int64_t>(files.size()), plane = l.size * l.size;
    ds.channels = l.channels;
    ds.height = ds.width = l.size;
    ds.pixels.assign(static_cast<std::size_t>(n * l.channels * plane), 0);
    std::vector<std::exception_ptr> errors(files.size());
#pragma omp parallel for schedule(dynamic, 8)
    for (std::int64_t i = 0; i < n; ++i) {
        try {
            const fs::path& f = files[static_cast<std::size_t>(i)];
            const DecodedImage img = resize_image(decode_image(f), l.size, l.size);
            check<FormatError>(img.channels == l.channels, "image '", f.string(), "' has ", img.channels,
                               " channel(s) (", channel_words(img.channels), "), expected ", l.channels, " (",
                               channel_words(l.channels), ")");
            std::uint8_t* dst = ds.pixels.data() + i * l.channels * plane;
            for (std::int64_t p = 0; p < plane; ++p)
                for (std::int64_t c = 0; c < l.channels; ++c)
                    dst[c * plane + p] = img.pixels[static_cast<std::size_t>(p * l.channels + c)];
        } catch (...) { errors[static_cast<std::size_t>(i)] = std::current_exception(); }
    }
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace

std::vector<fs::path> find_image_files(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) return {dir};
    check<IoError>(fs::is_directory(dir, ec), "'", dir.string(), "' is neither an image file nor a folder");
    std::vector<fs::path> out;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && is_image_file(it->path())) out.push_back(it->path());
    check<IoError>(!ec, "cannot list '", dir.string(), "': ", ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> image_folder_classes(const fs::path& root) {
    std::error_code ec;
    check<IoError>(fs::is_directory(root, ec), "image folder '", root.string(),
                   "' does not exist (or is not a folder); expected DIR/train/<class>/<images>");
    const fs::path train = root / "train";
    check<IoError>(fs::is_directory(train, ec), "image folder '", root.string(), "' has no train/ subfolder; expected ",
                   train.string(), "/<class>/<image>.png|jpg");
    const std::vector<std::string> classes = sorted_subfolders(train);
    check<ValueError>(!classes.empty(), "image folder '", train.string(),
                      "' holds no class folders; expected one subfolder of images per class");
    return classes;
}

ImageDataset load_image_folder(const fs::path& root, const std::string& split, const ImageFolderOptions& options) {
    check<ValueError>(split == "train" || split == "test", "image folder split must be 'train' or 'test', got '", split,
                      "'");
    check<ValueError>(options.image_size >= 0, "image size ", options.image_size, " is negative");
    const std::vector<std::string> classes = image_folder_classes(root);
    std::error_code ec;
    const bool has_test = fs::is_directory(root / "test", ec);
    const std::vector<Entry> train = list_split(root / "train", classes);
    const std::vector<Entry> test = has_test ? list_split(root / "test", classes) : std::vector<Entry>{};
    const Layout layout = common_layout(train, test, options.image_size);
    const std::vector<Entry>& entries = split == "train" ? train : test;

    std::vector<std::int64_t> order;
    shuffled_order(static_cast<std::int64_t>(entries.size()), kFolderOrderSeed, 0, order);
    ImageDataset ds;
    ds.name = "folder/" + split;
    ds.class_names = classes;
    ds.num_classes = static_cast<std::int32_t>(classes.size());
    std::vector<fs::path> files;
    for (const std::int64_t i : order) {
        files.push_back(entries[static_cast<std::size_t>(i)].file);
        ds.labels.push_back(entries[static_cast<std::size_t>(i)].label);
    }
    decode_into(files, layout, ds);
    ds.description = split == "test" && !has_test
                         ? detail::concat("no test folder in '", root.string(), "': an empty test split")
                         : detail::concat(entries.size(), " images of ", classes.size(), " classes in '",
                                          (root / split).string(), "', ", layout.channels == 1 ? "grey" : "RGB",
                                          ", resized to ", layout.size, "x", layout.size);
    return ds;
}

ImageDataset load_image_files(const std::vector<fs::path>& files, std::int64_t channels, std::int64_t size) {
    check<ValueError>((channels == 1 || channels == 3) && size >= 1, "load_image_files: ", channels, " channels of ",
                      size, "x", size, ", expected 1 or 3 channels and a positive size");
    ImageDataset ds;
    ds.name = "files";
    ds.num_classes = 1;
    ds.labels.assign(files.size(), 0);
    decode_into(files, Layout{channels, size}, ds);
    return ds;
}

}  // namespace enas::data
