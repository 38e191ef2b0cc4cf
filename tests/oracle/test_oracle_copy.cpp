#include "enas/ops/copy.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {
/// Runs y = f(tape, x) forward and backward on a random x of `shape` and returns the oracle case.
template <class F>
test::OracleCase unary_case(Context<Cpu>& ctx, Rng& rng, const Shape& shape, const std::string& label,
                            const std::string& op, nlohmann::json attrs, F&& f) {
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(test::random_tensor<float>(shape, rng), true);
    Var<float, Cpu> y = f(tape, x);
    const auto up = test::random_tensor<float>(y.shape(), rng);
    tape.backward(y, up);
    test::OracleCase c;
    c.label = label;
    c.op = op;
    c.attrs = std::move(attrs);
    c.input("x", x.value()).output("y", y.value(), up).grad("x", x.grad());
    return c;
}
}  // namespace

TEST_CASE("copy ops match PyTorch", "[oracle][copy]") {
    Context<Cpu> ctx(3);
    Rng rng(31);
    std::vector<test::OracleCase> cases;
    {
        Tape<Cpu> tape(ctx);
        std::vector<Var<float, Cpu>> xs;
        for (std::int64_t c : {5, 3, 8, 1}) xs.emplace_back(test::random_tensor<float>({3, c, 7, 6}, rng), true);
        auto y = ops::concat(tape, xs);
        const auto up = test::random_tensor<float>(y.shape(), rng);
        tape.backward(y, up);
        test::OracleCase c;
        c.label = "concat 4 inputs NCHW";
        c.op = "concat";
        c.attrs = {{"n", xs.size()}};
        for (std::size_t k = 0; k < xs.size(); ++k) c.input("x" + std::to_string(k), xs[k].value());
        c.output("y", y.value(), up);
        for (std::size_t k = 0; k < xs.size(); ++k) c.grad("x" + std::to_string(k), xs[k].grad());
        cases.push_back(c);
    }
    cases.push_back(unary_case(ctx, rng, {4, 11, 5, 3}, "slice NCHW [3, 10)", "slice", {{"start", 3}, {"length", 7}},
                               [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::slice(t, x, 3, 7); }));
    cases.push_back(unary_case(ctx, rng, {5, 9}, "slice rank 2 [8, 9)", "slice", {{"start", 8}, {"length", 1}},
                               [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::slice(t, x, 8, 1); }));
    for (const Shape& s : {Shape{2, 5, 8, 8}, Shape{3, 4, 7, 9}})
        for (std::int64_t offset : {0, 1, 2})
            for (std::int64_t stride : {1, 2, 3}) {
                const std::string label = "subsample " + std::to_string(s[2]) + "x" + std::to_string(s[3]) + " o" +
                                          std::to_string(offset) + " s" + std::to_string(stride);
                cases.push_back(unary_case(ctx, rng, s, label, "shifted_subsample",
                                           {{"offset", offset}, {"stride", stride}},
                                           [&](Tape<Cpu>& t, const Var<float, Cpu>& x) {
                                               return ops::shifted_subsample(t, x, offset, stride);
                                           }));
            }
    for (const Shape& s : {Shape{2, 5, 8, 8}, Shape{3, 4, 7, 9}}) {
        const std::string size = std::to_string(s[2]) + "x" + std::to_string(s[3]);
        cases.push_back(unary_case(ctx, rng, s, "shift_pad " + size, "shift_pad", nlohmann::json::object(),
                                   [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::shift_pad(t, x); }));
        cases.push_back(
            unary_case(ctx, rng, s, "FR path 1 " + size, "fr_path1", nlohmann::json::object(),
                       [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::shifted_subsample(t, x, 0, 2); }));
        cases.push_back(
            unary_case(ctx, rng, s, "FR path 2 " + size, "fr_path2", nlohmann::json::object(),
                       [](Tape<Cpu>& t, const Var<float, Cpu>& x) { return ops::shifted_subsample(t, x, 1, 2); }));
    }
    REQUIRE(test::run_oracle("copy", cases));
}
