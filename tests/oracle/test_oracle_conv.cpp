#include "enas/ops/conv.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("conv2d matches PyTorch", "[oracle][conv]") {
    struct Variant {
        const char* label;
        Shape x;
        std::int64_t c_out, kh, kw;
        Conv2dParams params;
    };
    // Every kernel size and stride ENAS uses, TF's asymmetric SAME pads (stride 2, even kernels,
    // the micro aux head's 2x2 kernel on a 2x2 input), VALID, and odd, non-square images.
    const Variant variants[] = {
        {"conv2d 3x3 s1 same", {3, 5, 11, 9}, 6, 3, 3, {1, 1, Padding::Same}},
        {"conv2d 3x3 s2 same", {3, 5, 11, 10}, 6, 3, 3, {2, 2, Padding::Same}},
        {"conv2d 5x5 s1 same", {2, 4, 9, 12}, 7, 5, 5, {1, 1, Padding::Same}},
        {"conv2d 5x5 s2 same", {2, 4, 12, 9}, 3, 5, 5, {2, 2, Padding::Same}},
        {"conv2d 1x1 s1 same", {3, 6, 8, 7}, 5, 1, 1, {1, 1, Padding::Same}},
        {"conv2d 1x1 s2 same", {2, 6, 9, 8}, 4, 1, 1, {2, 2, Padding::Same}},
        {"conv2d 2x2 aux head", {4, 8, 2, 2}, 12, 2, 2, {1, 1, Padding::Same}},
        {"conv2d 4x4 s1 same", {2, 3, 7, 8}, 4, 4, 4, {1, 1, Padding::Same}},
        {"conv2d 3x3 s1 valid", {2, 5, 9, 7}, 4, 3, 3, {1, 1, Padding::Valid}},
        {"conv2d 5x3 s(2,1) valid", {2, 3, 11, 8}, 4, 5, 3, {2, 1, Padding::Valid}},
        {"conv2d 36->36 3x3 32x32", {2, 36, 32, 32}, 36, 3, 3, {1, 1, Padding::Same}},
    };
    Context<Cpu> ctx(3);
    Rng rng(23);
    std::vector<test::OracleCase> cases;
    for (const Variant& v : variants) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>(v.x, rng), true);
        Var<float, Cpu> w(test::random_tensor<float>({v.c_out, v.x[1], v.kh, v.kw}, rng, -0.5, 0.5), true);
        auto y = ops::conv2d(tape, x, w, v.params);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = v.label;
        c.op = "conv2d";
        c.attrs = {{"stride", {v.params.stride_h, v.params.stride_w}}, {"padding", padding_name(v.params.padding)}};
        c.input("x", x.value())
            .input("w", w.value())
            .output("y", y.value(), up)
            .grad("x", x.grad())
            .grad("w", w.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("conv", cases));
}
