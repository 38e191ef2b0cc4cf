// What the generic training loops (SearchLoop, derive, FinalTraining) need from a child model: a
// Task. A task owns its model, optimiser, data streams and device context; the loops own the
// policy, the learning-rate schedule, the run folder, progress, metrics and checkpoint cadence.
// The CNN spaces implement it in cnn_task.hpp; docs/architecture.md describes every member.
//
//   FinalTask   (a fixed architecture)   train a child, evaluate it, checkpoint it
//   SearchTask  (FinalTask + rewards)    also reward sampled architectures for the controller
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/run/checkpoint.hpp"
#include "enas/search/space.hpp"

namespace enas::train {

/// The data split an evaluation runs over.
enum class Split { train, valid, test };

/// Where a training step is: 0-based epoch and step, steps per epoch, total epochs (a task may use
/// it, e.g. the drop-path schedule of final training).
struct StepAt {
    std::int64_t epoch = 0;
    std::int64_t step = 0;
    std::int64_t steps_per_epoch = 0;
    std::int64_t epochs = 0;
};

/// What one training step reports: the loss, the task's metric on the batch (accuracy for the
/// CNNs, perplexity for a language model) and how many items (images, tokens) it processed.
struct StepStats {
    double loss = 0;
    double metric = 0;
    std::int64_t count = 0;
};

/// How a task names its metric in metrics.jsonl, summary.json and on the console, so the loops
/// write e.g. "train_accuracy" / "valid_accuracy" for a CNN and "train_ppl" / "valid_ppl" for PTB.
struct MetricNames {
    std::string metric = "accuracy";         ///< JSON key: "accuracy", "train_accuracy", "test_accuracy", ...
    std::string short_name = "acc";          ///< progress lines: "acc", "train_acc", "test_acc"
    std::string rate = "images_per_second";  ///< JSON key of the items-per-second rate
    bool higher_is_better = true;            ///< for "best_test_<metric>" of final training
};

/// A child model that trains and evaluates one given architecture per step.
template <class T>
concept FinalTask = requires(T& task, const T& ctask, const typename T::Arch& arch, double lr, const StepAt& at,
                             Split split, const std::function<typename T::Arch()>& next_arch,
                             run::CheckpointWriter& writer, const run::Checkpoint& checkpoint,
                             nlohmann::json& progress_out, const nlohmann::json& progress_in) {
    typename T::Arch;
    { ctask.space() } -> std::same_as<search::SearchSpace>;
    { ctask.metric_names() } -> std::convertible_to<MetricNames>;
    { ctask.steps_per_epoch() } -> std::same_as<std::int64_t>;
    { ctask.num_params() } -> std::same_as<std::int64_t>;
    {task.start_training(at.epoch)};                               // the training stream from (epoch, step 0)
    { task.train_step(arch, lr, at) } -> std::same_as<StepStats>;  // on the next training batch
    { task.evaluate(split, next_arch) } -> std::same_as<double>;   // metric over a split
    {task.save(writer, progress_out)};
    {task.restore(checkpoint, progress_in)};
};

/// A FinalTask whose shared weights also score sampled architectures for the controller.
template <class T>
concept SearchTask = FinalTask<T> && requires(T& task, const T& ctask, const typename T::Arch& arch, int batches) {
    { task.reward(arch) } -> std::same_as<double>;                  // on the next reward batch
    { task.derive_reward(arch, batches) } -> std::same_as<double>;  // mean over fixed batches
    { ctask.skip_rate(arch) } -> std::same_as<double>;
};

}  // namespace enas::train
