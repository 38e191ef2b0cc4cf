// A small builder over ONNX's own protobuf classes (Debian's libonnx-dev: onnx/onnx_pb.h), so the
// exporter names nodes and weights and never encodes protobuf by hand: initialisers from float
// vectors, nodes with int / ints / float attributes, and the eval-mode blocks of the enas models
// (conv + batch norm with an optional ReLU first, separable conv, 3x3 pools with TF SAME padding,
// factorized reduction).
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace enas_export {

/// An attribute value: one int, a list of ints or one float.
using Attr = std::variant<std::int64_t, std::vector<std::int64_t>, float>;

class GraphBuilder {
public:
    explicit GraphBuilder(onnx::GraphProto& graph) : g_(graph) {}

    /// Adds a float initialiser named `name` (unique) and returns the name.
    std::string weight(const std::string& name, const std::vector<std::int64_t>& shape, const std::vector<float>& v);

    /// Adds an int64 initialiser (a 1-D list: Slice's starts, Pad's pads).
    std::string ints(const std::string& name, const std::vector<std::int64_t>& v);

    /// Adds node `op` on `inputs` with `attrs`; returns its (generated) output name.
    std::string node(const std::string& op, const std::vector<std::string>& inputs,
                     const std::vector<std::pair<std::string, Attr>>& attrs = {});

    /// Conv with weight [c_out, c_in / group, k, k], stride `stride` and `pads` (top, left, bottom,
    /// right; empty: k / 2 on every side, TF SAME for odd k at stride 1).
    std::string conv(const std::string& x, const std::string& w, std::int64_t k, std::int64_t stride = 1,
                     std::int64_t group = 1, std::vector<std::int64_t> pads = {});
    /// Inference batch norm (running statistics) with `eps`.
    std::string batch_norm(const std::string& x, const std::string& gamma, const std::string& beta,
                           const std::string& mean, const std::string& var, float eps);

private:
    onnx::GraphProto& g_;
    int counter_ = 0;
};

}  // namespace enas_export
