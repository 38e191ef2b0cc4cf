#include "enas/data/batch_loader.hpp"

#include <numeric>
#include <span>

#include "enas/core/error.hpp"
#include "enas/data/shuffle.hpp"

namespace enas::data {

namespace {

void check_options(const ImageDataset& ds, const ChannelStats& stats, const LoaderOptions& o) {
    check<ValueError>(o.batch_size >= 1, "batch loader: batch size must be >= 1, got ", o.batch_size);
    check<ValueError>(o.prefetch_depth >= 1 && o.prefetch_depth <= 8,
                      "batch loader: prefetch depth must be in [1, 8], got ", o.prefetch_depth);
    check<ValueError>(batches_per_epoch(ds.size(), o.batch_size, o.drop_last) > 0, "batch loader: '", ds.name,
                      "' with ", ds.size(), " images gives no batch of ", o.batch_size,
                      o.drop_last ? " with drop_last" : "");
    check<ValueError>(static_cast<std::int64_t>(stats.mean.size()) == ds.channels &&
                          static_cast<std::int64_t>(stats.stddev.size()) == ds.channels,
                      "batch loader: channel stats for ", stats.mean.size(), " channels, '", ds.name, "' has ",
                      ds.channels);
    if (o.augment) check_augment_config(o.augmentation, ds.height, ds.width);
}

}  // namespace

std::int64_t batches_per_epoch(std::int64_t n, std::int64_t batch_size, bool drop_last) {
    check<ValueError>(n >= 0 && batch_size >= 1, "batches_per_epoch: ", n, " images in batches of ", batch_size);
    return drop_last ? n / batch_size : (n + batch_size - 1) / batch_size;
}

// Produces batches; keeps the order of the last epoch it served so that an epoch is shuffled
// once. One per producing thread (it is not thread-safe itself).
namespace detail {
class BatchProducer {
public:
    BatchProducer(const ImageDataset& ds, const ChannelStats& stats, const LoaderOptions& o,
                  std::shared_ptr<CachingAllocator<Cpu>> pool)
        : ds_(ds), stats_(stats), o_(o), pool_(std::move(pool)) {}

    Batch make(std::int64_t epoch, std::int64_t step) {
        if (epoch != order_epoch_) {
            if (o_.shuffle) {
                shuffled_order(ds_.size(), o_.seed, epoch, order_);
            } else {
                order_.resize(static_cast<std::size_t>(ds_.size()));
                std::iota(order_.begin(), order_.end(), std::int64_t{0});
            }
            order_epoch_ = epoch;
        }
        const std::int64_t first = step * o_.batch_size;
        const std::int64_t b = std::min(o_.batch_size, ds_.size() - first);
        check<ValueError>(step >= 0 && b > 0, "batch loader: step ", step, " is outside the epoch of '", ds_.name, "'");
        const std::span<const std::int64_t> indices(order_.data() + first, static_cast<std::size_t>(b));
        const AugmentConfig& a = o_.augmentation;
        const std::int64_t h = o_.augment ? a.out_height(ds_.height) : ds_.height;
        const std::int64_t w = o_.augment ? a.out_width(ds_.width) : ds_.width;
        Batch out;
        out.images = pool_ ? Tensor<float, Cpu>(Shape{b, ds_.channels, h, w}, pool_)
                           : Tensor<float, Cpu>(Shape{b, ds_.channels, h, w});
        out.labels = pool_ ? Tensor<std::int32_t, Cpu>(Shape{b}, pool_) : Tensor<std::int32_t, Cpu>(Shape{b});
        out.epoch = epoch;
        out.step = step;
        if (o_.augment)
            gather_augmented_batch(ds_, indices, stats_, a, o_.seed, epoch, first, out.images, out.labels);
        else
            gather_batch(ds_, indices, stats_, out.images, out.labels);
        return out;
    }

private:
    const ImageDataset& ds_;
    const ChannelStats& stats_;
    const LoaderOptions& o_;
    std::shared_ptr<CachingAllocator<Cpu>> pool_;
    std::vector<std::int64_t> order_;
    std::int64_t order_epoch_ = -1;
};
}  // namespace detail

Batch make_training_batch(const ImageDataset& ds, const ChannelStats& stats, const LoaderOptions& options,
                          std::int64_t epoch, std::int64_t step, std::shared_ptr<CachingAllocator<Cpu>> pool) {
    check_options(ds, stats, options);
    check<ValueError>(epoch >= 0, "make_training_batch: epoch must be >= 0, got ", epoch);
    check<ValueError>(step >= 0 && step < batches_per_epoch(ds.size(), options.batch_size, options.drop_last),
                      "make_training_batch: step ", step, " outside the epoch's ",
                      batches_per_epoch(ds.size(), options.batch_size, options.drop_last), " batches");
    detail::BatchProducer producer(ds, stats, options, std::move(pool));
    return producer.make(epoch, step);
}

BatchLoader::BatchLoader(const ImageDataset& ds, ChannelStats stats, LoaderOptions options, std::int64_t start_epoch,
                         std::int64_t start_step)
    : ds_(ds), stats_(std::move(stats)), options_(std::move(options)) {
    check_options(ds_, stats_, options_);
    batches_per_epoch_ = data::batches_per_epoch(ds_.size(), options_.batch_size, options_.drop_last);
    check<ValueError>(start_epoch >= 0 && start_step >= 0 && start_step < batches_per_epoch_,
                      "batch loader: start (epoch ", start_epoch, ", step ", start_step, ") is outside the ",
                      batches_per_epoch_, " batches of an epoch");
    next_epoch_ = start_epoch;
    next_step_ = start_step;
    pool_ = std::make_shared<CachingAllocator<Cpu>>();
    producer_ = std::make_unique<detail::BatchProducer>(ds_, stats_, options_, pool_);
    if (options_.prefetch) worker_ = std::thread([this] { worker_loop(); });
}

BatchLoader::~BatchLoader() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    space_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void BatchLoader::worker_loop() {
    std::int64_t epoch = next_epoch_, step = next_step_;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            space_.wait(lock, [&] { return stop_ || static_cast<int>(queue_.size()) < options_.prefetch_depth; });
            if (stop_) return;
        }
        Batch batch;
        try {
            batch = producer_->make(epoch, step);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            error_ = std::current_exception();
            ready_.notify_one();
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            queue_.push_back(std::move(batch));
        }
        ready_.notify_one();
        if (++step == batches_per_epoch_) {
            step = 0;
            ++epoch;
        }
    }
}

Batch BatchLoader::next() {
    Batch batch;
    if (!options_.prefetch) {
        batch = producer_->make(next_epoch_, next_step_);
    } else {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || error_; });
        if (queue_.empty()) std::rethrow_exception(error_);
        batch = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        space_.notify_one();
    }
    if (++next_step_ == batches_per_epoch_) {
        next_step_ = 0;
        ++next_epoch_;
    }
    return batch;
}

}  // namespace enas::data
