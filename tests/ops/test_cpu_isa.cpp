// The ISA cap (backend/cpu/isa.hpp): ENAS_CPU_ISA's values parse, a bad one is named, and the
// AVX-512 kernels are available exactly when the CPU has them and the cap allows them. ctest runs
// this file plainly and with ENAS_CPU_ISA=baseline ("[isa=baseline]" entry), where the kernels
// must be off even on an AVX-512 host.
#include <cstdlib>
#include <string>

#include "enas/backend/cpu/conv_gemm_avx512.hpp"
#include "enas/backend/cpu/isa.hpp"
#include "test_utils.hpp"

using namespace enas;
using enas::cpu::CpuIsa;

TEST_CASE("cpu isa: ENAS_CPU_ISA's values parse and a bad one is named", "[ops]") {
    REQUIRE(cpu::parse_cpu_isa("baseline") == CpuIsa::baseline);
    REQUIRE(cpu::parse_cpu_isa("avx2") == CpuIsa::avx2);
    REQUIRE(cpu::parse_cpu_isa("avx512") == CpuIsa::avx512);
    ENAS_REQUIRE_THROWS(cpu::parse_cpu_isa("avx-512"), ValueError,
                        Catch::Contains("'avx-512'") && Catch::Contains("baseline, avx2 or avx512"));
}

TEST_CASE("cpu isa: the AVX-512 kernels run exactly when the CPU has them and the cap allows", "[ops]") {
    const char* env = std::getenv("ENAS_CPU_ISA");
    const std::string cap = env != nullptr ? env : "";
    const bool cpu_has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    INFO("ENAS_CPU_ISA='" << cap << "', CPU has AVX-512: " << cpu_has);
    REQUIRE(cpu::cpu_isa_cap() == (cap.empty() ? CpuIsa::avx512 : cpu::parse_cpu_isa(cap)));
    REQUIRE(cpu::cpu_isa_allowed(CpuIsa::baseline));
    REQUIRE(cpu::avx512::available() == (cpu_has && (cap.empty() || cap == "avx512")));
}
