// The SIMT emulator's view of CUDA C++: included by cuda/portable.cuh when a kernel file is
// compiled by the host compiler with ENAS_CUDA_EMULATION. Defines the execution-space keywords
// away, makes threadIdx/blockIdx/blockDim/gridDim read the running fiber's state, and provides
// the device functions, atomics, math, vector types and runtime API.
#pragma once
#include "emu/atomics.hpp"
#include "emu/device_functions.hpp"
#include "emu/launch.hpp"
#include "emu/math.hpp"
#include "emu/options.hpp"
#include "emu/runtime.hpp"
#include "emu/thread_context.hpp"
#include "emu/vector_types.hpp"
#include "emu/wmma.hpp"

#include <type_traits>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
// A raw __shared__ declaration would be one variable shared by every block and OS thread: force
// the portable macros instead (ENAS_SHARED, ENAS_SHARED_2D, ENAS_DYNAMIC_SHARED).
#define __shared__ use_ENAS_SHARED_instead_of___shared__

#define threadIdx (::enas::emu::detail::current_thread("threadIdx").thread_idx)
#define blockIdx (::enas::emu::detail::current_thread("blockIdx").block_idx)
#define blockDim (::enas::emu::detail::current_thread("blockDim").block_dim)
#define gridDim (::enas::emu::detail::current_thread("gridDim").grid_dim)

// Shared memory: per-block arrays looked up by the address of a per-declaration static tag.
#define ENAS_EMU_SHARED_DECLARE(array_type, name)  \
    static const char enas_shared_site_##name = 0; \
    ::std::type_identity_t<array_type>& name =     \
        ::enas::emu::block_shared_array<array_type>(&enas_shared_site_##name, #name)
#define ENAS_SHARED(T, name, count) ENAS_EMU_SHARED_DECLARE(T[count], name)
#define ENAS_SHARED_2D(T, name, rows, cols) ENAS_EMU_SHARED_DECLARE(T[rows][cols], name)
#define ENAS_DYNAMIC_SHARED(T, name) T* name = static_cast<T*>(::enas::emu::detail::dynamic_shared_bytes())
