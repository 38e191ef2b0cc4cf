#include "enas/ops/pool.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {

test::OracleCase pool_case(Context<Cpu>& ctx, Rng& rng, bool max, const Shape& s, const Pool2dParams& p) {
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(test::random_tensor<float>(s, rng, -2, 2), true);
    Var<float, Cpu> y = max ? ops::max_pool2d(tape, x, p) : ops::avg_pool2d(tape, x, p);
    const auto up = test::random_tensor<float>(y.shape(), rng);
    tape.backward(y, up);
    test::OracleCase c;
    std::ostringstream label;
    label << (max ? "max " : "avg ") << p.kernel_h << "x" << p.kernel_w << " s" << p.stride_h << " "
          << padding_name(p.padding) << " " << s[2] << "x" << s[3];
    c.label = label.str();
    c.op = max ? "max_pool2d" : "avg_pool2d";
    c.attrs = {{"kh", p.kernel_h},
               {"kw", p.kernel_w},
               {"sh", p.stride_h},
               {"sw", p.stride_w},
               {"padding", padding_name(p.padding)}};
    c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
    return c;
}

}  // namespace

TEST_CASE("pool ops match PyTorch", "[oracle][pool]") {
    Context<Cpu> ctx(5);
    Rng rng(51);
    const Pool2dParams s1{3, 3, 1, 1, Padding::Same}, s2{3, 3, 2, 2, Padding::Same};
    const Pool2dParams aux{5, 5, 3, 3, Padding::Valid}, fr{1, 1, 2, 2, Padding::Same};
    std::vector<test::OracleCase> cases;
    for (bool max : {false, true}) {
        cases.push_back(pool_case(ctx, rng, max, {2, 5, 9, 9}, s1));
        cases.push_back(pool_case(ctx, rng, max, {2, 5, 8, 8}, s2));   // asymmetric SAME padding
        cases.push_back(pool_case(ctx, rng, max, {2, 3, 9, 11}, s2));  // symmetric SAME padding
        cases.push_back(pool_case(ctx, rng, max, {2, 6, 8, 8}, aux));  // micro aux head: 8x8 -> 2x2
    }
    cases.push_back(pool_case(ctx, rng, false, {2, 4, 7, 7}, fr));  // factorized reduction path 1
    REQUIRE(test::run_oracle("pool", cases));
}
