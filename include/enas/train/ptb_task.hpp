// The recurrent (PTB) space as a Task of the generic loops (task.hpp): a RnnChild, plain SGD with
// global-norm clipping, and the batchified PTB splits.
//
//   * training: one step is one BPTT window; an epoch is one pass over the batchified training
//     rows, windows in order with the hidden state carried across them (zero at the pass start).
//     With random lengths (enas_lm) the windows of epoch e are drawn from a stream seeded by
//     (seed, e), so steps_per_epoch() is the window count of the current pass and a resumed run
//     draws the same windows; the step's lr is the loop's lr times the window's lr_scale;
//   * metric: perplexity ("ppl", lower is better), items: tokens;
//   * reward: 80 / perplexity of the next contiguous validation slice (batch x reward_bptt
//     tokens, zero initial state), slices in order and wrapping (enas_lm, reference §5.3);
//     derive_reward: 80 / perplexity over the first `batches` slices (the same every call);
//   * evaluate: perplexity over a split in windows of bptt with the state carried (valid:
//     eval_batch rows; test: one row, as the reference);
//   * final training (FinalTraining calls end_epoch): NT-ASGD, reference §5.3. After each epoch
//     the validation perplexity; averaging starts when it exceeds the minimum of all but the last
//     `nonmono` epochs' values; from then on a running average of the weights is kept after each
//     step, and evaluation (valid and test) and the final model use the averaged weights.
// Checkpoints: the task saves the weights, the optimiser buffer, the context RNG, the reward
// counter and the NT-ASGD state. At a pass boundary (an epoch checkpoint) the stream position is
// (epoch, window 0) and the carried state is zero; a mid-epoch checkpoint (the loops' step
// checkpoints, --checkpoint-every) also saves the window position and the carried state, which
// start_training(epoch, step) resumes from.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/autograd/tape.hpp"
#include "enas/child/rnn_child.hpp"
#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "enas/data/bptt.hpp"
#include "enas/data/ptb.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/optim/child_sgd.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/search/rnn_arch.hpp"
#include "enas/train/child_checkpoint.hpp"
#include "enas/train/loop_config.hpp"
#include "enas/train/ptb_config.hpp"
#include "enas/train/task.hpp"

namespace enas::train {

/// The splits of a run, batchified: train (batch rows), valid (eval_batch rows), reward (the
/// validation split in batch rows), test (one row).
struct PtbData {
    std::int64_t vocab = 0;
    data::TokenRows train, valid, reward, test;
};

/// Cuts the corpus to the config's token limits and batchifies it.
inline PtbData make_ptb_data(const data::PtbCorpus& corpus, const PtbConfig& c) {
    const auto cut = [](const std::vector<std::int32_t>& s, std::int64_t limit) {
        if (limit <= 0 || limit >= static_cast<std::int64_t>(s.size())) return s;
        return std::vector<std::int32_t>(s.begin(), s.begin() + limit);
    };
    PtbData d;
    d.vocab = corpus.vocab.size();
    const std::vector<std::int32_t> valid = cut(corpus.valid, c.valid_tokens);
    d.train = data::batchify(cut(corpus.train, c.train_tokens), c.batch);
    d.valid = data::batchify(valid, c.eval_batch);
    d.reward = data::batchify(valid, c.batch);
    d.test = data::batchify(cut(corpus.test, c.test_tokens), 1);
    return d;
}

/// Loads the config's data folder (IoError naming it when it is missing) and batchifies it.
inline PtbData load_ptb_data(const PtbConfig& c) {
    const std::filesystem::path dir = c.data_folder();
    check<IoError>(std::filesystem::is_directory(dir), "the PTB data folder '", dir.string(),
                   "' does not exist (give --data DIR holding ptb.{train,valid,test}.txt, or set ENAS_PTB_DIR)");
    return make_ptb_data(data::load_ptb(dir), c);
}

/// The loops' settings of a PtbConfig: its epochs, metrics cadence and a constant SGD lr.
inline LoopConfig loop_config_of(const PtbConfig& c) {
    return {c.epochs, c.log_every, [lr = c.lr](std::int64_t) { return lr; }};
}

template <Device D>
class PtbTask {
public:
    using Arch = search::RnnArch;

    /// `config`, `data` and `model` must outlive the task.
    PtbTask(Context<D>& ctx, const PtbConfig& config, const PtbData& data, child::RnnChild<D>& model)
        : ctx_(ctx), config_(config), data_(data), model_(model), sgd_(ctx, model.arena(), sgd_config(config)) {
        plan(0);
    }

    search::SearchSpace space() const { return config_.search_space(); }
    MetricNames metric_names() const { return {"ppl", "ppl", "tokens_per_second", false}; }
    /// Windows in the current pass (the next one once a pass has ended).
    std::int64_t steps_per_epoch() const { return static_cast<std::int64_t>(windows_.size()); }
    std::int64_t num_params() const { return model_.arena().trainable_elements(); }

    void start_training(std::int64_t epoch) { plan(epoch); }
    /// The same at window `step` of pass `epoch`: resuming from a mid-epoch checkpoint, whose
    /// restore() brought back the state carried into that window.
    void start_training(std::int64_t epoch, std::int64_t step) {
        plan(epoch);
        if (step == 0) return;
        check<StateError>(resumed_at_.has_value() && resumed_at_->first == epoch && resumed_at_->second == step &&
                              step < steps_per_epoch(),
                          "ptb: no carried state saved for window ", step, " of epoch ", epoch + 1);
        pos_ = step;
        state_ = resumed_state_;
    }

    /// One clipped SGD step on the next window (lr x the window's lr_scale), the state carried.
    StepStats train_step(const Arch& arch, double lr, const StepAt& at) {
        if (at.epoch != epoch_) plan(at.epoch);
        const data::BpttWindow w = windows_[static_cast<std::size_t>(pos_)];
        Tape<D> tape(ctx_);
        auto r = model_.forward(tape, arch, child::make_window<D>(data_.train, w), state_);
        const double ce = static_cast<double>(r.cross_entropy.value().item());
        check<ValueError>(std::isfinite(ce), "ptb: the training loss is not finite (", ce, ") at epoch ", at.epoch + 1,
                          ", window ", pos_ + 1, "; lower --lr or --clip");
        tape.backward(r.loss);
        sgd_.step(ctx_, lr * w.lr_scale);
        state_ = r.state;
        if (averaging_) accumulate_average();
        if (++pos_ == steps_per_epoch()) plan(epoch_ + 1);  // the next pass, so steps_per_epoch() is its count
        return {ce, std::exp(ce), w.length * data_.train.batch};
    }

    /// Perplexity over `split`, next_arch() once per window (the averaged weights once NT-ASGD
    /// has switched).
    double evaluate(Split split, const std::function<Arch()>& next_arch) {
        const data::TokenRows& rows = split == Split::train   ? data_.train
                                      : split == Split::valid ? data_.valid
                                                              : data_.test;
        return with_eval_weights([&] {
            double ce = 0;
            std::int64_t tokens = 0;
            Tensor<float, D> state = model_.zero_state(ctx_, rows.batch);
            for (std::int64_t start = 0; start < rows.length - 1; start += config_.bptt) {
                const data::BpttWindow w{start, std::min<std::int64_t>(config_.bptt, rows.length - 1 - start), 1.0};
                const auto r = model_.evaluate(ctx_, next_arch(), child::make_window<D>(rows, w), state);
                ce += r.total_cross_entropy;
                tokens += r.tokens;
                state = r.state;
            }
            return child::perplexity(ce, tokens);
        });
    }

    /// 80 / perplexity of `arch` on the next validation slice.
    double reward(const Arch& arch) {
        const std::int64_t k = static_cast<std::int64_t>(reward_counter_++ % static_cast<std::uint64_t>(slices()));
        return 80.0 / slices_ppl(arch, k, 1);
    }
    /// 80 / perplexity of `arch` over the first `batches` validation slices.
    double derive_reward(const Arch& arch, int batches) { return 80.0 / slices_ppl(arch, 0, batches); }
    double skip_rate(const Arch&) const { return 0.0; }

    /// Final training's end of an epoch: the validation perplexity (with the weights evaluation
    /// uses) and the NT-ASGD switch; merged into the epoch's metrics record.
    nlohmann::json end_epoch(const Arch& arch, std::int64_t epoch) {
        const double ppl = evaluate(Split::valid, [&] { return arch; });
        bool switched_now = false;
        const auto n = valid_history_.size(), window = static_cast<std::size_t>(config_.nonmono);
        if (config_.nt_asgd && !averaging_ && n > window &&
            ppl >
                *std::min_element(valid_history_.begin(), valid_history_.end() - static_cast<std::ptrdiff_t>(window))) {
            averaging_ = true;
            switched_now = true;
            average_ = model_.arena().values().clone();
            average_count_ = 1;
            switch_epoch_ = epoch;
        }
        valid_history_.push_back(ppl);
        nlohmann::json j = {{"valid_ppl", ppl}, {"averaging", averaging_}};
        if (switched_now) j["nt_asgd_switch"] = true;
        return j;
    }

    void save(run::CheckpointWriter& w, nlohmann::json& progress) {
        add_child_state(w, model_.arena(), sgd_);
        save_rng_state(ctx_, progress);
        progress["reward_counter"] = reward_counter_;
        progress["nt_asgd"] = {{"averaging", averaging_},
                               {"count", average_count_},
                               {"switch_epoch", switch_epoch_},
                               {"valid_history", valid_history_}};
        if (averaging_) w.add_tensor("child/average", average_);
        if (pos_ > 0) {  // inside a pass: where, and the state carried into the next window
            progress["ptb_window"] = {epoch_, pos_};
            w.add_tensor("child/carried_state", state_);
        }
    }
    void restore(const run::Checkpoint& c, const nlohmann::json& progress) {
        restore_child_state(c, model_.arena(), sgd_);
        restore_rng_state(ctx_, progress);
        reward_counter_ = progress.at("reward_counter").get<std::uint64_t>();
        const nlohmann::json& nt = progress.at("nt_asgd");
        averaging_ = nt.at("averaging").get<bool>();
        average_count_ = nt.at("count").get<std::int64_t>();
        switch_epoch_ = nt.at("switch_epoch").get<std::int64_t>();
        valid_history_ = nt.at("valid_history").get<std::vector<double>>();
        if (averaging_) {
            average_ = model_.arena().values().clone();
            c.restore("child/average", average_);
        }
        resumed_at_.reset();
        if (progress.contains("ptb_window")) {
            resumed_at_ = {progress["ptb_window"].at(0).get<std::int64_t>(),
                           progress["ptb_window"].at(1).get<std::int64_t>()};
            resumed_state_ = model_.zero_state(ctx_, data_.train.batch);
            c.restore("child/carried_state", resumed_state_);
        }
    }

    /// The final model: the weights evaluation uses (averaged once NT-ASGD switched) as
    /// "child/values", and a "model" JSON entry (arch, sizes, vocabulary size, averaged).
    void save_final(const std::filesystem::path& path, const Arch& arch) {
        run::CheckpointWriter w;
        w.add_tensor("child/values", averaging_ ? average_ : model_.arena().values());
        w.add_json("model", {{"arch", arch.to_string()},
                             {"space", search::space_name(space())},
                             {"vocab", data_.vocab},
                             {"hidden", config_.hidden},
                             {"nodes", config_.nodes},
                             {"averaged", averaging_},
                             {"average_count", average_count_}});
        w.write(path);
    }

    bool averaging() const { return averaging_; }
    std::int64_t switch_epoch() const { return switch_epoch_; }
    /// The running average of the weights (defined once averaging).
    const Tensor<float, D>& average() const { return average_; }
    const std::vector<double>& valid_history() const { return valid_history_; }
    optim::ChildSgd<D>& optimizer() { return sgd_; }
    child::RnnChild<D>& model() { return model_; }

private:
    static optim::ChildSgdConfig sgd_config(const PtbConfig& c) {
        optim::ChildSgdConfig s;
        s.momentum = 0;
        s.nesterov = false;
        s.l2 = 0;  // the model's loss carries the weight decay
        s.clip_global_norm = c.clip;
        return s;
    }

    /// The windows of pass `epoch` (seeded by (seed, epoch)) and a zero state at its start.
    void plan(std::int64_t epoch) {
        epoch_ = epoch;
        pos_ = 0;
        windows_.clear();
        data::BpttOptions o;
        o.bptt = config_.bptt;
        o.random_length = config_.random_bptt;
        o.max_length = config_.bptt + 20;
        data::BpttWindows stream(data_.train.length, o,
                                 config_.seed * 0x9E3779B97F4A7C15ull + 0xB977ull + static_cast<std::uint64_t>(epoch));
        for (std::int64_t start = 0; start < data_.train.length - 1;) {
            windows_.push_back(stream.next(start));
            start += windows_.back().length;
        }
        state_ = model_.zero_state(ctx_, data_.train.batch);
    }

    std::int64_t slices() const { return std::max<std::int64_t>(1, (data_.reward.length - 1) / config_.reward_bptt); }
    /// Perplexity over `count` consecutive reward slices from slice `first` (each from a zero state).
    double slices_ppl(const Arch& arch, std::int64_t first, int count) {
        return with_eval_weights([&] {
            double ce = 0;
            std::int64_t tokens = 0;
            for (int i = 0; i < count; ++i) {
                const std::int64_t start = ((first + i) % slices()) * config_.reward_bptt;
                const std::int64_t length =
                    std::min<std::int64_t>(config_.reward_bptt, data_.reward.length - 1 - start);
                const data::BpttWindow w{start, length, 1.0};
                const auto r = model_.evaluate(ctx_, arch, child::make_window<D>(data_.reward, w),
                                               model_.zero_state(ctx_, data_.reward.batch));
                ce += r.total_cross_entropy;
                tokens += r.tokens;
            }
            return child::perplexity(ce, tokens);
        });
    }

    /// Runs f() with the averaged weights in the arena when averaging (restored afterwards).
    template <class F>
    double with_eval_weights(F&& f) {
        if (!averaging_) return f();
        Tensor<float, D>& values = model_.arena().values();
        const Tensor<float, D> current = values.clone();
        values.copy_from(average_);
        double out = 0;
        try {
            out = f();
        } catch (...) {
            values.copy_from(current);
            throw;
        }
        values.copy_from(current);
        return out;
    }

    void accumulate_average() {
        ++average_count_;
        const float a = 1.0f / static_cast<float>(average_count_);
        average_.copy_from(
            ops::add(ctx_, ops::scale(ctx_, average_, 1.0f - a), ops::scale(ctx_, model_.arena().values(), a)));
    }

    Context<D>& ctx_;
    PtbConfig config_;
    const PtbData& data_;
    child::RnnChild<D>& model_;
    optim::ChildSgd<D> sgd_;
    std::vector<data::BpttWindow> windows_;
    std::int64_t epoch_ = 0, pos_ = 0;
    Tensor<float, D> state_;
    std::uint64_t reward_counter_ = 0;
    bool averaging_ = false;
    std::int64_t average_count_ = 0, switch_epoch_ = -1;
    Tensor<float, D> average_;
    std::vector<double> valid_history_;
    std::optional<std::pair<std::int64_t, std::int64_t>> resumed_at_;  ///< (epoch, window) of a mid-epoch restore
    Tensor<float, D> resumed_state_;
};

}  // namespace enas::train
