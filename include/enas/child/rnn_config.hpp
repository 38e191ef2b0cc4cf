// Configuration of the recurrent (PTB) child model (reference §5): sizes, the architecture format,
// the dropouts (as drop *rates*, the enas_lm convention; keep = 1 - rate), the initialisation and
// the regularisers the training forward adds to its loss. Presets follow the scripts of
// reference §5.2 (the authors' original TF code) and §5.3 (the corrected enas_lm code).
#pragma once
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/search/child_options.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::child {

/// How the weight-decay term is formed.
enum class WeightDecayForm {
    /// weight_decay * sum(w^2) over every weight the step reads (the embedding, node 0's W_prev
    /// and the sampled node weights): enas_lm's final training (`fixed_lib.py`).
    sum_squares,
    /// weight_decay * 1/2 * sum(w^4) over W_prev and the sampled weights of nodes 2..N, i.e.
    /// `l2_loss(w ** 2)` over `[w_prev] + w_skip[1:]`: the quirk of enas_lm's search code
    /// (`child.py`; reference §5.3 and §9 #20). For exact parity only.
    enas_lm_search,
};

struct RnnChildConfig {
    std::int64_t vocab_size = 10000;  ///< V; the embedding is [V, H] and tied with the softmax
    std::int64_t hidden = 200;        ///< H, also the embedding size
    /// The N of the format (RnnArch::format_node_count()): the nodes after node 0 for `lm`
    /// (8 for the released cell), all nodes with node 0 for `original` (12 for the authors' seed).
    int num_nodes = 8;
    search::RnnFormat format = search::RnnFormat::lm;
    /// search: the supernet, one weight per (node, previous node, activation); final: only the
    /// weights of one architecture (enas_lm's fixed_lib.py), given to RnnChild's constructor.
    search::ChildMode mode = search::ChildMode::search;

    // Dropout rates, each in [0, 1); 0 disables that dropout. Every mask except the word mask is
    // [B, H] and fixed over the time steps of a window (locked / variational dropout).
    double drop_word = 0.10;       ///< word-level: embedding rows (word types), enas_lm drop_e
    double drop_embedding = 0.20;  ///< locked, on the looked-up embedding x_t, enas_lm drop_i
    double drop_input = 0.75;      ///< locked, on the cell input x_t at node 0, enas_lm drop_x
    double drop_state = 0.25;      ///< locked, on each node's input state (matmul operand only), drop_l
    double drop_output = 0.75;     ///< locked, on the cell output before the softmax, drop_o

    double init_range = 0.04;  ///< every weight ~ U[-init_range, init_range]

    // Regularisers added to the training loss (0 disables each).
    double ar_alpha = 0.0;  ///< alpha * mean(s_t^2) over the window's cell outputs (before output dropout)
    double tar_beta = 1.0;  ///< beta * mean((s_t - s_{t-1})^2) over consecutive steps inside the window
    double weight_decay = 8e-7;
    WeightDecayForm weight_decay_form = WeightDecayForm::sum_squares;

    /// The original TF code's loss scaling (reference §5.2): the cross-entropy is summed over the
    /// steps and averaged over the batch (T times the per-token mean), and AR and TAR are sums over
    /// steps and hidden units averaged over the batch. Evaluation results are per token either way.
    bool sum_loss_over_steps = false;

    /// The original TF code's word dropout (`ptb_enas_child._model`'s e_mask) instead of enas_lm's
    /// one draw per vocabulary row: a [B, T] mask per window (keep 1 - drop_word, drawn row by
    /// row from the context RNG), where a token is also dropped when the same word was dropped
    /// earlier in its row of the window; it scales x_t.
    bool original_word_dropout = false;

    /// enas_lm search (`child.py` defaults): H 200, N 8, drops 0.10 / 0.20 / 0.75 / 0.25 / 0.75,
    /// U[+-0.04], TAR 1, no AR, weight decay 8e-7 (Σw² here; set enas_lm_search for the quirk).
    static RnnChildConfig lm_search() { return {}; }

    /// enas_lm final (`fixed.py`): H 800, drops 0.125 / 0.175 / 0.725 / 0.225 / 0.75, U[+-0.05],
    /// AR 0.7, no TAR, weight decay 8e-7 (Σw² over all weights).
    static RnnChildConfig lm_final() {
        RnnChildConfig c;
        c.hidden = 800;
        c.drop_word = 0.125;
        c.drop_embedding = 0.175;
        c.drop_input = 0.725;
        c.drop_state = 0.225;
        c.drop_output = 0.75;
        c.init_range = 0.05;
        c.ar_alpha = 0.7;
        c.tar_beta = 0.0;
        return c;
    }

    /// The authors' original TF search script (reference §5.2): 12 nodes, H 720, keeps e 0.75,
    /// x 0.25, h 0.75 (no separate embedding dropout), its word dropout, L2 1e-7, the loss summed
    /// over steps. The script's o_keep 0.25 is not applied: the TF code draws o_mask but never
    /// uses it. Not reproduced: the search-mode batch norms (decay 0.999, epsilon 1) after every
    /// node's pre-activation and on the output.
    static RnnChildConfig original_search() {
        RnnChildConfig c;
        c.format = search::RnnFormat::original;
        c.num_nodes = 12;
        c.hidden = 720;
        c.drop_word = 0.25;
        c.drop_embedding = 0.0;
        c.drop_input = 0.75;
        c.drop_state = 0.25;
        c.drop_output = 0.0;
        c.tar_beta = 0.0;
        c.weight_decay = 1e-7;
        c.sum_loss_over_steps = true;
        c.original_word_dropout = true;
        return c;
    }

    /// Nodes of the cell with node 0 (num_nodes + 1 for lm, num_nodes for original).
    int cell_nodes() const { return format == search::RnnFormat::lm ? num_nodes + 1 : num_nodes; }

    /// ValueError naming the first bad field.
    void validate() const {
        check<ValueError>(vocab_size >= 1 && hidden >= 1, "rnn child: vocab_size and hidden must be >= 1, got ",
                          vocab_size, " and ", hidden);
        check<ValueError>(num_nodes >= 1, "rnn child: num_nodes must be >= 1, got ", num_nodes);
        const double rates[] = {drop_word, drop_embedding, drop_input, drop_state, drop_output};
        const char* names[] = {"drop_word", "drop_embedding", "drop_input", "drop_state", "drop_output"};
        for (int i = 0; i < 5; ++i)
            check<ValueError>(rates[i] >= 0 && rates[i] < 1, "rnn child: ", names[i], " must be in [0, 1), got ",
                              rates[i]);
        check<ValueError>(init_range > 0, "rnn child: init_range must be > 0, got ", init_range);
        check<ValueError>(ar_alpha >= 0 && tar_beta >= 0 && weight_decay >= 0,
                          "rnn child: ar_alpha, tar_beta and weight_decay must be >= 0, got ", ar_alpha, ", ", tar_beta,
                          " and ", weight_decay);
    }
};

}  // namespace enas::child
