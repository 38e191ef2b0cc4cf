#include "enas/ops/depthwise_conv.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("depthwise_conv2d matches PyTorch", "[oracle][depthwise_conv]") {
    struct Variant {
        const char* label;
        Shape x;
        std::int64_t kh, kw;
        Conv2dParams params;
    };
    // The separable convs' 3x3 and 5x5 at strides 1 and 2 (asymmetric SAME pads at stride 2), the
    // generic kernel path (even and non-square kernels), VALID, odd, non-square images.
    const Variant variants[] = {
        {"depthwise 3x3 s1 same", {3, 5, 11, 9}, 3, 3, {1, 1, Padding::Same}},
        {"depthwise 3x3 s2 same", {3, 5, 11, 10}, 3, 3, {2, 2, Padding::Same}},
        {"depthwise 5x5 s1 same", {2, 7, 9, 12}, 5, 5, {1, 1, Padding::Same}},
        {"depthwise 5x5 s2 same", {2, 4, 12, 9}, 5, 5, {2, 2, Padding::Same}},
        {"depthwise 2x2 s1 same", {2, 6, 7, 6}, 2, 2, {1, 1, Padding::Same}},
        {"depthwise 3x3 s1 valid", {2, 5, 9, 7}, 3, 3, {1, 1, Padding::Valid}},
        {"depthwise 5x3 s(2,1) valid", {2, 3, 11, 8}, 5, 3, {2, 1, Padding::Valid}},
        {"depthwise 20ch 5x5 16x16", {4, 20, 16, 16}, 5, 5, {1, 1, Padding::Same}},
    };
    Context<Cpu> ctx(3);
    Rng rng(29);
    std::vector<test::OracleCase> cases;
    for (const Variant& v : variants) {
        Tape<Cpu> tape(ctx);
        Var<float, Cpu> x(test::random_tensor<float>(v.x, rng), true);
        Var<float, Cpu> w(test::random_tensor<float>({v.x[1], 1, v.kh, v.kw}, rng), true);
        auto y = ops::depthwise_conv2d(tape, x, w, v.params);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = v.label;
        c.op = "depthwise_conv2d";
        c.attrs = {{"stride", {v.params.stride_h, v.params.stride_w}}, {"padding", padding_name(v.params.padding)}};
        c.input("x", x.value())
            .input("w", w.value())
            .output("y", y.value(), up)
            .grad("x", x.grad())
            .grad("w", w.grad());
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("depthwise_conv", cases));
}
