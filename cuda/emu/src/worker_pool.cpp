#include "worker_pool.hpp"

namespace enas::emu {

WorkerPool& WorkerPool::instance() {
    static WorkerPool pool;
    return pool;
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& helper : helpers_) helper.join();
}

void WorkerPool::run(int threads, const std::function<void()>& job) {
    std::unique_lock<std::mutex> use(in_use_, std::try_to_lock);
    if (threads <= 1 || !use.owns_lock()) {
        job();
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        while (static_cast<int>(helpers_.size()) < threads - 1) {
            const int index = static_cast<int>(helpers_.size());
            helpers_.emplace_back([this, index] { worker_loop(index); });
        }
        job_ = &job;
        helpers_wanted_ = threads - 1;
        helpers_running_ = threads - 1;
        ++generation_;
    }
    wake_.notify_all();
    job();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return helpers_running_ == 0; });
    job_ = nullptr;
}

void WorkerPool::worker_loop(int index) {
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (index >= helpers_wanted_) continue;
        const std::function<void()>* job = job_;
        lock.unlock();
        (*job)();
        lock.lock();
        if (--helpers_running_ == 0) done_.notify_all();
    }
}

}  // namespace enas::emu
