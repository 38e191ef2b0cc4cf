// Tensor<T, D>: an n-dimensional array of T on device D. A tensor is a view (shape, strides,
// offset) into shared contiguous storage; copying a Tensor copies the view, not the data.
#pragma once
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "enas/core/shape.hpp"
#include "enas/core/storage.hpp"

namespace enas {

/// Floating-point types that ops compute in (double on the CPU, for gradient checks).
template <class T>
concept Scalar = std::is_same_v<T, float> || std::is_same_v<T, double>;
/// Types a tensor can hold: the scalars plus int32 (labels, token ids, argmax indices).
template <class T>
concept Element = Scalar<T> || std::is_same_v<T, std::int32_t>;

template <Element T, Device D>
class Tensor {
public:
    using value_type = T;
    using device_type = D;

    /// An undefined tensor (no storage); `defined()` is false.
    Tensor() = default;
    /// A fresh contiguous tensor owning its own block (contents uninitialised).
    explicit Tensor(const Shape& shape)
        : storage_(std::make_shared<Storage<D>>(bytes_for(shape))), shape_(shape),
          strides_(shape.contiguous_strides()) {}
    /// A fresh contiguous tensor whose block comes from `pool` (contents uninitialised).
    Tensor(const Shape& shape, std::shared_ptr<CachingAllocator<D>> pool)
        : storage_(std::make_shared<Storage<D>>(bytes_for(shape), std::move(pool))), shape_(shape),
          strides_(shape.contiguous_strides()) {}

    /// A CPU tensor holding a copy of `values` (size must equal shape.numel()).
    static Tensor from_vector(const Shape& shape, const std::vector<T>& values) {
        check<ShapeError>(static_cast<std::int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
                          " values for shape ", shape.str(), " (", shape.numel(), " elements)");
        Tensor t(shape);
        copy_bytes<D, Cpu>(t.data(), values.data(), values.size() * sizeof(T));
        return t;
    }
    static Tensor full(const Shape& shape, T value) {
        Tensor t(shape);
        t.fill(value);
        return t;
    }
    static Tensor zeros(const Shape& shape) { return full(shape, T(0)); }

    bool defined() const { return storage_ != nullptr; }
    const Shape& shape() const { return shape_; }
    const Shape& strides() const { return strides_; }
    int rank() const { return shape_.rank(); }
    std::int64_t dim(int i) const { return shape_[i]; }
    std::int64_t numel() const { return shape_.numel(); }
    std::int64_t offset() const { return offset_; }
    bool is_contiguous() const {
        Shape c = shape_.contiguous_strides();
        for (int i = 0; i < rank(); ++i)
            if (shape_[i] > 1 && strides_[i] != c[i]) return false;
        return true;
    }

    T* data() { return storage_ ? static_cast<T*>(storage_->data()) + offset_ : nullptr; }
    const T* data() const { return storage_ ? static_cast<const T*>(storage_->data()) + offset_ : nullptr; }
    /// True when both tensors view the same storage.
    bool shares_storage(const Tensor& o) const { return storage_ == o.storage_; }

    /// The same elements under another shape with the same element count (contiguous only).
    Tensor view(const Shape& shape) const {
        require_defined("view");
        check<ShapeError>(shape.numel() == numel(), "view: cannot view a tensor of shape ", shape_.str(), " (", numel(),
                          " elements) as ", shape.str(), " (", shape.numel(), " elements)");
        check<ShapeError>(is_contiguous(), "view: tensor of shape ", shape_.str(), " is not contiguous");
        Tensor t = *this;
        t.shape_ = shape;
        t.strides_ = shape.contiguous_strides();
        return t;
    }

    /// A strided view of `length` entries of dimension `d` starting at `start`.
    Tensor narrow(int d, std::int64_t start, std::int64_t length) const {
        require_defined("narrow");
        check<ShapeError>(d >= -rank() && d < rank(), "narrow: dimension ", d, " out of range for shape ",
                          shape_.str());
        const int dd = d < 0 ? d + rank() : d;
        check<ShapeError>(start >= 0 && length >= 0 && start + length <= shape_[dd], "narrow: range [", start, ", ",
                          start + length, ") out of bounds for dimension ", dd, " of shape ", shape_.str());
        Tensor t = *this;
        t.offset_ += start * strides_[dd];
        t.shape_[dd] = length;
        return t;
    }

    /// Element-wise copy from `src` (same shape, any strides, any device).
    template <Device D2>
    void copy_from(const Tensor<T, D2>& src) {
        require_defined("copy_from");
        check<ShapeError>(src.shape() == shape_, "copy_from: source shape ", src.shape().str(),
                          " does not match destination shape ", shape_.str());
        if (is_contiguous() && src.is_contiguous()) {
            copy_bytes<D, D2>(data(), src.data(), static_cast<std::size_t>(numel()) * sizeof(T));
            return;
        }
        if constexpr (is_cpu_v<D> && is_cpu_v<D2>) {
            strided_copy(src);
        } else if constexpr (!is_cpu_v<D> && !is_cpu_v<D2>) {
            device_strided_copy(src);
        } else {
            // Across devices: pack the source on its own device, copy the bytes, then scatter on D.
            Tensor<T, D2> packed = src.contiguous();
            if (is_contiguous()) {
                copy_bytes<D, D2>(data(), packed.data(), static_cast<std::size_t>(numel()) * sizeof(T));
                return;
            }
            Tensor<T, D> staged(shape_);
            copy_bytes<D, D2>(staged.data(), packed.data(), static_cast<std::size_t>(numel()) * sizeof(T));
            copy_from(staged);
        }
    }

    /// A contiguous copy (or this tensor itself when it already is contiguous).
    Tensor contiguous() const { return is_contiguous() ? *this : clone(); }
    /// A contiguous deep copy.
    Tensor clone() const {
        Tensor t(shape_);
        t.copy_from(*this);
        return t;
    }
    /// A contiguous copy on device D2.
    template <Device D2>
    Tensor<T, D2> to() const {
        Tensor<T, D2> t(shape_);
        t.copy_from(*this);
        return t;
    }

    /// Sets every element to `value`.
    void fill(T value) {
        require_defined("fill");
        if constexpr (is_cpu_v<D>) {
            if (is_contiguous()) {
                T* p = data();
                for (std::int64_t i = 0, n = numel(); i < n; ++i) p[i] = value;
            } else {
                copy_from(Tensor<T, Cpu>::full(shape_, value));
            }
        } else if (is_contiguous()) {
#if ENAS_HAS_CUDA
            cuda::fill_elements(data(), static_cast<std::size_t>(numel()), sizeof(T), &value);
#else
            detail::throw_no_cuda("filling a tensor");
#endif
        } else {
            Tensor<T, D> packed(shape_);
            packed.fill(value);
            copy_from(packed);
        }
    }

    /// A host copy of the elements in row-major order.
    std::vector<T> to_vector() const {
        if (!defined()) return {};
        Tensor<T, Cpu> host = to<Cpu>();
        return std::vector<T>(host.data(), host.data() + host.numel());
    }
    /// The single element of a one-element tensor.
    T item() const {
        check<ShapeError>(numel() == 1, "item: tensor of shape ", shape_.str(), " has ", numel(), " elements, not 1");
        return to_vector()[0];
    }

private:
    template <Element, Device>
    friend class Tensor;

    static std::size_t bytes_for(const Shape& s) { return static_cast<std::size_t>(s.numel()) * sizeof(T); }
    void require_defined(const char* what) const {
        check<StateError>(defined(), what, ": tensor is undefined (default-constructed)");
    }
    template <Device D2>
    void strided_copy(const Tensor<T, D2>& src) {
        const int r = rank();
        std::int64_t idx[Shape::kMaxRank] = {};
        const std::int64_t n = numel();
        T* dst = static_cast<T*>(storage_->data());
        const T* s = static_cast<const T*>(src.storage_->data());
        for (std::int64_t k = 0; k < n; ++k) {
            std::int64_t od = offset_, os = src.offset_;
            for (int i = 0; i < r; ++i) {
                od += idx[i] * strides_[i];
                os += idx[i] * src.strides_[i];
            }
            dst[od] = s[os];
            for (int i = r - 1; i >= 0; --i) {
                if (++idx[i] < shape_[i]) break;
                idx[i] = 0;
            }
        }
    }

    /// Strided copy between two views on the Cuda device, by a kernel (cuda/memory.cu).
    template <Device D2>
    void device_strided_copy(const Tensor<T, D2>& src) {
#if ENAS_HAS_CUDA
        cuda::strided_copy(data(), strides_.begin(), src.data(), src.strides().begin(), shape_.begin(), rank(),
                           sizeof(T));
#else
        (void)src;
        detail::throw_no_cuda("copying a tensor");
#endif
    }

    std::shared_ptr<Storage<D>> storage_;
    std::int64_t offset_ = 0;
    Shape shape_;
    Shape strides_;
};

}  // namespace enas
