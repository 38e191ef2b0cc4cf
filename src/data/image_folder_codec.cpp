#include "enas/data/image_folder_codec.hpp"

// libjpeg's headers need FILE and size_t declared first.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include "enas/core/error.hpp"

namespace enas::data {
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::error_code ec;
    check<IoError>(fs::is_regular_file(path, ec), "cannot read image '", path.string(),
                   "': not found or not a regular file");
    std::ifstream in(path, std::ios::binary);
    check<IoError>(static_cast<bool>(in), "cannot open image '", path.string(), "'");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check<IoError>(!in.bad(), "cannot read image '", path.string(), "'");
    return bytes;
}

bool is_png(const std::vector<std::uint8_t>& b) { return b.size() >= 8 && png_sig_cmp(b.data(), 0, 8) == 0; }
bool is_jpeg(const std::vector<std::uint8_t>& b) {
    return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

// ---- PNG: libpng's simplified API (no setjmp on our side) ----

DecodedImage png_decode(const std::vector<std::uint8_t>& bytes, const fs::path& path, bool pixels) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
        throw FormatError(detail::concat("cannot decode PNG '", path.string(), "': ", image.message));
    DecodedImage out;
    out.channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    out.height = image.height;
    out.width = image.width;
    if (!pixels) {
        png_image_free(&image);
        return out;
    }
    // Read with alpha when there is one and drop it ourselves: without, libpng would composite.
    const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    image.format =
        out.channels == 3 ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    std::vector<std::uint8_t> buffer(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, buffer.data(), 0, nullptr))
        throw FormatError(
            detail::concat("cannot decode PNG '", path.string(), "' (corrupt or truncated): ", image.message));
    const std::size_t n = static_cast<std::size_t>(out.height * out.width),
                      in_c = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
    const auto c = static_cast<std::size_t>(out.channels);
    out.pixels.resize(n * c);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < c; ++k) out.pixels[i * c + k] = buffer[i * in_c + k];
    return out;
}

// ---- JPEG: libjpeg-turbo, errors and warnings through longjmp ----
// No C++ object with a destructor lives in the frames between setjmp and longjmp: the pixels go
// into a buffer the caller's frame owns.

struct JpegError {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

extern "C" void jpeg_on_error(j_common_ptr cinfo) {
    auto* e = reinterpret_cast<JpegError*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

// A warning (level -1) is corrupt data, e.g. "Premature end of JPEG file" for a truncated file: an
// error here (libjpeg would fill the rest of the image with grey and carry on).
extern "C" void jpeg_on_message(j_common_ptr cinfo, int level) {
    if (level < 0) jpeg_on_error(cinfo);
}

struct JpegInfo {
    int channels = 0, height = 0, width = 0;
    bool cmyk = false;
};

/// Returns false with e.message set on failure; `out` receives the pixels when non-null (its
/// size must be asked for by a first call with out == nullptr).
bool jpeg_decode_c(const std::uint8_t* data, std::size_t size, JpegInfo* info, std::vector<std::uint8_t>* out,
                   JpegError* e) {
    jpeg_decompress_struct cinfo;
    cinfo.err = jpeg_std_error(&e->mgr);
    e->mgr.error_exit = jpeg_on_error;
    e->mgr.emit_message = jpeg_on_message;
    if (setjmp(e->jump)) {
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&cinfo, TRUE);
    info->height = static_cast<int>(cinfo.image_height);
    info->width = static_cast<int>(cinfo.image_width);
    info->cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    info->channels = cinfo.num_components == 1 ? 1 : 3;
    if (out != nullptr && !info->cmyk) {
        cinfo.out_color_space = info->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
        jpeg_start_decompress(&cinfo);
        const std::size_t row = static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components;
        out->resize(row * cinfo.output_height);
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW p = out->data() + row * cinfo.output_scanline;
            jpeg_read_scanlines(&cinfo, &p, 1);
        }
        jpeg_finish_decompress(&cinfo);
    }
    jpeg_destroy_decompress(&cinfo);
    return true;
}

/// Encodes `img` into a malloc'd buffer (the caller frees it); false with e.message set on failure.
bool jpeg_encode_c(const DecodedImage& img, int quality, unsigned char** buffer, unsigned long* size, JpegError* e) {
    jpeg_compress_struct cinfo;
    cinfo.err = jpeg_std_error(&e->mgr);
    e->mgr.error_exit = jpeg_on_error;
    if (setjmp(e->jump)) {
        jpeg_destroy_compress(&cinfo);
        return false;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, buffer, size);
    cinfo.image_width = static_cast<JDIMENSION>(img.width);
    cinfo.image_height = static_cast<JDIMENSION>(img.height);
    cinfo.input_components = static_cast<int>(img.channels);
    cinfo.in_color_space = img.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    const std::size_t row = static_cast<std::size_t>(img.width * img.channels);
    while (cinfo.next_scanline < cinfo.image_height) {
        auto* p = const_cast<JSAMPLE*>(img.pixels.data() + row * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &p, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return true;
}

DecodedImage jpeg_decode(const std::vector<std::uint8_t>& bytes, const fs::path& path, bool pixels) {
    JpegInfo info;
    JpegError e{};
    DecodedImage out;
    if (!jpeg_decode_c(bytes.data(), bytes.size(), &info, pixels ? &out.pixels : nullptr, &e))
        throw FormatError(
            detail::concat("cannot decode JPEG '", path.string(), "' (corrupt or truncated): ", e.message));
    check<FormatError>(!info.cmyk, "JPEG '", path.string(), "' is CMYK; expected a grey or colour (RGB) image");
    out.channels = info.channels;
    out.height = info.height;
    out.width = info.width;
    return out;
}

DecodedImage decode(const fs::path& path, bool pixels) {
    const std::vector<std::uint8_t> bytes = read_file(path);
    check<FormatError>(!bytes.empty(), "image '", path.string(), "' is empty (0 bytes)");
    const bool png = is_png(bytes);
    if (!png && !is_jpeg(bytes))
        throw FormatError(detail::concat("image '", path.string(), "' is neither PNG nor JPEG (by its first bytes)"));
    const DecodedImage header = png ? png_decode(bytes, path, false) : jpeg_decode(bytes, path, false);
    // The size comes from the header; checked before the pixels are allocated, so a corrupt or
    // hostile header cannot make the reader ask for gigabytes (found by tests/fuzz/fuzz_image_file).
    check<FormatError>(header.height * header.width <= kMaxImagePixels, "image '", path.string(), "' is ", header.width,
                       "x", header.height, " pixels, more than the ", kMaxImagePixels,
                       " an image may have (a corrupt header, or an image far larger than a dataset needs: "
                       "downscale it first)");
    if (!pixels) return header;
    return png ? png_decode(bytes, path, true) : jpeg_decode(bytes, path, true);
}

/// Pillow's resample coefficients (ImagingResample, bilinear): for each output index, the first
/// input index and the normalised weights.
struct Taps {
    std::vector<std::int64_t> first;
    std::vector<std::vector<float>> weights;
};

Taps bilinear_taps(std::int64_t in, std::int64_t out) {
    const double scale = static_cast<double>(in) / static_cast<double>(out);
    const double filterscale = std::max(scale, 1.0);
    const double support = 1.0 * filterscale;
    Taps t;
    for (std::int64_t o = 0; o < out; ++o) {
        const double center = (static_cast<double>(o) + 0.5) * scale;
        const auto lo = std::max<std::int64_t>(static_cast<std::int64_t>(center - support + 0.5), 0);
        const auto hi = std::min<std::int64_t>(static_cast<std::int64_t>(center + support + 0.5), in);
        std::vector<float> w;
        double sum = 0;
        for (std::int64_t x = lo; x < hi; ++x) {
            const double v = std::max(0.0, 1.0 - std::abs((static_cast<double>(x) - center + 0.5) / filterscale));
            w.push_back(static_cast<float>(v));
            sum += v;
        }
        for (float& v : w) v = sum > 0 ? static_cast<float>(v / sum) : 0.0f;
        t.first.push_back(lo);
        t.weights.push_back(std::move(w));
    }
    return t;
}

}  // namespace

bool is_image_file(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

DecodedImage read_image_header(const fs::path& path) { return decode(path, false); }
DecodedImage decode_image(const fs::path& path) { return decode(path, true); }

DecodedImage resize_image(const DecodedImage& img, std::int64_t height, std::int64_t width) {
    check<ValueError>(height >= 1 && width >= 1, "resize_image: target size ", height, "x", width, " is not positive");
    if (height == img.height && width == img.width) return img;
    const std::int64_t c = img.channels;
    const Taps tx = bilinear_taps(img.width, width), ty = bilinear_taps(img.height, height);
    std::vector<float> rows(static_cast<std::size_t>(img.height * width * c));  // horizontal pass
    for (std::int64_t y = 0; y < img.height; ++y)
        for (std::int64_t x = 0; x < width; ++x)
            for (std::int64_t k = 0; k < c; ++k) {
                float s = 0;
                const auto& w = tx.weights[static_cast<std::size_t>(x)];
                for (std::size_t i = 0; i < w.size(); ++i)
                    s +=
                        w[i] *
                        img.pixels[static_cast<std::size_t>(
                            (y * img.width + tx.first[static_cast<std::size_t>(x)] + static_cast<std::int64_t>(i)) * c +
                            k)];
                rows[static_cast<std::size_t>((y * width + x) * c + k)] = s;
            }
    DecodedImage out{c, height, width, std::vector<std::uint8_t>(static_cast<std::size_t>(height * width * c))};
    for (std::int64_t y = 0; y < height; ++y)
        for (std::int64_t x = 0; x < width; ++x)
            for (std::int64_t k = 0; k < c; ++k) {
                float s = 0;
                const auto& w = ty.weights[static_cast<std::size_t>(y)];
                for (std::size_t i = 0; i < w.size(); ++i)
                    s += w[i] *
                         rows[static_cast<std::size_t>(
                             ((ty.first[static_cast<std::size_t>(y)] + static_cast<std::int64_t>(i)) * width + x) * c +
                             k)];
                out.pixels[static_cast<std::size_t>((y * width + x) * c + k)] =
                    static_cast<std::uint8_t>(std::clamp(std::lround(s), 0L, 255L));
            }
    return out;
}

void write_png(const fs::path& path, const DecodedImage& img) {
    check<ValueError>(img.channels == 1 || img.channels == 3, "write_png: ", img.channels,
                      " channels, expected 1 or 3");
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(img.width);
    image.height = static_cast<png_uint_32>(img.height);
    image.format = img.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    if (!png_image_write_to_file(&image, path.c_str(), 0, img.pixels.data(), 0, nullptr))
        throw IoError(detail::concat("cannot write PNG '", path.string(), "': ", image.message));
}

void write_jpeg(const fs::path& path, const DecodedImage& img, int quality) {
    check<ValueError>(img.channels == 1 || img.channels == 3, "write_jpeg: ", img.channels,
                      " channels, expected 1 or 3");
    check<ValueError>(quality >= 1 && quality <= 100, "write_jpeg: quality ", quality, " outside 1..100");
    check<ValueError>(img.pixels.size() == static_cast<std::size_t>(img.height * img.width * img.channels),
                      "write_jpeg: ", img.pixels.size(), " pixel bytes for ", img.height, "x", img.width, "x",
                      img.channels);
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    JpegError e{};
    const bool ok = jpeg_encode_c(img, quality, &buffer, &size, &e);
    std::string bytes = ok && buffer != nullptr ? std::string(reinterpret_cast<const char*>(buffer), size) : "";
    std::free(buffer);
    check<IoError>(ok, "cannot encode JPEG '", path.string(), "': ", e.message);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    check<IoError>(static_cast<bool>(out.flush()), "cannot write JPEG '", path.string(), "'");
}

}  // namespace enas::data
