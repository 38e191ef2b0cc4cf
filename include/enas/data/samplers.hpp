// Unaugmented minibatches: random validation batches for the controller's reward, and the
// sequential batches of an evaluation pass.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "enas/core/allocator.hpp"
#include "enas/data/batch_loader.hpp"

namespace enas::data {

/// Random minibatches of `batch_size` distinct images, standardised, not augmented. Batch
/// number `counter` is a pure function of (seed, counter): a uniformly random subset, in random
/// order (partial Fisher-Yates driven by Philox). Each next() takes a fresh counter, so a
/// resumed run that restores counter() draws the same batches. `ds` must outlive the sampler.
class RandomBatchSampler {
public:
    /// Throws ValueError unless 1 <= batch_size <= ds.size() and `stats` has ds.channels entries.
    RandomBatchSampler(const ImageDataset& ds, ChannelStats stats, std::int64_t batch_size, std::uint64_t seed,
                       std::uint64_t counter = 0);
    RandomBatchSampler(ImageDataset&&, ChannelStats, std::int64_t, std::uint64_t, std::uint64_t = 0) = delete;

    /// The batch for counter(), then counter() + 1.
    Batch next() { return sample(counter_++); }
    /// The batch for `counter` (does not move counter()). Its `step` field is the counter.
    Batch sample(std::uint64_t counter);

    std::uint64_t counter() const { return counter_; }
    void set_counter(std::uint64_t counter) { counter_ = counter; }
    std::int64_t batch_size() const { return batch_size_; }

private:
    const ImageDataset& ds_;
    ChannelStats stats_;
    std::int64_t batch_size_;
    std::uint64_t seed_, counter_;
    std::vector<std::int64_t> perm_;   // the identity between calls
    std::vector<std::int64_t> swaps_;  // partner of each swap, to undo them
    std::shared_ptr<CachingAllocator<Cpu>> pool_;
};

/// The images of `ds` in order, in batches of `batch_size` (the last one smaller): standardised,
/// not augmented (the reference evaluates with batch 100). `ds` must outlive it.
class EvalBatches {
public:
    /// Throws ValueError unless batch_size >= 1 and `stats` has ds.channels entries.
    EvalBatches(const ImageDataset& ds, ChannelStats stats, std::int64_t batch_size = 100);
    EvalBatches(ImageDataset&&, ChannelStats, std::int64_t = 100) = delete;  // keeps a reference

    /// Number of batches, ceil(ds.size() / batch_size).
    std::int64_t size() const { return num_batches_; }
    /// Batch i: images [i * batch_size, min((i + 1) * batch_size, n)). Throws ValueError outside [0, size()).
    Batch batch(std::int64_t i) const;

private:
    const ImageDataset& ds_;
    ChannelStats stats_;
    std::int64_t batch_size_, num_batches_;
    std::vector<std::int64_t> identity_;
    std::shared_ptr<CachingAllocator<Cpu>> pool_;
};

}  // namespace enas::data
