#include "macro_onnx.hpp"

#include "onnx_blocks.hpp"

namespace enas_export {
using namespace enas;

onnx::ModelProto export_macro(child::MacroChild<Cpu>& model, const search::MacroArch& arch,
                              const data::Preprocessing& pre) {
    const child::MacroChildConfig& c = model.config();
    check<ValueError>(model.final_mode(), "export: only a final-mode macro model can be exported");
    onnx::ModelProto m = start_model("enas_macro_final", pre);
    GraphBuilder g(*m.mutable_graph());
    Blocks b(model.arena(), g);

    // MacroChild::forward in final mode: stem, per layer [ReLU 1x1 conv BN, the op, concat of the
    // skipped-to entries and the op's output -> ReLU 1x1 conv BN], factorized reductions of every
    // entry after the pool layers, global average pool, the classifier.
    const bool separable = c.final_separable == search::SeparableConvs::separable;
    std::vector<std::string> entries{b.conv_bn("images", "stem", 3, false)};
    const std::vector<int> pools = arch.pool_layers();
    std::size_t pool_index = 0;
    std::int64_t width = c.filters;
    for (int l = 0; l < arch.num_layers(); ++l) {
        const search::MacroLayer& layer = arch.layer(l);
        const std::string name = "layer_" + std::to_string(l);
        const search::MacroOp op = layer.op;
        const std::int64_t k = op == search::MacroOp::conv5 || op == search::MacroOp::sep5 ? 5 : 3;
        std::string x = b.conv_bn(entries.back(), name + "/conv_1x1", 1, true);
        if (op == search::MacroOp::avgpool || op == search::MacroOp::maxpool)
            x = b.pool3x3(x, op == search::MacroOp::avgpool);
        else if ((op == search::MacroOp::sep3 || op == search::MacroOp::sep5) && separable)
            x = b.separable(x, name + "/sep_" + std::to_string(k), k, width);
        else
            x = b.conv_bn(x, name + "/conv_" + std::to_string(k), k, true);
        if (l > 0) {
            std::vector<std::string> parts;
            for (const int e : layer.skip_entries()) parts.push_back(entries[static_cast<std::size_t>(e)]);
            parts.push_back(x);
            const std::string cat = parts.size() == 1 ? x : g.node("Concat", parts, {{"axis", std::int64_t{1}}});
            x = b.conv_bn(cat, name + "/skip", 1, true);
        }
        entries.push_back(x);
        if (pool_index < pools.size() && pools[pool_index] == l) {
            for (std::size_t e = 0; e < entries.size(); ++e)
                entries[e] = b.reduction(entries[e], "pool_at_" + std::to_string(l) + "/from_" + std::to_string(e));
            width *= 2;
            ++pool_index;
        }
    }
    const std::string h = g.node("Flatten", {g.node("GlobalAveragePool", {entries.back()})});
    g.node("Gemm", {h, b.param("fc/w")}, {{"transB", std::int64_t{1}}});
    m.mutable_graph()->mutable_node(m.graph().node_size() - 1)->set_output(0, "logits");
    return m;
}

}  // namespace enas_export
