// Launch validation and the distribution of blocks over the worker threads.
#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "block_runner.hpp"
#include "device_limits.hpp"
#include "emu/launch.hpp"
#include "handles.hpp"
#include "last_error.hpp"
#include "stream_queue.hpp"
#include "worker_pool.hpp"

namespace enas::emu {
namespace {

std::uint64_t fnv1a(const char* text) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (; *text != '\0'; ++text) hash = (hash ^ static_cast<unsigned char>(*text)) * 0x100000001b3ull;
    return hash;
}

std::string describe_dim3(dim3 d) { return describe_index(uint3{d.x, d.y, d.z}); }

/// Why the launch configuration is invalid, or an empty string.
std::string configuration_problem(const KernelLaunch& launch) {
    const unsigned int block[3] = {launch.block.x, launch.block.y, launch.block.z};
    const unsigned int grid[3] = {launch.grid.x, launch.grid.y, launch.grid.z};
    for (int axis = 0; axis < 3; ++axis) {
        if (block[axis] == 0 || block[axis] > kMaxBlockDim[axis])
            return "block " + describe_dim3(launch.block) + " is outside the device's limits (1024, 1024, 64)";
        if (grid[axis] == 0 || grid[axis] > kMaxGridDim[axis])
            return "grid " + describe_dim3(launch.grid) + " is outside the device's limits (2^31-1, 65535, 65535)";
    }
    const std::uint64_t threads = std::uint64_t{block[0]} * block[1] * block[2];
    if (threads > kMaxThreadsPerBlock)
        return "block " + describe_dim3(launch.block) + " has " + std::to_string(threads) + " threads, over 1024";
    return {};
}

/// Thread-local fibers of a worker, reused from launch to launch.
struct WorkerFibers {
    std::vector<std::unique_ptr<Fiber>> fibers;
    std::size_t stack_bytes = 0;

    void ensure(std::size_t count, std::size_t wanted_stack_bytes) {
        if (wanted_stack_bytes != stack_bytes) {
            fibers.clear();
            stack_bytes = wanted_stack_bytes;
        }
        while (fibers.size() < count) fibers.push_back(std::make_unique<Fiber>(stack_bytes));
    }
};

thread_local WorkerFibers worker_fibers;
/// The race checker of a worker (race-check mode), created on first use and reused.
thread_local std::unique_ptr<RaceChecker> worker_race;

/// The failure of the lowest-numbered failed block, so the report does not depend on timing.
class FirstFailure {
public:
    void record(std::uint64_t block, const std::string& message) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (block < block_) {
            block_ = block;
            message_ = message;
        }
        failed_.store(true, std::memory_order_relaxed);
    }
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    const std::string& message() const { return message_; }

private:
    std::mutex mutex_;
    std::atomic<bool> failed_{false};
    std::uint64_t block_ = std::numeric_limits<std::uint64_t>::max();
    std::string message_;
};

cudaError_t execute_launch(const KernelLaunch& launch);

cudaError_t run_launch(const KernelLaunch& launch) {
    const std::string kernel = std::string("kernel ") + launch.kernel_name;
    if (detail::current_thread_context != nullptr)
        return report_error(cudaErrorNotSupported, kernel + " launched from inside a kernel (not emulated)");
    if (launch.invoke == nullptr) return report_error(cudaErrorInvalidDeviceFunction, kernel + ": no kernel function");
    if (!stream_is_valid(launch.stream))
        return report_error(cudaErrorInvalidResourceHandle, kernel + ": stream " + describe_pointer(launch.stream) +
                                                                " was not created or was destroyed");
    if (const std::string problem = configuration_problem(launch); !problem.empty())
        return report_error(cudaErrorInvalidConfiguration, kernel + ": " + problem);
    if (launch.dynamic_shared_bytes > kSharedMemoryPerBlock)
        return report_error(cudaErrorInvalidValue, kernel + ": " + std::to_string(launch.dynamic_shared_bytes) +
                                                       " B of dynamic shared memory, over the device's " +
                                                       std::to_string(kSharedMemoryPerBlock) + " B");
    // Checked at the call, run when its stream gets to it.
    return issue(launch.stream, [launch]() noexcept {
        try {
            return execute_launch(launch);
        } catch (const std::exception& e) {
            return report_error(cudaErrorUnknown, std::string("kernel ") + launch.kernel_name + ": " + e.what());
        }
    });
}

/// Runs every block of a checked launch on the worker pool.
cudaError_t execute_launch(const KernelLaunch& launch) {
    const std::string kernel = std::string("kernel ") + launch.kernel_name;
    LaunchPlan plan;
    plan.launch = &launch;
    plan.options = options();
    plan.kernel_hash = fnv1a(launch.kernel_name);
    plan.threads_per_block = launch.block.x * launch.block.y * launch.block.z;
    const std::uint64_t blocks = std::uint64_t{launch.grid.x} * launch.grid.y * launch.grid.z;

    std::atomic<std::uint64_t> next_block{0};
    FirstFailure failure;
    const std::function<void()> work = [&]() noexcept {
        std::uint64_t block = std::numeric_limits<std::uint64_t>::max();
        try {
            worker_fibers.ensure(plan.threads_per_block, plan.options.fiber_stack_bytes);
            if (plan.options.race_check && worker_race == nullptr) worker_race = std::make_unique<RaceChecker>();
            BlockRunner runner(plan, worker_fibers.fibers, plan.options.race_check ? worker_race.get() : nullptr);
            while (!failure.failed()) {
                block = next_block.fetch_add(1, std::memory_order_relaxed);
                if (block >= blocks) break;
                runner.run(block);
            }
        } catch (const KernelFailure& e) { failure.record(block, e.what()); } catch (const std::bad_alloc&) {
            failure.record(block, kernel + ": out of memory in the SIMT emulator");
        } catch (const std::exception& e) { failure.record(block, kernel + ": SIMT emulator error: " + e.what()); }
    };
    const auto workers = static_cast<std::uint64_t>(plan.options.worker_threads);
    const auto threads = static_cast<int>(std::min(blocks, workers));
    WorkerPool::instance().run(threads, work);
    if (failure.failed()) return report_error(cudaErrorLaunchFailure, failure.message());
    return cudaSuccess;
}

}  // namespace

cudaError_t launch_kernel(const KernelLaunch& launch) noexcept {
    try {
        return run_launch(launch);
    } catch (const std::bad_alloc&) {
        return report_error(cudaErrorMemoryAllocation, std::string("kernel ") + launch.kernel_name + ": out of memory");
    } catch (const std::exception& e) {
        return report_error(cudaErrorUnknown, std::string("kernel ") + launch.kernel_name + ": " + e.what());
    }
}

}  // namespace enas::emu
