// PNG and JPEG files in and out, and the resize filter of the image-folder datasets
// (image_folder.hpp) and of enas_predict.
//
// Decoding goes through Debian's libpng (its simplified png_image API) and libjpeg-turbo rather
// than a single-header decoder such as stb_image: libjpeg-turbo is the JPEG decoder of Pillow and
// torchvision, so a JPEG decodes to the same pixels here as in a Python pipeline (what a model
// exported to ONNX is fed there), both libraries are fuzzed and patched by their distributions,
// and both report a truncated file (libjpeg-turbo's "premature end" warning is an error here,
// where stb_image fills the missing part with grey).
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace enas::data {

/// An 8-bit image in HWC order: channels 1 (grey) or 3 (RGB).
struct DecodedImage {
    std::int64_t channels = 0, height = 0, width = 0;
    std::vector<std::uint8_t> pixels;  ///< height * width * channels, row-major, channels interleaved
};

/// Whether `path` names an image by its extension (.png, .jpg, .jpeg, any case): the files an
/// image folder reads; other files are skipped.
bool is_image_file(const std::filesystem::path& path);

/// The channel count (1 or 3) and size of a PNG or JPEG file without decoding its pixels. PNG:
/// grey and grey+alpha are 1, RGB, RGBA and palette images are 3. JPEG: 1 or 3 components.
/// Throws IoError (unreadable file) or FormatError (neither PNG nor JPEG, or a bad header), naming
/// the file.
DecodedImage read_image_header(const std::filesystem::path& path);

/// The most pixels an image may have: Pillow's decompression-bomb limit (Image.MAX_IMAGE_PIXELS).
/// Larger headers are refused before any pixel memory is allocated.
inline constexpr std::int64_t kMaxImagePixels = 89'478'485;

/// Decodes a PNG or JPEG file (recognised by its first bytes, not its name) into 1 (grey) or 3
/// (RGB) channels as read_image_header says; alpha is dropped (not composited). Throws IoError or
/// FormatError naming the file on an unreadable, corrupt or truncated image, on a CMYK JPEG and on
/// an image of more than kMaxImagePixels pixels (read_image_header refuses those too).
DecodedImage decode_image(const std::filesystem::path& path);

/// Resizes `img` to `height` x `width` with the antialiased bilinear filter of Pillow's
/// Image.resize(BILINEAR) (and so of torchvision's Resize on PIL images): separable triangle
/// weights centred on each output pixel's centre, the support widened by the scale factor when
/// shrinking so that every input pixel contributes; computed in float, rounded to nearest. The same
/// size returns the image unchanged. Throws ValueError on a size < 1.
DecodedImage resize_image(const DecodedImage& img, std::int64_t height, std::int64_t width);

/// Writes `img` as an 8-bit PNG (grey or RGB). Throws IoError naming the file on failure.
void write_png(const std::filesystem::path& path, const DecodedImage& img);
/// Writes `img` as a baseline JPEG of `quality` (1..100). Throws IoError naming the file on failure.
void write_jpeg(const std::filesystem::path& path, const DecodedImage& img, int quality = 90);

}  // namespace enas::data
