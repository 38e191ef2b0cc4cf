// The Cuda device in a build without a CUDA backend (ENAS_HAS_CUDA == 0; compiled into enas only
// then): a definition of every launcher declared in include/enas/backend/cuda/ and of the device-memory
// functions of include/enas/core/device_memory.hpp, each throwing DeviceError naming itself. So the
// backend:: façade (include/enas/backend/F.hpp) resolves and links for Context<Cuda> in every build,
// and code instantiated for Cuda fails with a clear message at run time instead of at link time.
// Every definition names its declaration (cuda::f), so a signature that drifts is a compile error.
// The exceptions: the availability queries answer false / 0 and device_release does nothing.
#include "enas/backend/cuda/batchnorm.hpp"
#include "enas/backend/cuda/conv.hpp"
#include "enas/backend/cuda/copy.hpp"
#include "enas/backend/cuda/depthwise_conv.hpp"
#include "enas/backend/cuda/device.hpp"
#include "enas/backend/cuda/dropout.hpp"
#include "enas/backend/cuda/elementwise.hpp"
#include "enas/backend/cuda/embedding.hpp"
#include "enas/backend/cuda/gemm.hpp"
#include "enas/backend/cuda/lstm.hpp"
#include "enas/backend/cuda/matmul.hpp"
#include "enas/backend/cuda/optim.hpp"
#include "enas/backend/cuda/pool.hpp"
#include "enas/backend/cuda/reduce.hpp"
#include "enas/backend/cuda/rnn_node.hpp"
#include "enas/backend/cuda/softmax.hpp"
#include "enas/core/device.hpp"
#include "enas/core/device_memory.hpp"

namespace enas {
namespace {

[[noreturn]] void absent(const char* launcher) { detail::throw_no_cuda(launcher); }

}  // namespace

// enas/backend/cuda/batchnorm.hpp
void cuda::batch_norm_forward(Context<Cuda>&, const BatchNormParams&, const Tensor<float, Cuda>&,
                              const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&,
                              Tensor<float, Cuda>&, Tensor<float, Cuda>&, Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("batch_norm_forward");
}
void cuda::batch_norm_backward(Context<Cuda>&, BatchNormMode, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                               const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                               Tensor<float, Cuda>&, Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("batch_norm_backward");
}

// enas/backend/cuda/conv.hpp
void cuda::conv2d_forward(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                          Tensor<float, Cuda>&) {
    absent("conv2d_forward");
}
void cuda::conv2d_backward_input(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                 const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("conv2d_backward_input");
}
void cuda::conv2d_backward_weight(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                  const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("conv2d_backward_weight");
}
bool cuda::cudnn_conv_available() { return false; }
void cuda::cudnn_conv2d_forward(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("cudnn_conv2d_forward");
}
void cuda::cudnn_conv2d_backward_input(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                       const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("cudnn_conv2d_backward_input");
}
void cuda::cudnn_conv2d_backward_weight(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                        const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("cudnn_conv2d_backward_weight");
}

// enas/backend/cuda/copy.hpp
void cuda::concat_forward(Context<Cuda>&, std::span<const Tensor<float, Cuda>>, Tensor<float, Cuda>&) {
    absent("concat_forward");
}
void cuda::concat_backward(Context<Cuda>&, std::int64_t, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("concat_backward");
}
void cuda::slice_forward(Context<Cuda>&, std::int64_t, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("slice_forward");
}
void cuda::slice_backward(Context<Cuda>&, std::int64_t, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("slice_backward");
}
void cuda::shifted_subsample_forward(Context<Cuda>&, std::int64_t, std::int64_t, const Tensor<float, Cuda>&,
                                     Tensor<float, Cuda>&) {
    absent("shifted_subsample_forward");
}
void cuda::shifted_subsample_backward(Context<Cuda>&, std::int64_t, std::int64_t, const Tensor<float, Cuda>&,
                                      Tensor<float, Cuda>&) {
    absent("shifted_subsample_backward");
}

// enas/backend/cuda/depthwise_conv.hpp
void cuda::depthwise_conv2d_forward(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                    const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("depthwise_conv2d_forward");
}
void cuda::depthwise_conv2d_backward_input(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                           const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("depthwise_conv2d_backward_input");
}
void cuda::depthwise_conv2d_backward_weight(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                            const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("depthwise_conv2d_backward_weight");
}

// enas/backend/cuda/dropout.hpp
void cuda::dropout_forward(Context<Cuda>&, const DropoutDraw&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("dropout_forward");
}
void cuda::dropout_backward(Context<Cuda>&, const DropoutDraw&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("dropout_backward");
}
void cuda::dropout_mask(Context<Cuda>&, const DropoutDraw&, Tensor<float, Cuda>&) { absent("dropout_mask"); }
void cuda::row_mask_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                            Tensor<float, Cuda>&) {
    absent("row_mask_forward");
}
void cuda::row_mask_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                             Tensor<float, Cuda>&) {
    absent("row_mask_backward");
}
void cuda::locked_mask_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                               Tensor<float, Cuda>&) {
    absent("locked_mask_forward");
}
void cuda::locked_mask_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                                Tensor<float, Cuda>&) {
    absent("locked_mask_backward");
}

// enas/backend/cuda/elementwise.hpp
void cuda::activation_forward(Context<Cuda>&, Activation, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("activation_forward");
}
void cuda::activation_backward(Context<Cuda>&, Activation, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                               Tensor<float, Cuda>&) {
    absent("activation_backward");
}
void cuda::add_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("add_forward");
}
void cuda::mul_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("mul_forward");
}
void cuda::mul_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("mul_backward");
}
void cuda::scale_forward(Context<Cuda>&, float, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("scale_forward");
}
void cuda::axpy(Context<Cuda>&, float, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) { absent("axpy"); }

// enas/backend/cuda/embedding.hpp
void cuda::embedding_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<std::int32_t, Cuda>&,
                             Tensor<float, Cuda>&) {
    absent("embedding_forward");
}
void cuda::embedding_backward(Context<Cuda>&, const Tensor<std::int32_t, Cuda>&, const Tensor<float, Cuda>&,
                              Tensor<float, Cuda>&) {
    absent("embedding_backward");
}

// enas/backend/cuda/gemm.hpp
bool cuda::has_cublas() { return false; }
void cuda::gemm(Context<Cuda>&, bool, bool, std::int64_t, std::int64_t, std::int64_t, float, const float*, std::int64_t,
                const float*, std::int64_t, float, float*, std::int64_t, GemmPath) {
    absent("gemm");
}

// enas/backend/cuda/lstm.hpp
void cuda::lstm_cell_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                             const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&,
                             Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("lstm_cell_forward");
}
void cuda::lstm_cell_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                              const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                              const Tensor<float, Cuda>&, const Tensor<float, Cuda>*, const Tensor<float, Cuda>*,
                              Tensor<float, Cuda>*, Tensor<float, Cuda>*, Tensor<float, Cuda>*, Tensor<float, Cuda>*) {
    absent("lstm_cell_backward");
}

// enas/backend/cuda/matmul.hpp
void cuda::matmul_forward(Context<Cuda>&, bool, bool, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                          Tensor<float, Cuda>&) {
    absent("matmul_forward");
}
void cuda::matmul_backward_a(Context<Cuda>&, bool, bool, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                             Tensor<float, Cuda>&) {
    absent("matmul_backward_a");
}
void cuda::matmul_backward_b(Context<Cuda>&, bool, bool, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                             Tensor<float, Cuda>&) {
    absent("matmul_backward_b");
}
void cuda::linear_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                          const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("linear_forward");
}
void cuda::linear_backward_input(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                                 Tensor<float, Cuda>&) {
    absent("linear_backward_input");
}
void cuda::linear_backward_weight(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                                  Tensor<float, Cuda>&) {
    absent("linear_backward_weight");
}
void cuda::linear_backward_bias(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("linear_backward_bias");
}

// enas/backend/cuda/optim.hpp
void cuda::sgd_step(Context<Cuda>&, const SgdParams&, Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                    Tensor<float, Cuda>*) {
    absent("sgd_step");
}
void cuda::adam_step(Context<Cuda>&, const AdamParams&, std::int64_t, Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                     Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("adam_step");
}
void cuda::sum_of_squares(Context<Cuda>&, const Tensor<float, Cuda>&, double*) { absent("sum_of_squares"); }
void cuda::scale_in_place(Context<Cuda>&, float, Tensor<float, Cuda>&) { absent("scale_in_place"); }

// enas/backend/cuda/pool.hpp
void cuda::avg_pool2d_forward(Context<Cuda>&, const Pool2dParams&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("avg_pool2d_forward");
}
void cuda::avg_pool2d_backward(Context<Cuda>&, const Pool2dParams&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("avg_pool2d_backward");
}
void cuda::max_pool2d_forward(Context<Cuda>&, const Pool2dParams&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&,
                              Tensor<std::int32_t, Cuda>&) {
    absent("max_pool2d_forward");
}
void cuda::max_pool2d_backward(Context<Cuda>&, const Tensor<std::int32_t, Cuda>&, const Tensor<float, Cuda>&,
                               Tensor<float, Cuda>&) {
    absent("max_pool2d_backward");
}

// enas/backend/cuda/reduce.hpp
void cuda::global_avg_pool_forward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("global_avg_pool_forward");
}
void cuda::global_avg_pool_backward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("global_avg_pool_backward");
}
void cuda::sum_forward(Context<Cuda>&, double, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("sum_forward");
}
void cuda::sum_backward(Context<Cuda>&, double, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("sum_backward");
}
void cuda::sum_squares_forward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("sum_squares_forward");
}
void cuda::sum_squares_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                                Tensor<float, Cuda>&) {
    absent("sum_squares_backward");
}

// enas/backend/cuda/rnn_node.hpp
void cuda::rnn_node_forward(Context<Cuda>&, Activation, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                            const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("rnn_node_forward");
}
void cuda::rnn_node_backward(Context<Cuda>&, Activation, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                             const Tensor<float, Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>*,
                             Tensor<float, Cuda>*, Tensor<float, Cuda>*) {
    absent("rnn_node_backward");
}

// enas/backend/cuda/softmax.hpp
void cuda::softmax_forward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("softmax_forward");
}
void cuda::softmax_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                            Tensor<float, Cuda>&) {
    absent("softmax_backward");
}
void cuda::log_softmax_forward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("log_softmax_forward");
}
void cuda::log_softmax_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                                Tensor<float, Cuda>&) {
    absent("log_softmax_backward");
}
void cuda::softmax_cross_entropy_forward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<std::int32_t, Cuda>&,
                                         Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("softmax_cross_entropy_forward");
}
void cuda::softmax_cross_entropy_backward(Context<Cuda>&, const Tensor<float, Cuda>&, const Tensor<std::int32_t, Cuda>&,
                                          const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    absent("softmax_cross_entropy_backward");
}
void cuda::argmax_forward(Context<Cuda>&, const Tensor<float, Cuda>&, Tensor<std::int32_t, Cuda>&) {
    absent("argmax_forward");
}

// enas/core/device_memory.hpp
void* cuda::device_allocate(std::size_t) { absent("device_allocate"); }
void cuda::device_release(void*) noexcept {}
void cuda::copy_bytes(void*, const void*, std::size_t, bool, bool) { absent("copy_bytes"); }
void cuda::fill_elements(void*, std::size_t, std::size_t, const void*, void*) { absent("fill_elements"); }
void cuda::strided_copy(void*, const std::int64_t*, const void*, const std::int64_t*, const std::int64_t*, int,
                        std::size_t, void*) {
    absent("strided_copy");
}
int cuda::device_count() noexcept { return 0; }
void cuda::synchronize(void*) { absent("synchronize"); }

// enas/backend/cuda/device.hpp
void cuda::require_usable_device() { absent("require_usable_device"); }
std::string cuda::device_summary() { return "no CUDA backend in this build"; }
void* cuda::create_stream() { absent("create_stream"); }
void* cuda::create_non_blocking_stream() { absent("create_non_blocking_stream"); }
void cuda::destroy_stream(void*) noexcept {}

}  // namespace enas
