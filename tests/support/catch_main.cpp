// The one Catch2 main shared by every test executable (compiled once). With ENAS_TEST_NEEDS=<what>
// (set by tests/CMakeLists.txt for the [needs-<what>] entries) it first checks that this machine
// has it, and exits with the skip code otherwise (test_needs.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "test_needs.hpp"

int main(int argc, char* argv[]) {
    if (const char* need = std::getenv("ENAS_TEST_NEEDS"); need && *need) {
        const std::string missing = enas::test::missing_need(need);
        if (!missing.empty()) {
            std::printf("skipped: %s\n", missing.c_str());
            return enas::test::kSkipReturnCode;
        }
    }
    return Catch::Session().run(argc, argv);
}
