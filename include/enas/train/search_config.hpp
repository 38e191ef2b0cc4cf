// The controller side of a search run (reference §7.2, §7.3, §2.5): which policy, when the
// controller starts training, how many REINFORCE samples per epoch, reward batches, the "10
// architectures" printout and the derive step. Presets mirror CnnConfig's.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/controller/config.hpp"
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

    /// The scripts' controller settings per space (reference §2.5), shortened for `quick`.
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

    nlohmann::json to_json() const {
        return {{"policy", policy},
                {"controller_start_epoch", controller_start_epoch},
                {"train_steps", train_steps},
                {"num_aggregate", num_aggregate},
                {"controller_lr", controller_lr},
                {"reward_batch", reward_batch},
                {"eval_archs", eval_archs},
                {"derive_k", derive_k},
                {"derive_batches", derive_batches},
                {"controller_init", controller_init}};
    }

    /// The REINFORCE settings of the space's controller with this schedule applied.
    controller::ReinforceConfig reinforce(controller::ReinforceConfig base) const {
        base.train_steps = train_steps;
        base.num_aggregate = num_aggregate;
        base.learning_rate = controller_lr;
        return base;
    }
};

}  // namespace enas::train
