#include "onnx_graph.hpp"

namespace enas_export {

std::string GraphBuilder::weight(const std::string& name, const std::vector<std::int64_t>& shape,
                                 const std::vector<float>& v) {
    onnx::TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (const std::int64_t d : shape) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return name;
}

std::string GraphBuilder::ints(const std::string& name, const std::vector<std::int64_t>& v) {
    onnx::TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<std::int64_t>(v.size()));
    for (const std::int64_t x : v) t->add_int64_data(x);
    return name;
}

std::string GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                               const std::vector<std::pair<std::string, Attr>>& attrs) {
    onnx::NodeProto* n = g_.add_node();
    const std::string out = op + "_" + std::to_string(counter_++);
    n->set_op_type(op);
    n->set_name(out);
    for (const std::string& in : inputs) n->add_input(in);
    n->add_output(out);
    for (const auto& [name, value] : attrs) {
        onnx::AttributeProto* a = n->add_attribute();
        a->set_name(name);
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
            a->set_type(onnx::AttributeProto::INT);
            a->set_i(*i);
        } else if (const auto* is = std::get_if<std::vector<std::int64_t>>(&value)) {
            a->set_type(onnx::AttributeProto::INTS);
            for (const std::int64_t x : *is) a->add_ints(x);
        } else {
            a->set_type(onnx::AttributeProto::FLOAT);
            a->set_f(std::get<float>(value));
        }
    }
    return out;
}

std::string GraphBuilder::conv(const std::string& x, const std::string& w, std::int64_t k, std::int64_t stride,
                               std::int64_t group, std::vector<std::int64_t> pads) {
    if (pads.empty()) pads.assign(4, k / 2);
    return node("Conv", {x, w},
                {{"kernel_shape", std::vector<std::int64_t>{k, k}},
                 {"strides", std::vector<std::int64_t>{stride, stride}},
                 {"pads", pads},
                 {"group", group}});
}

std::string GraphBuilder::batch_norm(const std::string& x, const std::string& gamma, const std::string& beta,
                                     const std::string& mean, const std::string& var, float eps) {
    return node("BatchNormalization", {x, gamma, beta, mean, var}, {{"epsilon", eps}});
}

}  // namespace enas_export
