// Augmentation (pad, crop, flip, cutout) against a naive reference that builds the padded image,
// crops it, mirrors it and zeroes the cutout square step by step; and the draws' determinism and
// distribution.
#include <map>
#include <set>

#include "data_test_support.hpp"
#include "enas/data/augment.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;

namespace {

// The reference, literally: pad with zeros, crop, flip, cut out.
std::vector<float> naive_augment(const std::vector<float>& img, std::int64_t C, std::int64_t H, std::int64_t W,
                                 const data::AugmentConfig& cfg, const data::AugmentDraw& d) {
    const std::int64_t p = cfg.pad, PH = H + 2 * p, PW = W + 2 * p;
    const std::int64_t oh = cfg.out_height(H), ow = cfg.out_width(W);
    std::vector<float> padded(static_cast<std::size_t>(C * PH * PW), 0.0f);
    for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < H; ++y)
            for (std::int64_t x = 0; x < W; ++x)
                padded[static_cast<std::size_t>((c * PH + y + p) * PW + x + p)] =
                    img[static_cast<std::size_t>((c * H + y) * W + x)];
    std::vector<float> crop(static_cast<std::size_t>(C * oh * ow));
    for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < oh; ++y)
            for (std::int64_t x = 0; x < ow; ++x)
                crop[static_cast<std::size_t>((c * oh + y) * ow + x)] =
                    padded[static_cast<std::size_t>((c * PH + d.crop_y + y) * PW + d.crop_x + x)];
    std::vector<float> out = crop;
    if (d.flip)
        for (std::int64_t c = 0; c < C; ++c)
            for (std::int64_t y = 0; y < oh; ++y)
                for (std::int64_t x = 0; x < ow; ++x)
                    out[static_cast<std::size_t>((c * oh + y) * ow + x)] =
                        crop[static_cast<std::size_t>((c * oh + y) * ow + ow - 1 - x)];
    for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < oh; ++y)
            for (std::int64_t x = 0; x < ow; ++x)
                if (cfg.cutout > 0 && y >= d.cutout_y && y < d.cutout_y + cfg.cutout && x >= d.cutout_x &&
                    x < d.cutout_x + cfg.cutout)
                    out[static_cast<std::size_t>((c * oh + y) * ow + x)] = 0.0f;
    return out;
}

std::vector<float> random_image(std::int64_t n, Rng& rng) {
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = rng.uniform(0.5f, 2.0f);  // nonzero, so padding and cutout are visible
    return v;
}

void check_against_naive(std::int64_t C, std::int64_t H, std::int64_t W, const data::AugmentConfig& cfg,
                         const data::AugmentDraw& d, Rng& rng) {
    const auto img = random_image(C * H * W, rng);
    const auto want = naive_augment(img, C, H, W, cfg, d);
    std::vector<float> got(want.size() + 8, -7.0f);  // poison plus a guard band
    data::augment_image(img.data(), C, H, W, cfg, d, got.data());
    INFO("crop (" << d.crop_y << ", " << d.crop_x << ") flip " << d.flip << " cutout (" << d.cutout_y << ", "
                  << d.cutout_x << ") size " << cfg.cutout << ", image " << C << "x" << H << "x" << W << " pad "
                  << cfg.pad << " out " << cfg.out_height(H) << "x" << cfg.out_width(W));
    REQUIRE(std::vector<float>(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(want.size())) == want);
    for (std::size_t i = want.size(); i < got.size(); ++i) REQUIRE(got[i] == -7.0f);
}

}  // namespace

TEST_CASE("augment_image equals the naive pad-crop-flip-cutout on every corner case", "[data]") {
    Rng rng(11);
    // CIFAR's shape, and an odd one with a crop smaller than the image in one dimension and
    // larger in the other.
    const std::int64_t shapes[2][3] = {{3, 32, 32}, {2, 7, 5}};
    for (const auto& s : shapes) {
        const std::int64_t C = s[0], H = s[1], W = s[2];
        data::AugmentConfig cfg;
        cfg.pad = H == 32 ? 4 : 2;
        cfg.crop_height = H == 32 ? 0 : 6;
        cfg.crop_width = H == 32 ? 0 : 8;
        const std::int64_t oh = cfg.out_height(H), ow = cfg.out_width(W);
        const std::int64_t max_y = H + 2 * cfg.pad - oh, max_x = W + 2 * cfg.pad - ow;
        for (std::int64_t cut : {std::int64_t{0}, std::int64_t{3}, std::int64_t{16}}) {
            cfg.cutout = cut;
            for (std::int64_t cy : {std::int64_t{0}, max_y / 2, max_y})
                for (std::int64_t cx : {std::int64_t{0}, std::int64_t{1}, max_x})
                    for (bool flip : {false, true})
                        for (std::int64_t ky : {std::int64_t{0}, oh - 2, oh - 1})
                            for (std::int64_t kx : {std::int64_t{0}, ow / 2, ow - 1})
                                check_against_naive(C, H, W, cfg, data::AugmentDraw{cy, cx, flip, ky, kx}, rng);
        }
        // And the library's own draws.
        cfg.cutout = 3;
        for (std::int64_t pos = 0; pos < 50; ++pos)
            check_against_naive(C, H, W, cfg, data::draw_augmentation(cfg, H, W, 5, 2, pos), rng);
    }
}

TEST_CASE("Draws are a pure function of (seed, epoch, position) and cover their ranges uniformly", "[data]") {
    data::AugmentConfig cfg;
    cfg.cutout = 16;
    const auto a = data::draw_augmentation(cfg, 32, 32, 7, 3, 1234);
    const auto b = data::draw_augmentation(cfg, 32, 32, 7, 3, 1234);
    REQUIRE((a.crop_y == b.crop_y && a.crop_x == b.crop_x && a.flip == b.flip && a.cutout_y == b.cutout_y &&
             a.cutout_x == b.cutout_x));
    const int n = 36000;
    std::map<std::int64_t, int> ys, xs, cys;
    int flips = 0, same_next_epoch = 0, same_other_seed = 0;
    for (int i = 0; i < n; ++i) {
        const auto d = data::draw_augmentation(cfg, 32, 32, 7, 3, i);
        const auto e = data::draw_augmentation(cfg, 32, 32, 7, 4, i);
        const auto f = data::draw_augmentation(cfg, 32, 32, 8, 3, i);
        ++ys[d.crop_y];
        ++xs[d.crop_x];
        ++cys[d.cutout_y];
        flips += d.flip;
        REQUIRE((d.cutout_x >= 0 && d.cutout_x < 32));
        same_next_epoch += (d.crop_y == e.crop_y && d.crop_x == e.crop_x);
        same_other_seed += (d.crop_y == f.crop_y && d.crop_x == f.crop_x);
    }
    REQUIRE(ys.size() == 9);  // crop corners 0..8
    REQUIRE(xs.size() == 9);
    REQUIRE(ys.begin()->first == 0);
    REQUIRE(ys.rbegin()->first == 8);
    for (const auto& [v, count] : ys) REQUIRE(count == Approx(n / 9.0).epsilon(0.08));
    for (const auto& [v, count] : xs) REQUIRE(count == Approx(n / 9.0).epsilon(0.08));
    REQUIRE(cys.size() == 32);  // cutout corners anywhere in [0, 32)
    for (const auto& [v, count] : cys) REQUIRE(count == Approx(n / 32.0).epsilon(0.15));
    REQUIRE(flips == Approx(n / 2.0).epsilon(0.03));
    // Another epoch or seed gives independent draws: the same crop about 1/81 of the time.
    REQUIRE(same_next_epoch < n / 40);
    REQUIRE(same_other_seed < n / 40);

    cfg.flip = false;
    cfg.pad = 0;
    for (int i = 0; i < 100; ++i) {
        const auto d = data::draw_augmentation(cfg, 32, 32, 7, 3, i);
        REQUIRE((!d.flip && d.crop_y == 0 && d.crop_x == 0));
    }
}

TEST_CASE("gather_augmented_batch equals gather_batch then augment_batch, image by image", "[data]") {
    auto ds = test::numbered_dataset(40, 3, 9, 9);
    for (std::size_t i = 0; i < ds.pixels.size(); ++i) ds.pixels[i] = static_cast<std::uint8_t>((i * 37) % 251);
    const data::ChannelStats stats{{0.3f, 0.5f, 0.4f}, {0.2f, 0.25f, 0.3f}};
    data::AugmentConfig cfg;
    cfg.pad = 2;
    cfg.cutout = 4;
    cfg.crop_height = 8;
    const std::vector<std::int64_t> idx = {5, 39, 0, 17, 17, 22};
    const auto B = static_cast<std::int64_t>(idx.size());
    Tensor<float, Cpu> plain({B, 3, 9, 9}), two_stage({B, 3, 8, 9}), fused({B, 3, 8, 9});
    Tensor<std::int32_t, Cpu> y1({B}), y2({B});
    fused.fill(std::nanf(""));
    data::gather_batch(ds, idx, stats, plain, y1);
    data::augment_batch(plain, cfg, 99, 4, 100, two_stage);
    data::gather_augmented_batch(ds, idx, stats, cfg, 99, 4, 100, fused, y2);
    REQUIRE(fused.to_vector() == two_stage.to_vector());
    REQUIRE(y1.to_vector() == y2.to_vector());
    REQUIRE(y2.data()[1] == 39 % 7);

    // Image k depends only on its own index and position: gathering one alone gives the same.
    Tensor<float, Cpu> one({1, 3, 8, 9});
    Tensor<std::int32_t, Cpu> y3({1});
    const std::vector<std::int64_t> just = {17};
    data::gather_augmented_batch(ds, just, stats, cfg, 99, 4, 104, one, y3);
    const auto all = fused.to_vector();
    const std::vector<float> fourth(all.begin() + 4 * 216, all.begin() + 5 * 216);
    REQUIRE(one.to_vector() == fourth);
    // Images 3 and 4 are the same source image at different positions: different draws.
    REQUIRE(std::vector<float>(all.begin() + 3 * 216, all.begin() + 4 * 216) != fourth);
}

TEST_CASE("Augmentation rejects impossible configurations and mismatched tensors", "[data]") {
    data::AugmentConfig cfg;
    cfg.crop_height = 41;
    ENAS_REQUIRE_THROWS(data::check_augment_config(cfg, 32, 32), ValueError,
                        Contains("crop 41x32") && Contains("padded image 40x40"));
    cfg = {};
    cfg.pad = -1;
    ENAS_REQUIRE_THROWS(data::check_augment_config(cfg, 32, 32), ValueError, Contains("pad must be >= 0, got -1"));
    cfg = {};
    cfg.cutout = -2;
    ENAS_REQUIRE_THROWS(data::check_augment_config(cfg, 32, 32), ValueError, Contains("cutout size must be >= 0"));
    const auto ds = test::numbered_dataset(4, 1, 6, 6);
    Tensor<float, Cpu> wrong({2, 1, 5, 6});
    Tensor<std::int32_t, Cpu> y({2});
    const std::vector<std::int64_t> idx = {0, 1};
    ENAS_REQUIRE_THROWS(data::gather_augmented_batch(ds, idx, test::unit_stats(1), {}, 0, 0, 0, wrong, y), ShapeError,
                        Contains("[2, 1, 5, 6]") && Contains("expected contiguous [2, 1, 6, 6]"));
    Tensor<float, Cpu> right({2, 1, 6, 6});
    const std::vector<std::int64_t> bad = {0, 4};
    ENAS_REQUIRE_THROWS(data::gather_augmented_batch(ds, bad, test::unit_stats(1), {}, 0, 0, 0, right, y), ValueError,
                        Contains("index 4 out of range"));
}
