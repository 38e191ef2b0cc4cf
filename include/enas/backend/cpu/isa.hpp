// The instruction sets the CPU kernels may use: what this CPU has, capped by the environment
// variable ENAS_CPU_ISA (baseline | avx2 | avx512), read once. The cap lets a machine run, and
// test, the code paths of a lesser CPU: ENAS_CPU_ISA=baseline on an AVX-512 host takes the paths
// a CPU without AVX-512 takes (tests/CMakeLists.txt registers such runs).
#pragma once
#include <cstdlib>
#include <string>

#include "enas/core/error.hpp"

namespace enas::cpu {

enum class CpuIsa { baseline = 0, avx2 = 1, avx512 = 2 };

/// The cap named by `text` (ENAS_CPU_ISA's values); ValueError naming the accepted ones.
inline CpuIsa parse_cpu_isa(const std::string& text) {
    if (text == "baseline") return CpuIsa::baseline;
    if (text == "avx2") return CpuIsa::avx2;
    if (text == "avx512") return CpuIsa::avx512;
    throw ValueError("ENAS_CPU_ISA must be baseline, avx2 or avx512, got '" + text + "'");
}

/// The cap of this process: ENAS_CPU_ISA when set (and not empty), else avx512 (no cap).
inline CpuIsa cpu_isa_cap() {
    static const CpuIsa cap = [] {
        const char* env = std::getenv("ENAS_CPU_ISA");
        return env != nullptr && *env != '\0' ? parse_cpu_isa(env) : CpuIsa::avx512;
    }();
    return cap;
}

/// True when the cap allows kernels of `isa` (the caller still checks that the CPU has them).
inline bool cpu_isa_allowed(CpuIsa isa) { return static_cast<int>(isa) <= static_cast<int>(cpu_isa_cap()); }

}  // namespace enas::cpu
