// Launchers of the optim family (include/enas/backend/cuda/optim.hpp).
#include <cmath>

#include "enas/backend/cuda/optim.hpp"
#include "kernels/optim.cuh"
#include "kernels/whole_sum.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr int kBlock = 256;
constexpr unsigned int kMaxPartials = 1024;
}  // namespace

void sgd_step(Context<Cuda>& ctx, const SgdParams& p, Tensor<float, Cuda>& param, const Tensor<float, Cuda>& grad,
              Tensor<float, Cuda>* momentum) {
    const std::int64_t n = param.numel();
    if (n == 0) return;
    const auto lr = static_cast<float>(p.lr), mu = static_cast<float>(p.momentum),
               wd = static_cast<float>(p.weight_decay);
    const unsigned int blocks = grid_stride_blocks(n, kBlock);
    if (!momentum) {
        launch<kernels::sgd_plain>(blocks, kBlock, 0, stream_of(ctx), param.data(), grad.data(), n, lr, wd);
    } else if (p.nesterov) {
        launch<kernels::sgd_momentum<true>>(blocks, kBlock, 0, stream_of(ctx), param.data(), grad.data(),
                                            momentum->data(), n, lr, mu, wd);
    } else {
        launch<kernels::sgd_momentum<false>>(blocks, kBlock, 0, stream_of(ctx), param.data(), grad.data(),
                                             momentum->data(), n, lr, mu, wd);
    }
}

void adam_step(Context<Cuda>& ctx, const AdamParams& p, std::int64_t t, Tensor<float, Cuda>& param,
               const Tensor<float, Cuda>& grad, Tensor<float, Cuda>& m, Tensor<float, Cuda>& v) {
    const std::int64_t n = param.numel();
    if (n == 0) return;
    // The CPU's coefficients exactly (1 - beta in double, then rounded to float).
    const double bc1 = 1.0 - std::pow(p.beta1, static_cast<double>(t));
    const double bc2 = 1.0 - std::pow(p.beta2, static_cast<double>(t));
    const bool tf = p.form == AdamForm::TensorFlow;
    kernels::AdamCoefficients c{};
    c.b1 = static_cast<float>(p.beta1);
    c.one_minus_b1 = static_cast<float>(1.0 - p.beta1);
    c.b2 = static_cast<float>(p.beta2);
    c.one_minus_b2 = static_cast<float>(1.0 - p.beta2);
    c.eps = static_cast<float>(p.eps);
    c.wd = static_cast<float>(p.weight_decay);
    c.step = static_cast<float>(tf ? p.lr * std::sqrt(bc2) / bc1 : p.lr / bc1);
    c.v_scale = static_cast<float>(tf ? 1.0 : 1.0 / std::sqrt(bc2));
    launch<kernels::adam>(grid_stride_blocks(n, kBlock), kBlock, 0, stream_of(ctx), param.data(), grad.data(), m.data(),
                          v.data(), n, c);
}

void sum_of_squares(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, double* out) {
    const std::int64_t n = x.numel();
    const unsigned int blocks = grid_stride_blocks(n, kBlock, kMaxPartials);
    Tensor<double, Cuda> partial = ctx.empty<double>({static_cast<std::int64_t>(blocks) + 1});
    double* total = partial.data() + blocks;  // the last slot receives the sum
    const cudaStream_t stream = stream_of(ctx);
    launch<kernels::partial_sums<kBlock, true>>(blocks, kBlock, 0, stream, x.data(), n, partial.data());
    launch<kernels::finish_sum<kBlock, double>>(1, kBlock, 0, stream, partial.data(), static_cast<int>(blocks), 1.0,
                                                total);
    check_cuda(cudaMemcpyAsync(out, total, sizeof(double), cudaMemcpyDeviceToHost, stream),
               "sum_of_squares: copying the result to the host failed");
    check_cuda(cudaStreamSynchronize(stream), "sum_of_squares: waiting for the result failed");
}

void scale_in_place(Context<Cuda>& ctx, float alpha, Tensor<float, Cuda>& x) {
    const std::int64_t n = x.numel();
    if (n == 0) return;
    launch<kernels::scale_in_place>(grid_stride_blocks(n, kBlock), kBlock, 0, stream_of(ctx), alpha, x.data(), n);
}

}  // namespace enas::cuda
