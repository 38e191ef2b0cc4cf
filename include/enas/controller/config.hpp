// Hyper-parameters of the ENAS controllers (reference §2.5), one config struct per search space.
// Default-constructed configs carry the authors' script values; `paper()` presets carry the
// values stated in the paper (100 hidden units, lr 3.5e-4, T 5, C 2.5, ...).
#pragma once
#include <cmath>
#include <cstdint>

#include "enas/backend/cpu/optim.hpp"
#include "enas/core/error.hpp"

namespace enas::controller {

/// How the "entropy" added to the reward is computed (reference §2.1, quirk 12).
enum class EntropyForm {
    /// (−log p(a))·p(a) of the sampled action only, summed over decisions (macro and PTB code).
    SampledAction,
    /// The true categorical entropy −Σ p log p per decision, summed (micro code).
    Full,
};

/// REINFORCE and optimiser settings shared by every space (reference §2.1).
struct ReinforceConfig {
    double learning_rate = 1e-3;
    double baseline_decay = 0.99;  ///< β in b <- b − (1 − β)(b − R); b starts at 0
    double entropy_weight = 1e-4;  ///< R = reward + entropy_weight · entropy
    int num_aggregate = 20;        ///< samples whose gradients are averaged into one Adam step
    int train_steps = 50;          ///< Adam steps per controller phase (used by the search loop)
    /// Adam as TF's AdamOptimizer(beta1 = 0, epsilon = 1e-3); no clipping, no L2.
    double adam_beta1 = 0.0;
    double adam_beta2 = 0.999;
    double adam_eps = 1e-3;
    AdamForm adam_form = AdamForm::TensorFlow;

    AdamParams adam() const { return AdamParams{learning_rate, adam_beta1, adam_beta2, adam_eps, adam_form, 0.0}; }

    void validate(const char* who) const {
        check<ValueError>(std::isfinite(learning_rate) && learning_rate >= 0, who, ": learning_rate must be >= 0, got ",
                          learning_rate);
        check<ValueError>(baseline_decay >= 0 && baseline_decay <= 1, who, ": baseline_decay must be in [0, 1], got ",
                          baseline_decay);
        check<ValueError>(std::isfinite(entropy_weight), who, ": entropy_weight must be finite, got ", entropy_weight);
        check<ValueError>(num_aggregate >= 1, who, ": num_aggregate must be >= 1, got ", num_aggregate);
        check<ValueError>(train_steps >= 0, who, ": train_steps must be >= 0, got ", train_steps);
        check<ValueError>(adam_beta1 >= 0 && adam_beta1 < 1, who, ": adam_beta1 must be in [0, 1), got ", adam_beta1);
        check<ValueError>(adam_beta2 >= 0 && adam_beta2 < 1, who, ": adam_beta2 must be in [0, 1), got ", adam_beta2);
        check<ValueError>(adam_eps >= 0, who, ": adam_eps must be >= 0, got ", adam_eps);
    }
};

namespace config_detail {
inline void check_shaping(const char* who, double tanh_constant, double temperature, double init_range, int hidden) {
    check<ValueError>(hidden >= 1, who, ": hidden_size must be >= 1, got ", hidden);
    check<ValueError>(std::isfinite(tanh_constant) && tanh_constant >= 0, who,
                      ": tanh_constant must be >= 0 (0: no tanh shaping), got ", tanh_constant);
    check<ValueError>(std::isfinite(temperature) && temperature >= 0, who,
                      ": temperature must be >= 0 (0: no temperature), got ", temperature);
    check<ValueError>(std::isfinite(init_range) && init_range >= 0, who, ": init_range must be >= 0, got ", init_range);
}
}  // namespace config_detail

/// Macro space controller (TF general_controller, search_whole_channels; reference §2.2).
/// Parameter shapes do not depend on num_layers, so a state transfers between depths.
struct MacroControllerConfig {
    int num_layers = 12;         ///< L: tokens = L(L+1)/2
    int num_ops = 6;             ///< conv3, sep3, conv5, sep5, avgpool, maxpool
    int hidden_size = 64;        ///< LSTM size (1 layer)
    double tanh_constant = 1.5;  ///< C in C·tanh(logits), for ops and skips
    double temperature = 0.0;    ///< 0: none (the CIFAR scripts set none)
    double skip_target = 0.4;    ///< ρ of the skip KL penalty
    double skip_weight = 0.8;    ///< weight of the mean skip KL added to the loss (0: off)
    double init_range = 0.1;     ///< weights ~ U[−init_range, init_range]
    EntropyForm entropy_form = EntropyForm::SampledAction;
    ReinforceConfig reinforce{1e-3, 0.99, 1e-4, 20, 50};

    /// The paper's values: 100 hidden units, lr 3.5e-4, T 5, C 2.5, entropy weight 0.1.
    static MacroControllerConfig paper() {
        MacroControllerConfig c;
        c.hidden_size = 100;
        c.temperature = 5.0;
        c.tanh_constant = 2.5;
        c.reinforce.learning_rate = 3.5e-4;
        c.reinforce.entropy_weight = 0.1;
        return c;
    }

    void validate() const {
        constexpr const char* who = "MacroControllerConfig";
        check<ValueError>(num_layers >= 1, who, ": num_layers must be >= 1, got ", num_layers);
        check<ValueError>(num_ops >= 1, who, ": num_ops must be >= 1, got ", num_ops);
        config_detail::check_shaping(who, tanh_constant, temperature, init_range, hidden_size);
        check<ValueError>(skip_target > 0 && skip_target < 1, who, ": skip_target must be in (0, 1), got ",
                          skip_target);
        check<ValueError>(std::isfinite(skip_weight) && skip_weight >= 0, who, ": skip_weight must be >= 0, got ",
                          skip_weight);
        reinforce.validate(who);
    }
};

/// Micro space controller (TF micro_controller; reference §2.3): a normal and a reduction cell,
/// each B nodes of [idx1, op1, idx2, op2]. Parameter shapes do not depend on num_nodes.
struct MicroControllerConfig {
    int num_nodes = 5;  ///< B (child_num_cells): tokens = 2 · 4B
    int num_ops = 5;    ///< sep3, sep5, avg3, max3, identity
    int hidden_size = 64;
    double tanh_constant = 1.10;  ///< C for the index attention
    double op_tanh_reduce = 2.5;  ///< op logits use C / op_tanh_reduce (= 0.44)
    double temperature = 0.0;     ///< 0: none
    double init_range = 0.1;
    /// The learned op bias b_soft starts at [op_bias_init, op_bias_init, 0, ...] (TF: 10). At 10
    /// the tanh saturates, so ops 0 and 1 keep the logit C / op_tanh_reduce and tie for good.
    double op_bias_init = 10.0;
    EntropyForm entropy_form = EntropyForm::Full;
    ReinforceConfig reinforce{3.5e-3, 0.99, 1e-4, 10, 30};

    /// The paper's values: 100 hidden units, lr 3.5e-4, T 5, C 2.5, entropy weight 0.1.
    static MicroControllerConfig paper() {
        MicroControllerConfig c;
        c.hidden_size = 100;
        c.temperature = 5.0;
        c.tanh_constant = 2.5;
        c.reinforce.learning_rate = 3.5e-4;
        c.reinforce.entropy_weight = 0.1;
        return c;
    }

    void validate() const {
        constexpr const char* who = "MicroControllerConfig";
        check<ValueError>(num_nodes >= 1, who, ": num_nodes must be >= 1, got ", num_nodes);
        check<ValueError>(num_ops >= 2, who, ": num_ops must be >= 2 (the op bias starts [10, 10, 0, ...]), got ",
                          num_ops);
        config_detail::check_shaping(who, tanh_constant, temperature, init_range, hidden_size);
        check<ValueError>(std::isfinite(op_tanh_reduce) && op_tanh_reduce > 0, who,
                          ": op_tanh_reduce must be > 0, got ", op_tanh_reduce);
        check<ValueError>(std::isfinite(op_bias_init), who, ": op_bias_init must be finite, got ", op_bias_init);
        reinforce.validate(who);
    }
};

/// Which recurrent-cell controller (reference §2.4).
enum class RnnControllerKind {
    /// enas_lm's corrected controller: 2N tokens [p_1, f_1, ..., p_N, f_N], node 0 implicit,
    /// a zero vector at index 0 of the attention memory, function softmax tied to the embedding.
    LanguageModel,
    /// The original TF controller (declared wrong by the authors; legacy): 2N − 1 tokens
    /// [f_0, p_1, f_1, ..., p_{N−1}, f_{N−1}], its own function softmax.
    Original,
};

/// Recurrent cell controller. Default-constructed = the LM corrected controller's values.
struct RnnControllerConfig {
    RnnControllerKind kind = RnnControllerKind::LanguageModel;
    int num_nodes = 9;  ///< N (LM controller_num_layers = 9; TF original rhn_depth = 12)
    int num_funcs = 4;  ///< LM: tanh, ReLU, sigmoid, identity; TF original samples 2
    int hidden_size = 64;
    double tanh_constant = 2.25;
    double temperature = 5.0;
    double distance_penalty = 6.0;  ///< subtract (l − j)² / distance_penalty from prev logits (0: off)
    double init_range = 0.01;       ///< LM: U[−0.01, 0.01]; TF: U[−0.1, 0.1]
    EntropyForm entropy_form = EntropyForm::SampledAction;
    /// LM: default Adam (beta1 0.9, eps 1e-8), lr 5e-5, baseline 0.999, 25 × 10.
    ReinforceConfig reinforce{5e-5, 0.999, 1e-5, 10, 25, 0.9, 0.999, 1e-8, AdamForm::TensorFlow};

    /// The LM corrected controller (same as a default-constructed config).
    static RnnControllerConfig language_model() { return RnnControllerConfig{}; }

    /// The original TF PTB controller (src/ptb/main.py + ptb_search.sh): 12 nodes, LSTM 100,
    /// 2 functions, C 2.5, T 5, entropy 1e-3, lr 1e-3, Adam(beta1 0, eps 1e-3), 100 × 10.
    static RnnControllerConfig original() {
        RnnControllerConfig c;
        c.kind = RnnControllerKind::Original;
        c.num_nodes = 12;
        c.num_funcs = 2;
        c.hidden_size = 100;
        c.tanh_constant = 2.5;
        c.temperature = 5.0;
        c.init_range = 0.1;
        c.reinforce = ReinforceConfig{1e-3, 0.99, 1e-3, 10, 100};
        return c;
    }

    /// The paper's values on the LM controller: 100 hidden units, lr 3.5e-4, T 5, C 2.5,
    /// entropy weight 1e-4, 12 nodes.
    static RnnControllerConfig paper() {
        RnnControllerConfig c;
        c.num_nodes = 12;
        c.hidden_size = 100;
        c.tanh_constant = 2.5;
        c.temperature = 5.0;
        c.reinforce.learning_rate = 3.5e-4;
        c.reinforce.entropy_weight = 1e-4;
        return c;
    }

    void validate() const {
        constexpr const char* who = "RnnControllerConfig";
        check<ValueError>(num_nodes >= 1, who, ": num_nodes must be >= 1, got ", num_nodes);
        check<ValueError>(num_funcs >= 1, who, ": num_funcs must be >= 1, got ", num_funcs);
        config_detail::check_shaping(who, tanh_constant, temperature, init_range, hidden_size);
        check<ValueError>(std::isfinite(distance_penalty) && distance_penalty >= 0, who,
                          ": distance_penalty must be >= 0 (0: off), got ", distance_penalty);
        reinforce.validate(who);
    }
};

}  // namespace enas::controller
