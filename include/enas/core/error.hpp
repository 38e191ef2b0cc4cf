// The enas exception hierarchy (DESIGN.md §3). Library code reports every problem by throwing
// one of these, with a message naming what was wrong, the value seen and what was expected;
// it never calls exit or abort.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace enas {

/// Base of every error enas throws.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};
/// A tensor has the wrong rank, size or layout for an operation.
class ShapeError : public Error {
    using Error::Error;
};
/// An argument has a value outside its allowed range (a rate of 1.5, a negative size, ...).
class ValueError : public Error {
    using Error::Error;
};
/// Reading or writing a file failed (missing, unreadable, disk full).
class IoError : public Error {
    using Error::Error;
};
/// A file or string is not in the expected format (bad magic, truncated, malformed token).
class FormatError : public Error {
    using Error::Error;
};
/// An object was used in a state that does not allow it (backward through a cleared tape, ...).
class StateError : public Error {
    using Error::Error;
};
/// A tensor lives on a device this build or this operation cannot use.
class DeviceError : public Error {
    using Error::Error;
};
/// A CUDA runtime, cuBLAS or cuDNN call failed.
class CudaError : public Error {
    using Error::Error;
};

namespace detail {
template <class... Parts>
std::string concat(Parts&&... parts) {
    std::ostringstream os;
    (os << ... << std::forward<Parts>(parts));
    return os.str();
}
}  // namespace detail

/// Throws `E` with the streamed parts as its message when `condition` is false.
template <class E = ValueError, class... Parts>
inline void check(bool condition, Parts&&... parts) {
    if (!condition) throw E(detail::concat(std::forward<Parts>(parts)...));
}

}  // namespace enas
