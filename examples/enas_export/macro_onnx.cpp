#include "macro_onnx.hpp"

#include <limits>
#include <map>

#include "onnx_graph.hpp"

namespace enas_export {
using namespace enas;

namespace {

std::vector<std::int64_t> dims_of(const Shape& s) {
    std::vector<std::int64_t> d;
    for (int i = 0; i < s.rank(); ++i) d.push_back(s[i]);
    return d;
}

/// The named tensors of an arena (parameters and batch-norm statistics) as ONNX initialisers.
class Weights {
public:
    Weights(nn::ParameterArena<Cpu>& arena, GraphBuilder& g) : arena_(arena), g_(g) {
        for (std::size_t i = 0; i < arena.num_states(); ++i)
            states_[arena.state_entry(static_cast<nn::ParamId>(i)).name] = static_cast<nn::ParamId>(i);
    }
    /// Parameter `name` as an initialiser of its own shape.
    std::string param(const std::string& name) {
        const nn::ParamId id = arena_.find(name);
        const Tensor<float, Cpu>& v = arena_.peek(id).value();
        return g_.weight(name, dims_of(v.shape()), v.to_vector());
    }
    std::string state(const std::string& name) {
        const auto it = states_.find(name);
        check<ValueError>(it != states_.end(), "export: the model has no state tensor '", name, "'");
        const Tensor<float, Cpu>& v = arena_.state(it->second);
        return g_.weight(name, dims_of(v.shape()), v.to_vector());
    }
    /// [ReLU ->] conv k (weight name/w) -> BN (name/bn), as nn::conv_bn.
    std::string conv_bn(const std::string& x, const std::string& name, std::int64_t k, bool relu_first) {
        const std::string in = relu_first ? g_.node("Relu", {x}) : x;
        return bn(g_.conv(in, param(name + "/w"), k), name + "/bn");
    }
    std::string bn(const std::string& x, const std::string& name, float eps = 1e-5f) {
        return g_.batch_norm(x, param(name + "/gamma"), param(name + "/beta"), state(name + "/moving_mean"),
                             state(name + "/moving_variance"), eps);
    }
    /// ReLU -> depthwise k -> pointwise 1x1 -> BN, as nn::separable_conv_bn.
    std::string separable(const std::string& x, const std::string& name, std::int64_t k, std::int64_t channels) {
        const std::string d = g_.conv(g_.node("Relu", {x}), param(name + "/w_depth"), k, 1, channels);
        return bn(g_.conv(d, param(name + "/w_point"), 1), name + "/bn");
    }
    /// Factorized reduction: 1x1 stride-2 convs of x and of x shifted by one pixel (zero at the
    /// bottom and right), concatenated, BN (nn::factorized_reduction).
    std::string reduction(const std::string& x, const std::string& name) {
        const std::string p1 = g_.conv(x, param(name + "/path1/w"), 1, 2, 1, 0);
        const std::int64_t big = std::numeric_limits<std::int64_t>::max();
        const std::string shifted =
            g_.node("Slice", {x, g_.ints(name + "/starts", {1, 1}), g_.ints(name + "/ends", {big, big}),
                              g_.ints(name + "/axes", {2, 3})});
        const std::string padded = g_.node("Pad", {shifted, g_.ints(name + "/pads", {0, 0, 0, 0, 0, 0, 1, 1})});
        const std::string p2 = g_.conv(padded, param(name + "/path2/w"), 1, 2, 1, 0);
        return bn(g_.node("Concat", {p1, p2}, {{"axis", std::int64_t{1}}}), name + "/bn");
    }

private:
    nn::ParameterArena<Cpu>& arena_;
    GraphBuilder& g_;
    std::map<std::string, nn::ParamId> states_;
};

std::string pool3x3(GraphBuilder& g, const std::string& x, bool average) {
    const std::vector<std::int64_t> k{3, 3}, s{1, 1}, p{1, 1, 1, 1};
    if (average)  // TF SAME: the padding is not counted in the averages
        return g.node("AveragePool", {x},
                      {{"kernel_shape", k}, {"strides", s}, {"pads", p}, {"count_include_pad", std::int64_t{0}}});
    return g.node("MaxPool", {x}, {{"kernel_shape", k}, {"strides", s}, {"pads", p}});
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

onnx::ModelProto export_macro(child::MacroChild<Cpu>& model, const search::MacroArch& arch,
                              const data::Preprocessing& pre) {
    const child::MacroChildConfig& c = model.config();
    check<ValueError>(model.final_mode(), "export: only a final-mode macro model can be exported");
    onnx::ModelProto m;
    m.set_ir_version(onnx::IR_VERSION);
    m.set_producer_name("enas");
    m.add_opset_import()->set_version(13);
    onnx::StringStringEntryProto* meta = m.add_metadata_props();
    meta->set_key("preprocessing");
    meta->set_value(pre.to_json().dump());
    onnx::GraphProto& graph = *m.mutable_graph();
    graph.set_name("enas_macro_final");
    add_value_info(graph.add_input(), "images", {pre.channels, pre.height, pre.width});
    GraphBuilder g(graph);
    Weights w(model.arena(), g);

    const bool separable = c.final_separable == search::SeparableConvs::separable;
    std::vector<std::string> entries{w.conv_bn("images", "stem", 3, false)};
    const std::vector<int> pools = arch.pool_layers();
    std::size_t pool_index = 0;
    std::int64_t width = c.filters;
    for (int l = 0; l < arch.num_layers(); ++l) {
        const search::MacroLayer& layer = arch.layer(l);
        const std::string name = "layer_" + std::to_string(l);
        const int op = static_cast<int>(layer.op);  // 0 conv3, 1 sep3, 2 conv5, 3 sep5, 4 avg, 5 max
        const std::int64_t k = op == 2 || op == 3 ? 5 : 3;
        std::string x = w.conv_bn(entries.back(), name + "/conv_1x1", 1, true);
        if (op >= 4)
            x = pool3x3(g, x, op == 4);
        else if ((op == 1 || op == 3) && separable)
            x = w.separable(x, name + "/sep_" + std::to_string(k), k, width);
        else
            x = w.conv_bn(x, name + "/conv_" + std::to_string(k), k, true);
        if (l > 0) {
            std::vector<std::string> parts;
            for (const int e : layer.skip_entries()) parts.push_back(entries[static_cast<std::size_t>(e)]);
            parts.push_back(x);
            const std::string cat = parts.size() == 1 ? x : g.node("Concat", parts, {{"axis", std::int64_t{1}}});
            x = w.conv_bn(cat, name + "/skip", 1, true);
        }
        entries.push_back(x);
        if (pool_index < pools.size() && pools[pool_index] == l) {
            for (std::size_t e = 0; e < entries.size(); ++e)
                entries[e] = w.reduction(entries[e], "pool_at_" + std::to_string(l) + "/from_" + std::to_string(e));
            width *= 2;
            ++pool_index;
        }
    }
    const std::string h = g.node("Flatten", {g.node("GlobalAveragePool", {entries.back()})});
    const std::string logits = g.node("Gemm", {h, w.param("fc/w")}, {{"transB", std::int64_t{1}}});
    graph.mutable_node(graph.node_size() - 1)->set_output(0, "logits");
    (void)logits;
    add_value_info(graph.add_output(), "logits", {pre.num_classes()});
    return m;
}

}  // namespace enas_export
