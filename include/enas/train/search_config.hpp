// The controller side of a search run (reference §7.2, §7.3, §2.5): which policy, when the
// controller starts training, how many REINFORCE samples per epoch, reward batches, the "10
// architectures" printout and the derive step. Presets mirror CnnConfig's; the settings are one
// field table (`fields()`, core/config_fields.hpp) like CnnConfig's.
#pragma once
#include <cstdint>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "enas/controller/config.hpp"
#include "enas/core/config_fields.hpp"
#include "enas/train/cnn_config.hpp"

namespace enas::train {

struct SearchConfig {
    std::string policy = "enas";              ///< enas (the LSTM controller) | random (RandomSearch)
    std::int64_t controller_start_epoch = 0;  ///< the controller trains after child epochs >= this
    int train_steps = 50;                     ///< Adam steps per controller phase
    int num_aggregate = 20;                   ///< REINFORCE samples per Adam step
    double controller_lr = 1e-3;
    int reward_batch = 0;         ///< images per reward batch; 0: the child batch size
    int eval_archs = 10;          ///< architectures sampled and scored at the end of each epoch
    int derive_k = 10;            ///< candidates of the derive step (one greedy, the rest sampled)
    int derive_batches = 4;       ///< validation batches each candidate is scored on
    std::string controller_init;  ///< a saved controller state to start from (transfer)

    /// The scripts' controller settings per space (reference §2.5), shortened for `quick`; `paper`
    /// takes the paper's learning rate 3.5e-4.
    static SearchConfig preset_for(CnnSpace space, const std::string& preset) {
        SearchConfig s;
        if (space == CnnSpace::macro) {
            s.train_steps = 50;
            s.num_aggregate = 20;
            s.controller_lr = 1e-3;
        } else {
            s.train_steps = 30;
            s.num_aggregate = 10;
            s.controller_lr = 3.5e-3;
        }
        if (preset == "paper") s.controller_lr = 3.5e-4;  // the paper's Adam lr, both spaces (reference §2.5)
        if (preset == "quick") {
            s.train_steps = 15;
            s.num_aggregate = 4;
            s.eval_archs = 5;
            s.derive_k = 8;
            s.derive_batches = 2;
        }
        return s;
    }

    void validate() const {
        check<ValueError>(policy == "enas" || policy == "random", "policy must be enas or random, got '", policy, "'");
        check<ValueError>(controller_start_epoch >= 0 && train_steps >= 0 && num_aggregate >= 1 && reward_batch >= 0,
                          "controller schedule: start epoch, train steps and reward batch must be >= 0 and "
                          "num_aggregate >= 1");
        check<ValueError>(eval_archs >= 0 && derive_k >= 1 && derive_batches >= 1,
                          "eval archs must be >= 0, derive k and derive batches >= 1");
        check<ValueError>(controller_lr >= 0, "controller learning rate must be >= 0, got ", controller_lr);
    }

    /// The table of settings (core/config_fields.hpp), in cifar_search's --help order.
    static constexpr auto fields() {
        using S = SearchConfig;
        return std::tuple{
            option("policy", &S::policy, "--policy", "enas (the LSTM controller) | random (RandomSearch, same budget)",
                   "enas|random"),
            option("derive_k", &S::derive_k, "--derive", "derive step: candidates to sample and score (preset)"),
            option("derive_batches", &S::derive_batches, "--derive-batches",
                   "validation batches each candidate is scored on"),
            option("controller_init", &S::controller_init, "--controller-init",
                   "start from a saved controller state (transfer)"),
            option("controller_start_epoch", &S::controller_start_epoch, "--controller-start-epoch",
                   "first epoch whose end trains the controller"),
            option("train_steps", &S::train_steps, "--train-steps", "controller Adam steps per epoch (preset)"),
            option("num_aggregate", &S::num_aggregate, "--num-aggregate", "REINFORCE samples per Adam step (preset)"),
            option("controller_lr", &S::controller_lr, "--controller-lr", "controller Adam learning rate (preset)"),
            option("reward_batch", &S::reward_batch, "--reward-batch",
                   "images per reward batch (default: the child batch)"),
            option("eval_archs", &S::eval_archs, "--eval-archs", "architectures sampled and scored after each epoch"),
        };
    }

    /// The JSON form (the "search" section of config.json): every field.
    nlohmann::json to_json() const { return fields_to_json(*this); }
    static SearchConfig from_json(const nlohmann::json& j) {
        SearchConfig s;
        fields_from_json(j, s);
        return s;
    }

    /// The REINFORCE settings of the space's controller with this schedule applied.
    controller::ReinforceConfig reinforce(controller::ReinforceConfig base) const {
        base.train_steps = train_steps;
        base.num_aggregate = num_aggregate;
        base.learning_rate = controller_lr;
        return base;
    }
};

/// The macro controller of a search (reference §2.2, §2.5): the scripts' values, the paper's
/// (100 hidden units, T 5, C 2.5, entropy weight 0.1) with the paper preset; L from the child;
/// the run's REINFORCE schedule.
inline controller::MacroControllerConfig macro_controller_config(const CnnConfig& c, const SearchConfig& s) {
    controller::MacroControllerConfig cc =
        c.preset == "paper" ? controller::MacroControllerConfig::paper() : controller::MacroControllerConfig{};
    cc.num_layers = c.layers;
    cc.reinforce = s.reinforce(cc.reinforce);
    return cc;
}

/// The micro controller of a search (reference §2.3, §2.5), as macro_controller_config; B from
/// the child.
inline controller::MicroControllerConfig micro_controller_config(const CnnConfig& c, const SearchConfig& s) {
    controller::MicroControllerConfig cc =
        c.preset == "paper" ? controller::MicroControllerConfig::paper() : controller::MicroControllerConfig{};
    cc.num_nodes = c.nodes;
    cc.reinforce = s.reinforce(cc.reinforce);
    return cc;
}

}  // namespace enas::train
