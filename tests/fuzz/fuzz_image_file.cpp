// Fuzz harness: the PNG / JPEG reader of image folders and enas_predict
// (data/image_folder_codec.hpp): header, full decode and a resize of what decodes.
#include <cstddef>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/data/image_folder_codec.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = enas::fuzz::scratch().write("image", enas::fuzz::as_text(data, size));
    try {
        const enas::data::DecodedImage header = enas::data::read_image_header(path);
        const enas::data::DecodedImage img = enas::data::decode_image(path);
        if (img.channels != header.channels || img.height != header.height || img.width != header.width)
            __builtin_trap();  // the header must describe what decodes
        if (img.pixels.size() != static_cast<std::size_t>(img.channels * img.height * img.width)) __builtin_trap();
        (void)enas::data::resize_image(img, 7, 5);
    } catch (const enas::Error&) {}
    return 0;
}
