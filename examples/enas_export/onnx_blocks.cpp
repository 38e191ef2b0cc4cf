#include "onnx_blocks.hpp"

#include <limits>

#include "enas/core/error.hpp"
#include "enas/ops/params/conv.hpp"

namespace enas_export {
using namespace enas;

namespace {

std::vector<std::int64_t> dims_of(const Shape& s) {
    std::vector<std::int64_t> d;
    for (int i = 0; i < s.rank(); ++i) d.push_back(s[i]);
    return d;
}

void add_value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::int64_t>& dims) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (const std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

}  // namespace

std::vector<std::int64_t> same_pads(std::int64_t size, std::int64_t k, std::int64_t stride) {
    if (stride == 1) return std::vector<std::int64_t>(4, k / 2);
    const PaddedExtent e = padded_extent(size, k, stride, Padding::Same, "export");
    return {e.pad_before, e.pad_before, e.pad_after, e.pad_after};
}

Blocks::Blocks(nn::ParameterArena<Cpu>& arena, GraphBuilder& g) : arena_(arena), g_(g) {
    for (std::size_t i = 0; i < arena.num_states(); ++i)
        states_[arena.state_entry(static_cast<nn::ParamId>(i)).name] = static_cast<nn::ParamId>(i);
}

std::string Blocks::param(const std::string& name) {
    const Tensor<float, Cpu>& v = arena_.peek(arena_.find(name)).value();
    return g_.weight(name, dims_of(v.shape()), v.to_vector());
}

std::string Blocks::state(const std::string& name) {
    const auto it = states_.find(name);
    check<ValueError>(it != states_.end(), "export: the model has no state tensor '", name, "'");
    const Tensor<float, Cpu>& v = arena_.state(it->second);
    return g_.weight(name, dims_of(v.shape()), v.to_vector());
}

std::string Blocks::bn(const std::string& x, const std::string& name, float eps) {
    return g_.batch_norm(x, param(name + "/gamma"), param(name + "/beta"), state(name + "/moving_mean"),
                         state(name + "/moving_variance"), eps);
}

std::string Blocks::conv_bn(const std::string& x, const std::string& name, std::int64_t k, bool relu_first) {
    const std::string in = relu_first ? g_.node("Relu", {x}) : x;
    return bn(g_.conv(in, param(name + "/w"), k), name + "/bn");
}

std::string Blocks::separable(const std::string& x, const std::string& name, std::int64_t k, std::int64_t channels,
                              std::int64_t stride, std::int64_t size) {
    const std::string d =
        g_.conv(g_.node("Relu", {x}), param(name + "/w_depth"), k, stride, channels, same_pads(size, k, stride));
    return bn(g_.conv(d, param(name + "/w_point"), 1), name + "/bn");
}

std::string Blocks::reduction(const std::string& x, const std::string& name) {
    const std::vector<std::int64_t> none(4, 0);
    const std::string p1 = g_.conv(x, param(name + "/path1/w"), 1, 2, 1, none);
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    const std::string shifted = g_.node(
        "Slice",
        {x, g_.ints(name + "/starts", {1, 1}), g_.ints(name + "/ends", {big, big}), g_.ints(name + "/axes", {2, 3})});
    const std::string padded = g_.node("Pad", {shifted, g_.ints(name + "/pads", {0, 0, 0, 0, 0, 0, 1, 1})});
    const std::string p2 = g_.conv(padded, param(name + "/path2/w"), 1, 2, 1, none);
    return bn(g_.node("Concat", {p1, p2}, {{"axis", std::int64_t{1}}}), name + "/bn");
}

std::string Blocks::pool3x3(const std::string& x, bool average, std::int64_t stride, std::int64_t size) {
    const std::vector<std::int64_t> k{3, 3}, s{stride, stride}, p = same_pads(size, 3, stride);
    if (average)
        return g_.node("AveragePool", {x},
                       {{"kernel_shape", k}, {"strides", s}, {"pads", p}, {"count_include_pad", std::int64_t{0}}});
    return g_.node("MaxPool", {x}, {{"kernel_shape", k}, {"strides", s}, {"pads", p}});
}

onnx::ModelProto start_model(const std::string& name, const data::Preprocessing& pre) {
    onnx::ModelProto m;
    m.set_ir_version(onnx::IR_VERSION);
    m.set_producer_name("enas");
    m.add_opset_import()->set_version(13);
    onnx::StringStringEntryProto* meta = m.add_metadata_props();
    meta->set_key("preprocessing");
    meta->set_value(pre.to_json().dump());
    onnx::GraphProto& graph = *m.mutable_graph();
    graph.set_name(name);
    add_value_info(graph.add_input(), "images", {pre.channels, pre.height, pre.width});
    add_value_info(graph.add_output(), "logits", {pre.num_classes()});
    return m;
}

}  // namespace enas_export
