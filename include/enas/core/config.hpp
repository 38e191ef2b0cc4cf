// Build facts and the few portability macros. The only core header that defines macros.
#pragma once
#include "enas/core/build_config.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define ENAS_RESTRICT __restrict__
#define ENAS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ENAS_RESTRICT
#define ENAS_ALWAYS_INLINE inline
#endif
