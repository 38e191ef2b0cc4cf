// What a test case may need that a machine may lack: a CPU feature or a dataset. A test case that
// needs one carries the tag [needs-<what>] (e.g. [needs-avx512]); tests/CMakeLists.txt registers
// those cases as a ctest entry of their own, "<area>/<file>[<what>]", run with
// ENAS_TEST_NEEDS=<what>, and the shared Catch2 main exits with kSkipReturnCode (ctest's
// SKIP_RETURN_CODE: reported as skipped, never as passed) when the machine lacks it. Inside the
// case, REQUIRE the need again, so that a run that bypasses the check fails instead of passing.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "enas/backend/cpu/conv_gemm_avx512.hpp"
#include "enas/data/idx.hpp"

namespace enas::test {

inline constexpr int kSkipReturnCode = 77;

/// The shared data folder: $ENAS_SHARED_DATA, else <source>/../shared/data.
inline std::filesystem::path shared_data_dir() {
    if (const char* env = std::getenv("ENAS_SHARED_DATA"); env && *env) return env;
    return std::filesystem::path(ENAS_SOURCE_DIR) / ".." / "shared" / "data";
}

/// Empty when this machine has `need`, else why not. Unknown needs are an error message too.
inline std::string missing_need(std::string_view need) {
    if (need == "avx512")
        return cpu::avx512::available() ? "" : "this CPU has no AVX-512 (avx512f) or the build has no AVX-512 kernels";
    if (need == "cifar10") {
        const std::filesystem::path dir = shared_data_dir() / "cifar10-jpeg75";
        return std::filesystem::is_directory(dir)
                   ? ""
                   : "the shared CIFAR-10 copy is not at " + dir.string() + " (set ENAS_SHARED_DATA)";
    }
    if (need == "ptb") {
        const std::filesystem::path dir = shared_data_dir() / "ptb";
        return std::filesystem::is_regular_file(dir / "ptb.train.txt")
                   ? ""
                   : "the shared Penn Treebank copy is not at " + dir.string() + " (set ENAS_SHARED_DATA)";
    }
    if (need == "fashion-mnist")
        return std::filesystem::is_directory(data::kDebianFashionMnistDir)
                   ? ""
                   : std::string("Debian's dataset-fashion-mnist is not installed (") + data::kDebianFashionMnistDir +
                         ")";
    return "unknown need '" + std::string(need) + "' (expected avx512, cifar10, ptb or fashion-mnist)";
}

}  // namespace enas::test
