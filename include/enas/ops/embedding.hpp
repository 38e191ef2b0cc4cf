// Public embedding ops: lookup of rows of a table [V, D] by int32 ids of any shape S, giving
// [S..., D] (the word embeddings of the PTB child and the controller's token embeddings), on
// tensors (no autograd) and on Vars (recorded on a Tape; the table gets a dense gradient).
#pragma once
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "enas/backend/cpu/embedding.hpp"
#include "enas/ops/checks.hpp"
#if ENAS_HAS_CUDA
#include "enas/backend/cuda/embedding.hpp"
#endif

namespace enas::ops {

namespace embedding_detail {
/// "7" for ids of rank <= 1, "[2, 5]" otherwise: the position of flat element `flat` in `shape`.
inline std::string position(const Shape& shape, std::int64_t flat) {
    if (shape.rank() <= 1) return std::to_string(flat);
    std::int64_t idx[Shape::kMaxRank] = {};
    for (int d = shape.rank() - 1; d >= 0; --d) {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    std::ostringstream os;
    os << "[";
    for (int d = 0; d < shape.rank(); ++d) os << (d ? ", " : "") << idx[d];
    os << "]";
    return os.str();
}

/// Ids: defined, nonempty, rank <= 5 (the output adds a dimension), every value in [0, v); a bad
/// id throws ValueError naming it, its position and v. Returns the ids made contiguous.
template <Device D>
Tensor<std::int32_t, D> checked_ids(const Tensor<std::int32_t, D>& ids, std::int64_t v) {
    check<StateError>(ids.defined(), "embedding: argument 'ids' is an undefined tensor");
    check<ShapeError>(ids.numel() > 0, "embedding: argument 'ids' is empty (shape ", ids.shape().str(), ")");
    check<ShapeError>(ids.rank() < Shape::kMaxRank, "embedding: ids of shape ", ids.shape().str(), " have rank ",
                      ids.rank(), "; at most ", Shape::kMaxRank - 1, " (the output adds the embedding dimension)");
    Tensor<std::int32_t, D> packed = ids.contiguous();
    std::vector<std::int32_t> host;
    const std::int32_t* values = nullptr;
    if constexpr (is_cpu_v<D>) {
        values = packed.data();
    } else {
        host = packed.to_vector();
        values = host.data();
    }
    for (std::int64_t i = 0; i < packed.numel(); ++i)
        if (values[i] < 0 || values[i] >= v)
            throw ValueError(::enas::detail::concat("embedding: id ", values[i], " at position ",
                                                    position(ids.shape(), i), " of ids ", ids.shape().str(),
                                                    " is out of range [0, ", v, ") (V = ", v, " table rows)"));
    return packed;
}
}  // namespace embedding_detail

/// y[s..., :] = table[ids[s...], :]. table [V, D]; ids int32 of any shape S (rank <= 5) with
/// values in [0, V); y [S..., D].
template <Scalar T, Device D>
Tensor<T, D> embedding(Context<D>& ctx, const Tensor<T, D>& table, const Tensor<std::int32_t, D>& ids) {
    detail::require_rank("embedding", "table", table, 2);
    const Tensor<std::int32_t, D> ic = embedding_detail::checked_ids(ids, table.dim(0));
    Tensor<T, D> tc = table.contiguous();
    Shape out_shape = ids.shape();
    out_shape.push_back(table.dim(1));
    Tensor<T, D> y = ctx.template empty<T>(out_shape);
    ENAS_BACKEND_CALL(D, embedding_forward, ctx, tc, ic, y);
    return y;
}

/// Var-level lookup; the backward scatter-adds the output gradient into the rows of the table's
/// (dense) gradient, repeated ids adding up.
template <Scalar T, Device D>
Var<T, D> embedding(Tape<D>& tape, const Var<T, D>& table, const Tensor<std::int32_t, D>& ids) {
    Var<T, D> out = tape.output(embedding(tape.ctx(), table.value(), ids), table);
    tape.record(out, [table, out, ic = ids.contiguous()](Context<D>& ctx) {
        if (!table.requires_grad() || !out.has_grad()) return;
        ENAS_BACKEND_CALL(D, embedding_backward, ctx, ic, out.grad(), table.grad_buffer(ctx));
    });
    return out;
}

}  // namespace enas::ops
