// Argument checks shared by the public ops. Each throws ShapeError naming the op, the argument,
// the shape seen and what was expected.
#pragma once
#include <string>

#include "enas/autograd/tape.hpp"

namespace enas::ops::detail {

template <Element T, Device D>
void require_defined(const char* op, const char* arg, const Tensor<T, D>& t) {
    check<StateError>(t.defined(), op, ": argument '", arg, "' is an undefined tensor");
}

template <Element T, Device D>
void require_nonempty(const char* op, const char* arg, const Tensor<T, D>& t) {
    require_defined(op, arg, t);
    check<ShapeError>(t.numel() > 0, op, ": argument '", arg, "' is empty (shape ", t.shape().str(), ")");
}

template <Element T, Device D>
void require_rank(const char* op, const char* arg, const Tensor<T, D>& t, int rank) {
    require_nonempty(op, arg, t);
    check<ShapeError>(t.rank() == rank, op, ": argument '", arg, "' must have rank ", rank, ", got shape ",
                      t.shape().str());
}

template <Element T, Device D>
void require_same_shape(const char* op, const char* a_name, const Tensor<T, D>& a, const char* b_name,
                        const Tensor<T, D>& b) {
    require_nonempty(op, a_name, a);
    require_nonempty(op, b_name, b);
    check<ShapeError>(a.shape() == b.shape(), op, ": shapes of '", a_name, "' ", a.shape().str(), " and '", b_name,
                      "' ", b.shape().str(), " differ");
}

template <Element T, Device D>
void require_shape(const char* op, const char* arg, const Tensor<T, D>& t, const Shape& expected) {
    require_defined(op, arg, t);
    check<ShapeError>(t.shape() == expected, op, ": argument '", arg, "' has shape ", t.shape().str(), ", expected ",
                      expected.str());
}

}  // namespace enas::ops::detail
