#include "enas/data/samplers.hpp"

#include <numeric>
#include <span>

#include "enas/core/error.hpp"
#include "enas/data/shuffle.hpp"

namespace enas::data {

namespace {

void check_stats(const char* who, const ImageDataset& ds, const ChannelStats& stats) {
    check<ValueError>(static_cast<std::int64_t>(stats.mean.size()) == ds.channels &&
                          static_cast<std::int64_t>(stats.stddev.size()) == ds.channels,
                      who, ": channel stats for ", stats.mean.size(), " channels, '", ds.name, "' has ", ds.channels);
}

Batch plain_batch(const ImageDataset& ds, const ChannelStats& stats, std::span<const std::int64_t> indices,
                  const std::shared_ptr<CachingAllocator<Cpu>>& pool) {
    const auto b = static_cast<std::int64_t>(indices.size());
    Batch out;
    out.images = Tensor<float, Cpu>(Shape{b, ds.channels, ds.height, ds.width}, pool);
    out.labels = Tensor<std::int32_t, Cpu>(Shape{b}, pool);
    gather_batch(ds, indices, stats, out.images, out.labels);
    return out;
}

}  // namespace

RandomBatchSampler::RandomBatchSampler(const ImageDataset& ds, ChannelStats stats, std::int64_t batch_size,
                                       std::uint64_t seed, std::uint64_t counter)
    : ds_(ds), stats_(std::move(stats)), batch_size_(batch_size), seed_(seed), counter_(counter),
      pool_(std::make_shared<CachingAllocator<Cpu>>()) {
    check<ValueError>(batch_size >= 1 && batch_size <= ds.size(), "random batch sampler: batch size ", batch_size,
                      " must be in [1, ", ds.size(), "] for '", ds.name, "'");
    check_stats("random batch sampler", ds, stats_);
    perm_.resize(static_cast<std::size_t>(ds.size()));
    std::iota(perm_.begin(), perm_.end(), std::int64_t{0});
    swaps_.resize(static_cast<std::size_t>(batch_size));
}

Batch RandomBatchSampler::sample(std::uint64_t counter) {
    const std::int64_t n = ds_.size();
    for (std::int64_t k = 0; k < batch_size_; ++k) {  // slot k gets a uniform pick from slots [k, n)
        const PhiloxBlock r = data_random(seed_, DataStream::kValidBatch, counter, static_cast<std::uint64_t>(k));
        const auto j = k + static_cast<std::int64_t>(uniform_below(r.v[0], r.v[1], static_cast<std::uint64_t>(n - k)));
        swaps_[static_cast<std::size_t>(k)] = j;
        std::swap(perm_[static_cast<std::size_t>(k)], perm_[static_cast<std::size_t>(j)]);
    }
    Batch out = plain_batch(ds_, stats_, std::span<const std::int64_t>(perm_.data(), swaps_.size()), pool_);
    for (std::int64_t k = batch_size_ - 1; k >= 0; --k)  // back to the identity
        std::swap(perm_[static_cast<std::size_t>(k)],
                  perm_[static_cast<std::size_t>(swaps_[static_cast<std::size_t>(k)])]);
    out.step = static_cast<std::int64_t>(counter);
    return out;
}

EvalBatches::EvalBatches(const ImageDataset& ds, ChannelStats stats, std::int64_t batch_size)
    : ds_(ds), stats_(std::move(stats)), batch_size_(batch_size), num_batches_(0),
      pool_(std::make_shared<CachingAllocator<Cpu>>()) {
    check<ValueError>(batch_size >= 1, "evaluation batches: batch size must be >= 1, got ", batch_size);
    check_stats("evaluation batches", ds, stats_);
    num_batches_ = batches_per_epoch(ds.size(), batch_size, false);
    identity_.resize(static_cast<std::size_t>(ds.size()));
    std::iota(identity_.begin(), identity_.end(), std::int64_t{0});
}

Batch EvalBatches::batch(std::int64_t i) const {
    check<ValueError>(i >= 0 && i < num_batches_, "evaluation batches: batch ", i, " outside [0, ", num_batches_,
                      ") for '", ds_.name, "'");
    const std::int64_t first = i * batch_size_, b = std::min(batch_size_, ds_.size() - first);
    Batch out = plain_batch(
        ds_, stats_, std::span<const std::int64_t>(identity_.data() + first, static_cast<std::size_t>(b)), pool_);
    out.step = i;
    return out;
}

}  // namespace enas::data
