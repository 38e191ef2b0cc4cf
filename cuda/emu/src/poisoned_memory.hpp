// Heap blocks filled with the poison pattern: 0xFF bytes, a NaN in float and double and -1 in
// integers, so reading memory nobody wrote shows up in results. Each block is its own exact-size
// allocation, so AddressSanitizer reports any access past its end.
#pragma once
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>

namespace enas::emu {

inline constexpr unsigned char kPoisonByte = 0xFF;

inline void* allocate_poisoned(std::size_t bytes, std::size_t alignment) {
    void* p = ::operator new (bytes, std::align_val_t{alignment});
    std::memset(p, kPoisonByte, bytes);
    return p;
}

inline void release_aligned(void* p, std::size_t alignment) { ::operator delete (p, std::align_val_t{alignment}); }

/// An owned poisoned block.
class PoisonedBuffer {
public:
    PoisonedBuffer() = default;
    PoisonedBuffer(std::size_t bytes, std::size_t alignment)
        : data_(allocate_poisoned(bytes, alignment)), bytes_(bytes), alignment_(alignment) {}
    PoisonedBuffer(PoisonedBuffer&& other) noexcept { *this = std::move(other); }
    PoisonedBuffer& operator=(PoisonedBuffer&& other) noexcept {
        if (this != &other) {
            reset();
            data_ = other.data_;
            bytes_ = other.bytes_;
            alignment_ = other.alignment_;
            other.data_ = nullptr;
        }
        return *this;
    }
    ~PoisonedBuffer() { reset(); }

    void reset() {
        if (data_ != nullptr) release_aligned(data_, alignment_);
        data_ = nullptr;
    }
    void* data() const { return data_; }
    std::size_t size() const { return bytes_; }

private:
    void* data_ = nullptr;
    std::size_t bytes_ = 0;
    std::size_t alignment_ = 1;
};

}  // namespace enas::emu
