// Shape: a small fixed-capacity list of dimension sizes (rank 0 to 6), a value type.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "enas/core/error.hpp"

namespace enas {

class Shape {
public:
    static constexpr int kMaxRank = 6;

    Shape() = default;
    Shape(std::initializer_list<std::int64_t> dims) {
        check<ShapeError>(dims.size() <= kMaxRank, "shape of rank ", dims.size(), " exceeds the maximum rank ",
                          kMaxRank);
        for (std::int64_t d : dims) push_back(d);
    }
    template <class It>
    Shape(It first, It last) {
        for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
    }

    int rank() const { return rank_; }
    std::int64_t operator[](int i) const { return dims_[static_cast<std::size_t>(index(i))]; }
    std::int64_t& operator[](int i) { return dims_[static_cast<std::size_t>(index(i))]; }
    const std::int64_t* begin() const { return dims_.data(); }
    const std::int64_t* end() const { return dims_.data() + rank_; }

    /// Number of elements (1 for rank 0).
    std::int64_t numel() const {
        std::int64_t n = 1;
        for (int i = 0; i < rank_; ++i) n *= dims_[static_cast<std::size_t>(i)];
        return n;
    }
    bool empty() const { return numel() == 0; }

    void push_back(std::int64_t d) {
        check<ShapeError>(rank_ < kMaxRank, "shape exceeds the maximum rank ", kMaxRank);
        check<ShapeError>(d >= 0, "negative dimension ", d, " in shape");
        dims_[static_cast<std::size_t>(rank_++)] = d;
    }

    /// Row-major strides of a contiguous tensor of this shape, in elements.
    Shape contiguous_strides() const {
        Shape s;
        s.rank_ = rank_;
        std::int64_t stride = 1;
        for (int i = rank_ - 1; i >= 0; --i) {
            s.dims_[static_cast<std::size_t>(i)] = stride;
            stride *= std::max<std::int64_t>(dims_[static_cast<std::size_t>(i)], 1);
        }
        return s;
    }

    std::string str() const {
        std::string s = "[";
        for (int i = 0; i < rank_; ++i) {
            if (i) s += ", ";
            s += std::to_string(dims_[static_cast<std::size_t>(i)]);
        }
        return s + "]";
    }

    friend bool operator==(const Shape& a, const Shape& b) {
        return a.rank_ == b.rank_ && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    int index(int i) const {
        int j = i < 0 ? i + rank_ : i;
        check<ShapeError>(j >= 0 && j < rank_, "dimension index ", i, " out of range for rank ", rank_);
        return j;
    }
    std::array<std::int64_t, kMaxRank> dims_{};
    int rank_ = 0;
};

inline std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }

}  // namespace enas
