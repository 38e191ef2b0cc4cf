#include "micro_onnx.hpp"

#include "onnx_blocks.hpp"

namespace enas_export {
using namespace enas;

namespace {

std::int64_t halved(std::int64_t size, int times) {
    for (int i = 0; i < times; ++i) size = (size + 1) / 2;
    return size;
}

/// A cell input: its node, channels and resolution level (stride-2 reductions so far).
struct Feature {
    std::string value;
    std::int64_t channels = 0;
    int level = 0;
};

}  // namespace

onnx::ModelProto export_micro(child::MicroChild<Cpu>& model, const search::MicroArch& arch,
                              const data::Preprocessing& pre) {
    const child::MicroChildConfig& c = model.config();
    check<ValueError>(model.final_mode(), "export: only a final-mode micro model can be exported");
    onnx::ModelProto m = start_model("enas_micro_final", pre);
    GraphBuilder g(*m.mutable_graph());
    Blocks b(model.arena(), g);

    const std::string stem = b.conv_bn("images", "stem", 3, false);
    Feature prev{stem, 3 * c.filters, 0}, cur = prev;
    std::int64_t f = c.filters;
    for (int ci = 0; ci < model.num_cells(); ++ci) {
        const bool reduction = model.is_reduction(ci);
        if (reduction) f *= 2;
        const int stride = reduction ? 2 : 1;
        const search::Cell& arc = arch.cell(reduction ? search::CellKind::reduction : search::CellKind::normal);
        const std::string name = "cell_" + std::to_string(ci);
        // micro::calibrate, then layer_base on input 1.
        std::string x0 = prev.value, x1 = cur.value;
        if (prev.level != cur.level)
            x0 = b.reduction(g.node("Relu", {x0}), name + "/calibrate/pool_x");
        else if (prev.channels != f)
            x0 = b.conv_bn(x0, name + "/calibrate/pool_x", 1, true);
        if (cur.channels != f) x1 = b.conv_bn(x1, name + "/calibrate/pool_y", 1, true);
        x1 = b.conv_bn(x1, name + "/layer_base", 1, true);
        const std::int64_t size = halved(c.image_size, cur.level);  // of the cell's inputs
        std::vector<std::string> h{x0, x1};
        for (int node = 0; node < arc.num_nodes(); ++node) {
            const search::MicroNode& n = arc.nodes()[static_cast<std::size_t>(node)];
            std::string sum;
            for (int slot = 0; slot < 2; ++slot) {
                const int j = slot == 0 ? n.input1 : n.input2;
                const search::MicroOp op = slot == 0 ? n.op1 : n.op2;
                const int s = j < 2 ? stride : 1;
                const std::string p = name + "/cell_" + std::to_string(node) + (slot == 0 ? "/x" : "/y");
                std::string y = h[static_cast<std::size_t>(j)];
                if (op == search::MicroOp::sep3 || op == search::MicroOp::sep5) {
                    const int k = op == search::MicroOp::sep3 ? 3 : 5;
                    const std::string sep = p + "/sep_" + std::to_string(k) + "/stack_";
                    y = b.separable(y, sep + "0", k, f, s, size);
                    y = b.separable(y, sep + "1", k, f);
                } else if (op == search::MicroOp::avg3 || op == search::MicroOp::max3) {
                    y = b.pool3x3(y, op == search::MicroOp::avg3, s, size);
                } else if (s == 2) {
                    y = b.reduction(y, p + "/reduce");
                }
                sum = slot == 0 ? y : g.node("Add", {sum, y});
            }
            h.push_back(sum);
        }
        std::vector<std::string> parts;
        const std::vector<int> loose = arc.loose_ends();
        for (const int j : loose)
            parts.push_back(j < 2 && stride == 2
                                ? b.reduction(h[static_cast<std::size_t>(j)], name + "/calibrate_" + std::to_string(j))
                                : h[static_cast<std::size_t>(j)]);
        const std::string out = parts.size() == 1 ? parts[0] : g.node("Concat", parts, {{"axis", std::int64_t{1}}});
        prev = cur;
        cur = Feature{out, static_cast<std::int64_t>(loose.size()) * f, cur.level + (reduction ? 1 : 0)};
    }
    const std::string h = g.node("Flatten", {g.node("GlobalAveragePool", {g.node("Relu", {cur.value})})});
    g.node("Gemm", {h, b.param("fc/w")}, {{"transB", std::int64_t{1}}});
    m.mutable_graph()->mutable_node(m.graph().node_size() - 1)->set_output(0, "logits");
    return m;
}

}  // namespace enas_export
