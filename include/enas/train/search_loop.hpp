// The ENAS search loop (reference §1, §7.2, §7.3) as a library type. Each epoch:
//   1. child phase: one pass over the training split, a freshly sampled architecture per batch;
//   2. controller phase (epochs >= controller_start_epoch): train_steps x num_aggregate samples,
//      each rewarded with its accuracy on a fresh unaugmented validation batch (the child's
//      evaluation policy: running or batch statistics per space), REINFORCE updates;
//   3. eval_archs sampled architectures with their validation-batch accuracy (archs.jsonl), then
//      valid and test accuracy with shared weights, a fresh sample per eval batch;
//   4. a metrics line and an atomic checkpoint of everything (child weights, BN statistics,
//      momentum, the policy's whole state, RNGs, counters).
// Works with any ArchitecturePolicy (the ENAS controller or RandomSearch). derive.hpp picks the
// final architecture afterwards.
#pragma once
#include <chrono>
#include <sstream>
#include <type_traits>

#include "enas/controller/policy.hpp"
#include "enas/search/space.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/search_config.hpp"

namespace enas::train {

/// Skip rate of an architecture (macro: skips / possible skips; 0 for micro).
inline double skip_rate_of(const search::MacroArch& a) { return a.skip_rate(); }
inline double skip_rate_of(const search::MicroArch&) { return 0.0; }

template <Device D, class Model, class Arch>
class SearchLoop {
public:
    SearchLoop(Context<D>& ctx, const CnnConfig& config, const SearchConfig& search, const CnnData& data, Model& model,
               controller::ArchitecturePolicy& policy, run::RunFolder& run, run::ProgressReporter& progress)
        : ctx_(ctx), config_(config), search_(search), data_(data), model_(model), policy_(policy), run_(run),
          progress_(progress), sgd_(ctx, model.arena(), child_sgd_config(config)),
          checkpoints_(run.checkpoint_folder()), schedule_(lr_schedule_of(config)),
          rewards_(data.valid, data.stats, reward_batch_size(), config.seed ^ 0x5EA2C4ull) {}

    /// Continues from the newest valid checkpoint, if any; returns the epochs already done.
    std::int64_t resume() {
        const std::optional<nlohmann::json> p = resume_child_run(checkpoints_, run_, progress_, ctx_, model_.arena(), sgd_,
                                        [&](const run::Checkpoint& c) {
                                            std::istringstream in(c.blob("controller"));
                                            policy_.load(in, c.path().string() + " (controller section)");
                                        });
        if (!p) return 0;
        rewards_.set_counter(p->at("reward_counter").get<std::uint64_t>());
        epochs_done_ = p->at("epochs_done").get<std::int64_t>();
        history_ = p->at("history");
        seconds_before_ = p->value("seconds", 0.0);
        return epochs_done_;
    }

    /// Runs the remaining epochs (or stops after epoch `stop_at` - 1 when 0 <= stop_at < epochs, as
    /// an interruption would). Returns the last epoch's metrics record.
    nlohmann::json run(std::int64_t stop_at = -1) {
        const std::int64_t end = stop_at >= 0 ? std::min(stop_at, config_.epochs) : config_.epochs;
        const std::int64_t steps = data::batches_per_epoch(data_.train.size(), config_.batch, false);
        data::BatchLoader loader(data_.train, data_.stats, train_loader_options(config_, config_.seed), epochs_done_, 0);
        nlohmann::json record;
        for (std::int64_t epoch = epochs_done_; epoch < end; ++epoch) {
            const auto t0 = std::chrono::steady_clock::now();
            record = {{"phase", "epoch"}, {"epoch", epoch}, {"lr", schedule_.lr(epoch)}};
            child_phase(epoch, steps, loader, record);
            if (epoch >= search_.controller_start_epoch) controller_phase(epoch, record);
            eval_phase(epoch, record);
            record["seconds"] = seconds_since(t0);
            run_.append_metrics(record);
            history_.push_back(record);
            seconds_before_ += seconds_since(t0);
            epochs_done_ = epoch + 1;
            save_checkpoint();
        }
        return record;
    }

    std::int64_t epochs_done() const { return epochs_done_; }
    double seconds() const { return seconds_before_; }
    const nlohmann::json& history() const { return history_; }
    Arch to_arch(const std::vector<int>& tokens) const {
        return search::arch_from_tokens<Arch>(policy_.space(), tokens);
    }
    data::RandomBatchSampler& reward_batches() { return rewards_; }

private:
    std::int64_t reward_batch_size() const {
        const std::int64_t b = search_.reward_batch > 0 ? search_.reward_batch : config_.batch;
        check<ValueError>(data_.valid.size() >= 1, "search: the validation split is empty; set --num-valid > 0");
        return std::min<std::int64_t>(b, data_.valid.size());
    }

    void child_phase(std::int64_t epoch, std::int64_t steps, data::BatchLoader& loader, nlohmann::json& record) {
        const double lr = schedule_.lr(epoch);
        const auto t0 = std::chrono::steady_clock::now();
        double loss_sum = 0, acc_sum = 0;
        std::int64_t images = 0;
        controller::Sample sample;
        progress_.begin("child", epoch, config_.epochs, steps);
        for (std::int64_t s = 0; s < steps; ++s) {
            const data::Batch batch = loader.next();
            policy_.sample_into(sample);
            const Arch arch = to_arch(sample.tokens);
            const StepResult r = train_step(ctx_, model_, arch, batch, sgd_, lr);
            loss_sum += r.loss * r.images;
            acc_sum += r.accuracy * r.images;
            images += r.images;
            progress_.update(s + 1, {{"loss", r.loss}, {"acc", r.accuracy}, {"lr", lr}}, r.images);
            if ((s + 1) % config_.log_every == 0 || s + 1 == steps)
                run_.append_metrics({{"phase", "child"}, {"epoch", epoch}, {"step", s + 1}, {"loss", r.loss},
                                     {"accuracy", r.accuracy}, {"lr", lr},
                                     {"images_per_second", images / std::max(seconds_since(t0), 1e-9)}});
        }
        progress_.end();
        record["train_loss"] = loss_sum / images;
        record["train_accuracy"] = acc_sum / images;
        record["images_per_second"] = images / std::max(seconds_since(t0), 1e-9);
    }

    void controller_phase(std::int64_t epoch, nlohmann::json& record) {
        const std::int64_t calls = static_cast<std::int64_t>(search_.train_steps) * search_.num_aggregate;
        if (calls == 0) return;
        double reward_sum = 0, entropy_sum = 0, skip_sum = 0, loss_sum = 0;
        controller::Sample sample;
        progress_.begin("controller", epoch, config_.epochs, calls);
        for (std::int64_t i = 0; i < calls; ++i) {
            policy_.sample_into(sample);
            const Arch arch = to_arch(sample.tokens);
            const double reward = eval_accuracy(ctx_, model_, arch, rewards_.next());
            const controller::UpdateResult u = policy_.update(sample, reward);
            reward_sum += reward;
            entropy_sum += sample.entropy;
            skip_sum += skip_rate_of(arch);
            loss_sum += u.loss;
            progress_.update(i + 1, {{"reward", reward}, {"baseline", u.baseline}});
        }
        progress_.end();
        record["reward"] = reward_sum / calls;
        record["baseline"] = policy_.baseline();
        record["controller_entropy"] = entropy_sum / calls;
        record["controller_loss"] = loss_sum / calls;
        record["skip_rate"] = skip_sum / calls;
        record["controller_step"] = policy_.step();
    }

    void eval_phase(std::int64_t epoch, nlohmann::json& record) {
        controller::Sample sample;
        for (int k = 0; k < search_.eval_archs; ++k) {
            policy_.sample_into(sample);
            const Arch arch = to_arch(sample.tokens);
            const double acc = eval_accuracy(ctx_, model_, arch, rewards_.next());
            run_.append_arch({{"epoch", epoch}, {"arch", arch.to_string()}, {"reward", acc},
                              {"log_prob", sample.log_prob}});
        }
        record["valid_accuracy"] = sampled_accuracy(data_.valid);
        record["test_accuracy"] = sampled_accuracy(data_.test);
        progress_.message("epoch " + std::to_string(epoch + 1) + ": shared-weight valid accuracy " +
                          run::format_scalar(record["valid_accuracy"].get<double>()) + ", test accuracy " +
                          run::format_scalar(record["test_accuracy"].get<double>()) +
                          (record.contains("reward") ? ", mean reward " + run::format_scalar(record["reward"].get<double>())
                                                     : std::string()));
    }

    /// Accuracy over `ds` with a freshly sampled architecture per eval batch (as the authors).
    double sampled_accuracy(const data::ImageDataset& ds) {
        if (ds.size() == 0) return 0.0;
        data::EvalBatches batches(ds, data_.stats, config_.eval_batch);
        controller::Sample sample;
        std::int64_t correct = 0;
        for (std::int64_t i = 0; i < batches.size(); ++i) {
            policy_.sample_into(sample);
            correct += eval_correct(ctx_, model_, to_arch(sample.tokens), batches.batch(i));
        }
        return static_cast<double>(correct) / static_cast<double>(ds.size());
    }

    void save_checkpoint() {
        run::CheckpointWriter w;
        add_child_state(w, model_.arena(), sgd_);
        std::ostringstream controller_state;
        policy_.save(controller_state);
        w.add_blob("controller", std::move(controller_state).str());
        nlohmann::json progress = child_progress(ctx_, epochs_done_, history_);
        progress["reward_counter"] = rewards_.counter();
        progress["seconds"] = seconds_before_;
        w.add_json("progress", progress);
        checkpoints_.save(epochs_done_, w);
    }

    Context<D>& ctx_;
    CnnConfig config_;
    SearchConfig search_;
    const CnnData& data_;
    Model& model_;
    controller::ArchitecturePolicy& policy_;
    run::RunFolder& run_;
    run::ProgressReporter& progress_;
    optim::ChildSgd<D> sgd_;
    run::CheckpointSet checkpoints_;
    SgdrSchedule schedule_;
    data::RandomBatchSampler rewards_;
    std::int64_t epochs_done_ = 0;
    double seconds_before_ = 0;
    nlohmann::json history_ = nlohmann::json::array();
};

}  // namespace enas::train
