// The optional cuDNN path of the dense conv family (include/enas/backend/cuda/conv.hpp), the
// benchmarks' baseline. Built for real when ENAS_HAS_CUDNN (ENAS_CUDNN=ON and cuDNN found, real
// CUDA build only); otherwise the entry points say that this build has no cuDNN.
#include "enas/backend/cuda/conv.hpp"
#include "enas/core/device_memory.hpp"
#include "launch_support.cuh"

#if ENAS_HAS_CUDNN
#include <cudnn.h>

#include <memory>

#include "kernels/conv_padding.cuh"
#endif

namespace enas::cuda {

#if ENAS_HAS_CUDNN
namespace {

void check_cudnn(cudnnStatus_t status, const char* what) {
    if (status != CUDNN_STATUS_SUCCESS)
        throw CudaError(::enas::detail::concat("cuDNN ", what, " failed: ", cudnnGetErrorString(status)));
}

/// The context's cuDNN handle (created on first use, destroyed with the context), bound to its stream.
cudnnHandle_t cudnn_handle(Context<Cuda>& ctx) {
    std::shared_ptr<void>& slot = ctx.library_handle(Context<Cuda>::Library::Cudnn);
    if (!slot) {
        cudnnHandle_t handle = nullptr;
        check_cudnn(cudnnCreate(&handle), "cudnnCreate");
        slot = std::shared_ptr<void>(handle, [](void* h) { cudnnDestroy(static_cast<cudnnHandle_t>(h)); });
    }
    const auto handle = static_cast<cudnnHandle_t>(slot.get());
    check_cudnn(cudnnSetStream(handle, stream_of(ctx)), "cudnnSetStream");
    return handle;
}

/// The descriptors of one conv as cuDNN runs it. Symmetric pads go to cuDNN as they are; a SAME
/// conv with more padding at the bottom / right runs as a VALID conv on a zero-padded copy of x.
class CudnnConv {
public:
    CudnnConv(Context<Cuda>& ctx, const ConvGeometry& g) : handle_(cudnn_handle(ctx)), g_(g) {
        pad_copy_ = g.pad_top != g.pad_bottom || g.pad_left != g.pad_right;
        padding_ = kernels::PlanePadding{g.n * g.c_in,
                                         static_cast<int>(g.h),
                                         static_cast<int>(g.w),
                                         static_cast<int>(g.h + g.pad_top + g.pad_bottom),
                                         static_cast<int>(g.w + g.pad_left + g.pad_right),
                                         static_cast<int>(g.pad_top),
                                         static_cast<int>(g.pad_left)};
        const int in_h = pad_copy_ ? padding_.padded_h : padding_.h, in_w = pad_copy_ ? padding_.padded_w : padding_.w;
        auto i = [](std::int64_t v) { return static_cast<int>(v); };
        check_cudnn(cudnnCreateTensorDescriptor(&x_), "cudnnCreateTensorDescriptor");
        check_cudnn(cudnnCreateTensorDescriptor(&y_), "cudnnCreateTensorDescriptor");
        check_cudnn(cudnnCreateFilterDescriptor(&w_), "cudnnCreateFilterDescriptor");
        check_cudnn(cudnnCreateConvolutionDescriptor(&conv_), "cudnnCreateConvolutionDescriptor");
        check_cudnn(cudnnSetTensor4dDescriptor(x_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.n), i(g.c_in), in_h, in_w),
                    "cudnnSetTensor4dDescriptor (input)");
        check_cudnn(cudnnSetTensor4dDescriptor(y_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.n), i(g.c_out), i(g.out_h),
                                               i(g.out_w)),
                    "cudnnSetTensor4dDescriptor (output)");
        check_cudnn(cudnnSetFilter4dDescriptor(w_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, i(g.c_out), i(g.c_in), i(g.kh),
                                               i(g.kw)),
                    "cudnnSetFilter4dDescriptor");
        check_cudnn(cudnnSetConvolution2dDescriptor(conv_, pad_copy_ ? 0 : i(g.pad_top), pad_copy_ ? 0 : i(g.pad_left),
                                                    i(g.stride_h), i(g.stride_w), 1, 1, CUDNN_CROSS_CORRELATION,
                                                    CUDNN_DATA_FLOAT),
                    "cudnnSetConvolution2dDescriptor");
        // Plain FP32 like the hand-written kernels: no TF32 tensor-core math.
        check_cudnn(cudnnSetConvolutionMathType(conv_, CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
        int n = 0, c = 0, h = 0, w = 0;
        check_cudnn(cudnnGetConvolution2dForwardOutputDim(conv_, x_, w_, &n, &c, &h, &w),
                    "cudnnGetConvolution2dForwardOutputDim");
        check<ValueError>(h == g.out_h && w == g.out_w, "cudnn conv2d: cuDNN computes a ", h, "x", w,
                          " output where the conv has ", g.out_h, "x", g.out_w);
    }
    ~CudnnConv() {
        cudnnDestroyConvolutionDescriptor(conv_);
        cudnnDestroyFilterDescriptor(w_);
        cudnnDestroyTensorDescriptor(y_);
        cudnnDestroyTensorDescriptor(x_);
    }
    CudnnConv(const CudnnConv&) = delete;
    CudnnConv& operator=(const CudnnConv&) = delete;

    /// x itself, or its zero-padded copy (kept alive in `storage`) when the pads are asymmetric.
    const float* input(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& storage) const {
        if (!pad_copy_) return x.data();
        storage = ctx.template empty<float>(padded_shape());
        const std::int64_t count = storage.numel();
        launch<kernels::pad_planes>(grid_stride_blocks(count, 256), 256, 0, stream_of(ctx), padding_, x.data(),
                                    storage.data());
        return storage.data();
    }
    Shape padded_shape() const { return {g_.n, g_.c_in, padding_.padded_h, padding_.padded_w}; }
    bool pad_copy() const { return pad_copy_; }
    const kernels::PlanePadding& padding() const { return padding_; }

    cudnnHandle_t handle() const { return handle_; }
    cudnnTensorDescriptor_t x() const { return x_; }
    cudnnTensorDescriptor_t y() const { return y_; }
    cudnnFilterDescriptor_t w() const { return w_; }
    cudnnConvolutionDescriptor_t conv() const { return conv_; }

private:
    cudnnHandle_t handle_;
    ConvGeometry g_;
    bool pad_copy_ = false;
    kernels::PlanePadding padding_{};
    cudnnTensorDescriptor_t x_ = nullptr, y_ = nullptr;
    cudnnFilterDescriptor_t w_ = nullptr;
    cudnnConvolutionDescriptor_t conv_ = nullptr;
};

/// The first algorithm cuDNN's heuristics rank usable, and `bytes` of workspace for it.
template <class Perf, class Query>
auto best_algorithm(Query query, const char* what, std::size_t& bytes) {
    Perf perf[8];
    int returned = 0;
    check_cudnn(query(8, &returned, perf), what);
    for (int k = 0; k < returned; ++k) {
        if (perf[k].status == CUDNN_STATUS_SUCCESS) {
            bytes = perf[k].memory;
            return perf[k].algo;
        }
    }
    throw CudaError(::enas::detail::concat("cuDNN ", what, ": no usable algorithm"));
}

/// Workspace of `bytes` from the context's allocator (undefined when none is needed).
Tensor<float, Cuda> workspace(Context<Cuda>& ctx, std::size_t bytes) {
    if (bytes == 0) return {};
    return ctx.template empty<float>(Shape{static_cast<std::int64_t>((bytes + sizeof(float) - 1) / sizeof(float))});
}

}  // namespace

bool cudnn_conv_available() { return true; }

void cudnn_conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                          const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y) {
    // Empty shapes before any cuDNN call (its descriptors reject zero extents with a status).
    if (y.numel() == 0) return;
    if (x.numel() == 0 || w.numel() == 0) {  // no inputs (N > 0, C_in = 0): y = 0
        const float zero = 0.0f;
        fill_elements(y.data(), static_cast<std::size_t>(y.numel()), sizeof(float), &zero, stream_of(ctx));
        return;
    }
    const CudnnConv conv(ctx, conv_geometry(x.shape(), w.shape(), p));
    Tensor<float, Cuda> padded;
    const float* in = conv.input(ctx, x, padded);
    std::size_t bytes = 0;
    const auto algo = best_algorithm<cudnnConvolutionFwdAlgoPerf_t>(
        [&](int n, int* got, cudnnConvolutionFwdAlgoPerf_t* perf) {
            return cudnnGetConvolutionForwardAlgorithm_v7(conv.handle(), conv.x(), conv.w(), conv.conv(), conv.y(), n,
                                                          got, perf);
        },
        "cudnnGetConvolutionForwardAlgorithm_v7", bytes);
    Tensor<float, Cuda> ws = workspace(ctx, bytes);
    const float alpha = 1.0f, beta = 0.0f;
    check_cudnn(cudnnConvolutionForward(conv.handle(), &alpha, conv.x(), in, conv.w(), w.data(), conv.conv(), algo,
                                        ws.defined() ? ws.data() : nullptr, bytes, &beta, conv.y(), y.data()),
                "cudnnConvolutionForward");
}

void cudnn_conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                                 const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx) {
    if (gx.numel() == 0 || gy.numel() == 0 || w.numel() == 0) return;  // gx += 0, no cuDNN call
    const CudnnConv conv(ctx, conv_geometry(gx.shape(), w.shape(), p));
    std::size_t bytes = 0;
    const auto algo = best_algorithm<cudnnConvolutionBwdDataAlgoPerf_t>(
        [&](int n, int* got, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
            return cudnnGetConvolutionBackwardDataAlgorithm_v7(conv.handle(), conv.w(), conv.y(), conv.conv(), conv.x(),
                                                               n, got, perf);
        },
        "cudnnGetConvolutionBackwardDataAlgorithm_v7", bytes);
    Tensor<float, Cuda> ws = workspace(ctx, bytes);
    // Accumulate straight into gx (beta 1), or into a padded scratch whose interior is added after.
    Tensor<float, Cuda> padded;
    if (conv.pad_copy()) padded = ctx.template empty<float>(conv.padded_shape());
    const float alpha = 1.0f, beta = conv.pad_copy() ? 0.0f : 1.0f;
    check_cudnn(cudnnConvolutionBackwardData(conv.handle(), &alpha, conv.w(), w.data(), conv.y(), gy.data(),
                                             conv.conv(), algo, ws.defined() ? ws.data() : nullptr, bytes, &beta,
                                             conv.x(), conv.pad_copy() ? padded.data() : gx.data()),
                "cudnnConvolutionBackwardData");
    if (conv.pad_copy())
        launch<kernels::add_plane_interiors>(grid_stride_blocks(gx.numel(), 256), 256, 0, stream_of(ctx),
                                             conv.padding(), padded.data(), gx.data());
}

void cudnn_conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                                  const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw) {
    if (gw.numel() == 0 || x.numel() == 0 || gy.numel() == 0) return;  // gw += 0, no cuDNN call
    const CudnnConv conv(ctx, conv_geometry(x.shape(), gw.shape(), p));
    Tensor<float, Cuda> padded;
    const float* in = conv.input(ctx, x, padded);
    std::size_t bytes = 0;
    const auto algo = best_algorithm<cudnnConvolutionBwdFilterAlgoPerf_t>(
        [&](int n, int* got, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
            return cudnnGetConvolutionBackwardFilterAlgorithm_v7(conv.handle(), conv.x(), conv.y(), conv.conv(),
                                                                 conv.w(), n, got, perf);
        },
        "cudnnGetConvolutionBackwardFilterAlgorithm_v7", bytes);
    Tensor<float, Cuda> ws = workspace(ctx, bytes);
    const float alpha = 1.0f, beta = 1.0f;  // gw accumulates
    check_cudnn(
        cudnnConvolutionBackwardFilter(conv.handle(), &alpha, conv.x(), in, conv.y(), gy.data(), conv.conv(), algo,
                                       ws.defined() ? ws.data() : nullptr, bytes, &beta, conv.w(), gw.data()),
        "cudnnConvolutionBackwardFilter");
}

#else  // no cuDNN in this build

namespace {
[[noreturn]] void no_cudnn(const char* what) {
    throw DeviceError(::enas::detail::concat(what,
                                             ": this build of enas has no cuDNN (configure a real CUDA build "
                                             "with -DENAS_CUDNN=ON and cuDNN installed)"));
}
}  // namespace

bool cudnn_conv_available() { return false; }
void cudnn_conv2d_forward(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&, const Tensor<float, Cuda>&,
                          Tensor<float, Cuda>&) {
    no_cudnn("cudnn_conv2d_forward");
}
void cudnn_conv2d_backward_input(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                 const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    no_cudnn("cudnn_conv2d_backward_input");
}
void cudnn_conv2d_backward_weight(Context<Cuda>&, const Conv2dParams&, const Tensor<float, Cuda>&,
                                  const Tensor<float, Cuda>&, Tensor<float, Cuda>&) {
    no_cudnn("cudnn_conv2d_backward_weight");
}

#endif

}  // namespace enas::cuda
