// The settings of a Penn Treebank run (recurrent cell search with ptb_search, or final training of
// one cell with ptb_train) in one struct whose fields are one table (core/config_fields.hpp: JSON
// key, flag, help, member), with the presets
//   quick    CPU-sized: H 64, a 60,000-token (final: 100,000) slice of the training split,
//            valid/test slices, a few epochs (a search of a few minutes on two cores);
//   scripts  enas_lm's search (child.py) and final (fixed.py) values, reference §5.3;
//   paper    scripts with the paper's controller values (reference §2.5, last column).
// The data folder defaults to $ENAS_PTB_DIR, else ../shared/data/ptb relative to the current
// directory (the layout of the shared copy beside a checkout).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "enas/child/rnn_config.hpp"
#include "enas/controller/config.hpp"
#include "enas/core/config_fields.hpp"
#include "enas/core/error.hpp"
#include "enas/search/space.hpp"
#include "enas/train/search_config.hpp"

namespace enas::train {

/// $ENAS_PTB_DIR, else "../shared/data/ptb" (relative to the current directory).
inline std::string default_ptb_dir() {
    if (const char* env = std::getenv("ENAS_PTB_DIR"); env && *env) return env;
    return "../shared/data/ptb";
}

struct PtbConfig {
    // what and where
    std::string space = "rnn";     ///< rnn (enas_lm's corrected cell, lm format) | rnn-original (TF, §5.2)
    std::string preset = "quick";  ///< quick | scripts | paper
    std::string mode = "search";   ///< search | final (set by the program)
    std::string data_dir;          ///< empty: default_ptb_dir()
    std::uint64_t seed = 1;
    // sizes
    int batch = 64;
    int eval_batch = 10;  ///< validation rows; the test split is evaluated with batch 1
    int bptt = 35;
    bool random_bptt = true;  ///< enas_lm's random window lengths, lr scaled by length / bptt
    int hidden = 64;
    int nodes = 8;  ///< N of the format (lm: nodes after node 0; original: all nodes)
    std::int64_t epochs = 3;
    std::int64_t train_tokens = 0;  ///< use only the first N training tokens (0: all)
    std::int64_t valid_tokens = 0;  ///< evaluate on the first N validation tokens (0: all)
    std::int64_t test_tokens = 0;   ///< evaluate on the first N test tokens (0: all)
    // child optimisation (SGD, no momentum; the loss carries the weight decay)
    double lr = 20;     ///< scaled by window length / bptt with random_bptt
    double clip = 0.1;  ///< global-norm clip (search 0.1, final 0.25)
    double drop_word = 0.10, drop_embedding = 0.20, drop_input = 0.75, drop_state = 0.25, drop_output = 0.75;
    double ar_alpha = 0.0, tar_beta = 1.0, weight_decay = 8e-7;
    bool decay_fourth_power = false;  ///< enas_lm search's ½Σw⁴ quirk instead of Σw²
    double init_range = 0.04;
    // final training
    bool nt_asgd = true;  ///< switch to weight averaging when validation stops improving
    int nonmono = 10;     ///< NT-ASGD window (epochs)
    // controller (search)
    std::string policy = "enas";  ///< enas | random
    int train_steps = 25;         ///< controller Adam steps per epoch (one pass over the data)
    int num_aggregate = 10;
    double controller_lr = 5e-5;
    std::int64_t controller_start_epoch = 0;
    int reward_bptt = 35;  ///< reward slice length (a slice is batch x reward_bptt valid tokens)
    int eval_archs = 10;
    int derive_k = 10;
    int derive_batches = 4;  ///< validation slices each derive candidate is scored on
    std::string controller_init;
    int log_every = 50;

    bool original() const { return space == "rnn-original"; }
    bool final_mode() const { return mode == "final"; }
    search::SearchSpace search_space() const {
        return original() ? search::SearchSpace::rnn_original : search::SearchSpace::rnn;
    }
    std::string data_folder() const { return data_dir.empty() ? default_ptb_dir() : data_dir; }

    /// The preset `name` for `space` in `mode` (search | final); ValueError otherwise.
    static PtbConfig preset_for(const std::string& space, const std::string& mode, const std::string& name) {
        check<ValueError>(name == "quick" || name == "scripts" || name == "paper", "unknown preset '", name,
                          "' (expected quick, scripts or paper)");
        check<ValueError>(space == "rnn" || space == "rnn-original", "unknown space '", space,
                          "' (expected rnn or rnn-original)");
        check<ValueError>(mode == "search" || mode == "final", "unknown mode '", mode, "'");
        PtbConfig c;
        c.space = space;
        c.mode = mode;
        c.preset = name;
        const bool final = mode == "final";
        child::RnnChildConfig child = space == "rnn-original" ? child::RnnChildConfig::original_search()
                                      : final                 ? child::RnnChildConfig::lm_final()
                                                              : child::RnnChildConfig::lm_search();
        c.nodes = child.num_nodes;
        c.drop_word = child.drop_word;
        c.drop_embedding = child.drop_embedding;
        c.drop_input = child.drop_input;
        c.drop_state = child.drop_state;
        c.drop_output = child.drop_output;
        c.ar_alpha = child.ar_alpha;
        c.tar_beta = child.tar_beta;
        c.weight_decay = child.weight_decay;
        c.init_range = child.init_range;
        c.clip = final ? 0.25 : 0.1;
        const controller::RnnControllerConfig cc =
            space == "rnn-original" ? controller::RnnControllerConfig::original() : controller::RnnControllerConfig{};
        c.train_steps = cc.reinforce.train_steps;
        c.num_aggregate = cc.reinforce.num_aggregate;
        c.controller_lr = cc.reinforce.learning_rate;
        if (name == "quick") {
            c.hidden = 64;
            c.batch = 32;
            c.eval_batch = 10;
            c.epochs = final ? 6 : 4;
            c.train_tokens = final ? 100000 : 60000;
            c.valid_tokens = 8000;
            c.test_tokens = 4000;
            // The scripts' dropouts stay: with smaller ones (0.05-0.2) a quick search learned more
            // slowly (valid ppl 2582 vs 1391 after one epoch) and clip 0.25 diverged.
            c.nonmono = 2;
            c.train_steps = 10;
            c.num_aggregate = 5;
            c.controller_lr = 1e-3;  // enas_lm's 5e-5 barely moves in a few epochs
            c.eval_archs = 5;
            c.derive_k = 8;
            c.derive_batches = 2;
            return c;
        }
        // scripts and paper: enas_lm (reference §5.3)
        c.hidden = space == "rnn-original" ? 720 : final ? 800 : 200;
        c.batch = final ? 64 : 128;
        c.eval_batch = 10;
        c.epochs = final ? 3000 : 600;
        if (name == "paper") {
            const controller::RnnControllerConfig p = controller::RnnControllerConfig::paper();
            c.controller_lr = p.reinforce.learning_rate;
        }
        return c;
    }

    /// The child model's configuration over a vocabulary of `vocab` words.
    child::RnnChildConfig child_config(std::int64_t vocab) const {
        child::RnnChildConfig c = original() ? child::RnnChildConfig::original_search() : child::RnnChildConfig{};
        c.vocab_size = vocab;
        c.hidden = hidden;
        c.num_nodes = nodes;
        c.drop_word = drop_word;
        c.drop_embedding = drop_embedding;
        c.drop_input = drop_input;
        c.drop_state = drop_state;
        c.drop_output = drop_output;
        c.ar_alpha = ar_alpha;
        c.tar_beta = tar_beta;
        c.weight_decay = weight_decay;
        c.weight_decay_form =
            decay_fourth_power ? child::WeightDecayForm::enas_lm_search : child::WeightDecayForm::sum_squares;
        c.init_range = init_range;
        c.mode = final_mode() ? search::ChildMode::final : search::ChildMode::search;
        return c;
    }

    /// The controller configuration of the space (N = nodes) with this run's REINFORCE schedule.
    controller::RnnControllerConfig controller_config() const {
        controller::RnnControllerConfig cc = original()          ? controller::RnnControllerConfig::original()
                                             : preset == "paper" ? controller::RnnControllerConfig::paper()
                                                                 : controller::RnnControllerConfig{};
        cc.num_nodes = nodes;
        cc.reinforce = search_config().reinforce(cc.reinforce);
        return cc;
    }

    /// The search loop's settings (SearchLoop, derive) of this run.
    SearchConfig search_config() const {
        SearchConfig s;
        s.policy = policy;
        s.controller_start_epoch = controller_start_epoch;
        s.train_steps = train_steps;
        s.num_aggregate = num_aggregate;
        s.controller_lr = controller_lr;
        s.reward_batch = batch;
        s.eval_archs = eval_archs;
        s.derive_k = derive_k;
        s.derive_batches = derive_batches;
        s.controller_init = controller_init;
        return s;
    }

    /// The table of settings (core/config_fields.hpp), in the binaries' --help order.
    static constexpr auto fields() {
        using S = PtbConfig;
        return std::tuple{
            option("space", &S::space, "--space", "rnn (corrected enas_lm cell) | rnn-original (TF, §5.2)",
                   "rnn|rnn-original"),
            option("preset", &S::preset, "--preset", "quick (minutes on a CPU) | scripts (enas_lm) | paper",
                   "quick|scripts|paper"),
            json_only("mode", &S::mode),
            option("data_dir", &S::data_dir, "--data", "PTB folder (default: $ENAS_PTB_DIR, else ../shared/data/ptb)"),
            option("seed", &S::seed, "--seed", "random seed (default 1)"),
            option("epochs", &S::epochs, "--epochs", "epochs, each one pass over the training tokens (preset)"),
            option("batch", &S::batch, "--batch", "training rows (preset)"),
            option("eval_batch", &S::eval_batch, "--eval-batch", "validation rows (test uses 1)"),
            option("bptt", &S::bptt, "--bptt", "BPTT window length"),
            switch_off("random_bptt", &S::random_bptt, "--fixed-bptt",
                       "fixed windows instead of enas_lm's random lengths"),
            option("hidden", &S::hidden, "--hidden", "hidden and embedding size H (preset)"),
            option("nodes", &S::nodes, "--nodes", "cell nodes N (search; ptb_train takes it from --arch)"),
            option("train_tokens", &S::train_tokens, "--train-tokens", "use only the first N training tokens (0: all)"),
            option("valid_tokens", &S::valid_tokens, "--valid-tokens", "evaluate on the first N validation tokens"),
            option("test_tokens", &S::test_tokens, "--test-tokens", "evaluate on the first N test tokens"),
            option("lr", &S::lr, "--lr", "SGD learning rate (scaled by window length / bptt)"),
            option("clip", &S::clip, "--clip", "global-norm gradient clip"),
            option("drop_word", &S::drop_word, "--drop-word", "word (embedding row) drop rate"),
            option("drop_embedding", &S::drop_embedding, "--drop-embedding", "locked embedding drop rate"),
            option("drop_input", &S::drop_input, "--drop-input", "locked cell-input drop rate"),
            option("drop_state", &S::drop_state, "--drop-state", "locked state drop rate"),
            option("drop_output", &S::drop_output, "--drop-output", "locked output drop rate"),
            option("ar_alpha", &S::ar_alpha, "--ar", "activation regularisation alpha"),
            option("tar_beta", &S::tar_beta, "--tar", "temporal activation regularisation beta"),
            option("weight_decay", &S::weight_decay, "--weight-decay", "weight decay (a loss term)"),
            switch_on("decay_fourth_power", &S::decay_fourth_power, "--decay-fourth-power",
                      "enas_lm search's 1/2 sum(w^4) weight decay quirk"),
            option("init_range", &S::init_range, "--init-range", "weights ~ U[-r, r]"),
            switch_off("nt_asgd", &S::nt_asgd, "--no-nt-asgd", "final training: no switch to weight averaging"),
            option("nonmono", &S::nonmono, "--nonmono", "NT-ASGD window in epochs"),
            option("policy", &S::policy, "--policy", "enas (the LSTM controller) | random (RandomSearch)",
                   "enas|random"),
            option("train_steps", &S::train_steps, "--train-steps", "controller Adam steps per epoch (preset)"),
            option("num_aggregate", &S::num_aggregate, "--num-aggregate", "REINFORCE samples per Adam step"),
            option("controller_lr", &S::controller_lr, "--controller-lr", "controller Adam learning rate"),
            option("controller_start_epoch", &S::controller_start_epoch, "--controller-start-epoch",
                   "first epoch whose end trains the controller"),
            option("reward_bptt", &S::reward_bptt, "--reward-bptt", "reward slice length (batch x this many tokens)"),
            option("eval_archs", &S::eval_archs, "--eval-archs", "architectures sampled and scored after each epoch"),
            option("derive_k", &S::derive_k, "--derive", "derive step: candidates to sample and score"),
            option("derive_batches", &S::derive_batches, "--derive-batches", "validation slices per candidate"),
            option("controller_init", &S::controller_init, "--controller-init",
                   "start from a saved controller state (transfer)"),
            option("log_every", &S::log_every, "--log-every", "metrics line every N windows"),
        };
    }

    nlohmann::json to_json() const { return fields_to_json(*this); }

    /// Throws ValueError naming the first setting out of range.
    void validate() const {
        check<ValueError>(space == "rnn" || space == "rnn-original", "space must be rnn or rnn-original, got '", space,
                          "'");
        check<ValueError>(batch >= 1 && eval_batch >= 1 && bptt >= 1 && reward_bptt >= 1,
                          "batch, eval batch, bptt and reward bptt must be >= 1");
        check<ValueError>(hidden >= 1 && nodes >= 1 && epochs >= 1, "hidden, nodes and epochs must be >= 1, got ",
                          hidden, ", ", nodes, " and ", epochs);
        check<ValueError>(train_tokens >= 0 && valid_tokens >= 0 && test_tokens >= 0, "token limits must be >= 0");
        check<ValueError>(lr > 0 && clip >= 0, "lr must be > 0 and clip >= 0, got ", lr, " and ", clip);
        check<ValueError>(nonmono >= 1 && log_every >= 1, "nonmono and log_every must be >= 1");
        child_config(10).validate();
        search_config().validate();
    }
};

}  // namespace enas::train
