// Training minibatches for the child model: a shuffled order per epoch, optional augmentation,
// and a background thread that keeps the next batches ready so the training step never waits.
//
// Batch (epoch, step) is a pure function of (dataset, stats, options, epoch, step): the epoch's
// order is Fisher-Yates driven by Philox keyed by (seed, epoch), and image k of the batch is
// augmented with the draw for (seed, epoch, step * batch_size + k). So prefetching changes
// nothing in the values, and a run resumed at (epoch, step) sees the batches an uninterrupted
// run would have seen.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "enas/core/allocator.hpp"
#include "enas/data/augment.hpp"
#include "enas/data/image_dataset.hpp"

namespace enas::data {

namespace detail {
class BatchProducer;  // the epoch order cache and the gather (src/data/batch_loader.cpp)
}

/// One minibatch.
struct Batch {
    Tensor<float, Cpu> images;         ///< [B, C, H, W], standardised (and augmented for training)
    Tensor<std::int32_t, Cpu> labels;  ///< [B]
    std::int64_t epoch = 0;            ///< the epoch it belongs to (0 for sampler/eval batches)
    std::int64_t step = 0;             ///< its index in the epoch (the counter for sampled batches)

    std::int64_t size() const { return labels.numel(); }
};

struct LoaderOptions {
    std::int64_t batch_size = 128;
    std::uint64_t seed = 0;
    bool shuffle = true;         ///< a fresh order each epoch; false: dataset order
    bool drop_last = false;      ///< drop the last, smaller batch of an epoch
    bool augment = true;         ///< apply `augmentation` (false: plain standardised images)
    AugmentConfig augmentation;  ///< pad 4, crop to the image size, flip; cutout off
    bool prefetch = true;        ///< produce batches on a background thread
    int prefetch_depth = 2;      ///< batches kept ready ahead (1..8)
};

/// Batches in one epoch of n images: ceil(n / batch), or floor(n / batch) with drop_last.
std::int64_t batches_per_epoch(std::int64_t n, std::int64_t batch_size, bool drop_last);

/// Batch (`epoch`, `step`) of `ds` under `options`, computed directly (its own O(n) shuffle).
/// Tensors come from `pool` when given. The reference for what BatchLoader yields.
Batch make_training_batch(const ImageDataset& ds, const ChannelStats& stats, const LoaderOptions& options,
                          std::int64_t epoch, std::int64_t step, std::shared_ptr<CachingAllocator<Cpu>> pool = nullptr);

/// The stream of training batches (epoch, step), (epoch, step + 1), ..., continuing into the
/// next epochs without end. `ds` must outlive the loader. next() is for one consumer thread.
/// Usage: for (e...) for (s = 0; s < loader.batches_per_epoch(); ++s) { Batch b = loader.next(); ... }
class BatchLoader {
public:
    /// Starts at (start_epoch, start_step), e.g. where a checkpoint stopped. Throws ValueError on
    /// bad options (batch_size < 1, an epoch with no batches, a bad augmentation, a step outside
    /// the epoch, prefetch_depth outside 1..8).
    BatchLoader(const ImageDataset& ds, ChannelStats stats, LoaderOptions options, std::int64_t start_epoch = 0,
                std::int64_t start_step = 0);
    /// The loader keeps a reference to the dataset: a temporary one is refused at compile time.
    BatchLoader(ImageDataset&&, ChannelStats, LoaderOptions, std::int64_t = 0, std::int64_t = 0) = delete;
    /// Stops and joins the prefetch thread (batches already handed out stay valid).
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    /// The next batch. Waits only if the prefetch thread is behind. An exception thrown while
    /// producing a batch is rethrown here (and on every later call).
    Batch next();

    std::int64_t batches_per_epoch() const { return batches_per_epoch_; }
    /// Where the batch that next() returns next comes from.
    std::int64_t epoch() const { return next_epoch_; }
    std::int64_t step() const { return next_step_; }
    const LoaderOptions& options() const { return options_; }

private:
    void worker_loop();

    const ImageDataset& ds_;
    ChannelStats stats_;
    LoaderOptions options_;
    std::int64_t batches_per_epoch_ = 0;
    std::int64_t next_epoch_ = 0, next_step_ = 0;  // consumer side
    std::shared_ptr<CachingAllocator<Cpu>> pool_;
    std::unique_ptr<detail::BatchProducer> producer_;

    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<Batch> queue_;
    std::exception_ptr error_;
    bool stop_ = false;
    std::thread worker_;
};

}  // namespace enas::data
