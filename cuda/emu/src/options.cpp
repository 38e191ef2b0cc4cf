#include "emu/options.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "enas/core/error.hpp"
#include "sanitizer.hpp"

namespace enas::emu {
namespace {

#if defined(ENAS_EMU_ASAN)
constexpr std::size_t kDefaultStackBytes = 256 * 1024;  // ASan's redzones make frames larger
#else
constexpr std::size_t kDefaultStackBytes = 64 * 1024;
#endif
constexpr std::size_t kMinStackBytes = 16 * 1024;

std::uint64_t environment_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 0);
    return *end == '\0' ? value : fallback;
}

Options options_from_environment() {
    Options options;
    options.shuffle_threads = environment_number("ENAS_EMU_SHUFFLE", 0) != 0;
    options.shuffle_seed = environment_number("ENAS_EMU_SEED", options.shuffle_seed);
    options.race_check = environment_number("ENAS_EMU_RACECHECK", 0) != 0;
    options.async_streams = environment_number("ENAS_EMU_ASYNC", 0) != 0;
    const unsigned int hardware = std::thread::hardware_concurrency();
    const std::uint64_t workers = environment_number("ENAS_EMU_THREADS", hardware > 0 ? hardware : 1);
    options.worker_threads = static_cast<int>(std::clamp<std::uint64_t>(workers, 1, 256));
    options.fiber_stack_bytes = std::max<std::size_t>(
        environment_number("ENAS_EMU_STACK_KB", kDefaultStackBytes / 1024) * 1024, kMinStackBytes);
    return options;
}

std::mutex options_mutex;

Options& current_options() {
    static Options options = options_from_environment();
    return options;
}

}  // namespace

Options options() {
    std::lock_guard<std::mutex> lock(options_mutex);
    return current_options();
}

void set_options(const Options& options) {
    check(options.worker_threads >= 1, "SIMT emulator: worker_threads must be at least 1, got ",
          options.worker_threads);
    check(options.fiber_stack_bytes >= kMinStackBytes, "SIMT emulator: fiber_stack_bytes must be at least ",
          kMinStackBytes, ", got ", options.fiber_stack_bytes);
    std::lock_guard<std::mutex> lock(options_mutex);
    current_options() = options;
}

}  // namespace enas::emu
