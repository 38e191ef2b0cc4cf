// enas::cpu::gemm (the GEMM under conv, matmul and the LSTM) against a naive product, for every
// transpose combination, row vectors (the gemv path), padded leading dimensions and beta.
#include "enas/backend/cpu/gemm.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {
template <class T>
void check_gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, T beta) {
    Rng rng(static_cast<std::uint64_t>(m * 131 + n * 17 + k + ta * 2 + tb));
    const std::int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
    const auto a = test::random_tensor<T>({ta ? k : m, lda}, rng);
    const auto b = test::random_tensor<T>({tb ? n : k, ldb}, rng);
    test::Guarded<T> c({m, ldc}, T(0.25));
    cpu::gemm<T>(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.tensor.data(), ldc);
    Tensor<double, Cpu> ref({m, ldc});
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < ldc; ++j) {
            if (j >= n) {
                ref.data()[i * ldc + j] = 0.25;  // padding columns are not touched
                continue;
            }
            double s = 0;
            for (std::int64_t p = 0; p < k; ++p) {
                const double x = ta ? a.data()[p * lda + i] : a.data()[i * lda + p];
                const double y = tb ? b.data()[j * ldb + p] : b.data()[p * ldb + j];
                s += x * y;
            }
            ref.data()[i * ldc + j] = alpha * s + beta * 0.25;
        }
    INFO("ta=" << ta << " tb=" << tb << " m=" << m << " n=" << n << " k=" << k);
    ENAS_REQUIRE_CLOSE(c.tensor, ref, 1e-5, 1e-4);
    REQUIRE(c.guard_intact());
}
}  // namespace

TEST_CASE("gemm matches a naive product for every transpose, row vectors and beta", "[gemm]") {
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (auto [m, n, k] :
                 {std::array<std::int64_t, 3>{1, 7, 5}, {1, 256, 128}, {3, 5, 1}, {17, 9, 33}, {1, 4, 0}}) {
                check_gemm<float>(ta, tb, m, n, k, 1.5f, 0.0f);
                check_gemm<float>(ta, tb, m, n, k, -0.5f, 1.0f);
                check_gemm<double>(ta, tb, m, n, k, 0.75, 2.0);
            }
}
