// The eval-mode blocks of the enas models (nn/blocks.hpp) as ONNX nodes, with their weights and
// running batch-norm statistics read from a model's arena by name: conv + BN (optionally ReLU
// first), separable conv, factorized reduction, 3x3 pools; TF SAME padding, asymmetric at stride 2
// as ops::padded_extent computes it. Shared by the macro and micro exporters.
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "enas/data/image_folder_preprocess.hpp"
#include "enas/nn/parameter_arena.hpp"
#include "onnx_graph.hpp"

namespace enas_export {

/// ONNX pads (top, left, bottom, right) of TF SAME padding for a k x k window at `stride` on a
/// size x size input.
std::vector<std::int64_t> same_pads(std::int64_t size, std::int64_t k, std::int64_t stride);

class Blocks {
public:
    Blocks(enas::nn::ParameterArena<enas::Cpu>& arena, GraphBuilder& g);

    GraphBuilder& graph() { return g_; }
    /// Parameter / state tensor `name` as an initialiser of its own shape.
    std::string param(const std::string& name);
    std::string state(const std::string& name);
    /// Inference BN of parameters name/gamma, name/beta, states name/moving_mean, moving_variance.
    std::string bn(const std::string& x, const std::string& name, float eps = 1e-5f);
    /// [ReLU ->] conv k, stride 1 (weight name/w) -> BN (name/bn): nn::conv_bn.
    std::string conv_bn(const std::string& x, const std::string& name, std::int64_t k, bool relu_first);
    /// ReLU -> depthwise k at `stride` on a size x size input -> pointwise 1x1 -> BN.
    std::string separable(const std::string& x, const std::string& name, std::int64_t k, std::int64_t channels,
                          std::int64_t stride = 1, std::int64_t size = 0);
    /// Factorized reduction: 1x1 stride-2 convs of x and of x shifted by one pixel (zero at the
    /// bottom and right), concatenated, BN.
    std::string reduction(const std::string& x, const std::string& name);
    /// 3x3 average (padding not counted) or max pooling, TF SAME, at `stride` on size x size.
    std::string pool3x3(const std::string& x, bool average, std::int64_t stride = 1, std::int64_t size = 0);

private:
    enas::nn::ParameterArena<enas::Cpu>& arena_;
    GraphBuilder& g_;
    std::map<std::string, enas::nn::ParamId> states_;
};

/// A model with opset 13, the preprocessing in its metadata, input "images" [N, C, H, W] and output
/// "logits" [N, classes] declared; the caller adds the nodes and renames the last output "logits".
onnx::ModelProto start_model(const std::string& name, const enas::data::Preprocessing& pre);

}  // namespace enas_export
