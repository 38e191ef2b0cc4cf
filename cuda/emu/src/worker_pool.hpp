// Persistent OS threads that run the blocks of a launch in parallel with the launching thread.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace enas::emu {

class WorkerPool {
public:
    static WorkerPool& instance();

    /// Runs `job` on `threads` OS threads, the caller being one of them, and returns when every
    /// copy has returned. `job` must not throw. If another launch holds the pool, or threads is
    /// 1, the caller runs `job` alone.
    void run(int threads, const std::function<void()>& job);

    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

private:
    WorkerPool() = default;
    ~WorkerPool();
    void worker_loop(int index);

    std::mutex in_use_;  // one launch at a time uses the helpers
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    std::vector<std::thread> helpers_;
    const std::function<void()>* job_ = nullptr;
    int helpers_wanted_ = 0;
    int helpers_running_ = 0;
    std::uint64_t generation_ = 0;
    bool stopping_ = false;
};

}  // namespace enas::emu
