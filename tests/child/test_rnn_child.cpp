// Recurrent (PTB) child (reference §5): the cell's step and a dropout-free window against the
// naive double reference in both formats (loose-end averaging in the original one), a double
// gradient check of a whole training window (dropouts, AR, TAR and both weight-decay forms), the
// weights a step touches, an untrained model's perplexity, and a few SGD steps that learn a
// repeating sequence.
#include <cmath>
#include <random>
#include <set>

#include "enas/autograd/grad_check.hpp"
#include "enas/child/rnn_child.hpp"
#include "enas/optim/child_sgd.hpp"
#include "naive/rnn_cell.hpp"
#include "search/random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::child;
using search::RnnArch;
using search::RnnFormat;

namespace {

RnnArch random_arch(std::mt19937& rng, RnnFormat format, int format_nodes) {
    return RnnArch::from_tokens(search::fixtures::random_rnn_tokens(rng, format, format_nodes), format);
}

RnnChildConfig tiny_config(RnnFormat format, std::int64_t vocab, std::int64_t hidden, int nodes) {
    RnnChildConfig c;
    c.format = format;
    c.vocab_size = vocab;
    c.hidden = hidden;
    c.num_nodes = nodes;
    return c;
}

std::vector<double> to_doubles(const Tensor<float, Cpu>& t) {
    const std::vector<float> v = t.contiguous().to_vector();
    return {v.begin(), v.end()};
}

/// The naive weights of `arch` copied from the model's arena.
naive::RnnCellWeights naive_weights(RnnChild<Cpu>& model, const RnnArch& arch) {
    naive::RnnCellWeights w;
    w.hidden = static_cast<int>(model.config().hidden);
    w.w_prev = to_doubles(model.arena().peek(model.w_prev_param(arch.node(0).activation)).value());
    for (int l = 1; l < arch.num_nodes(); ++l)
        w.nodes.push_back(
            to_doubles(model.arena().peek(model.node_param(l, arch.node(l).input, arch.node(l).activation)).value()));
    return w;
}

std::vector<std::int32_t> random_ids(Rng& rng, std::size_t n, std::int64_t vocab) {
    std::vector<std::int32_t> v(n);
    for (auto& x : v) x = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab)));
    return v;
}

/// A [B, H] dropout-like mask (0 or 1 / keep) as a float tensor.
Tensor<float, Cpu> random_mask(Rng& rng, std::int64_t b, std::int64_t h, double keep) {
    std::vector<float> v(static_cast<std::size_t>(b * h));
    for (float& x : v) x = rng.uniform() < keep ? static_cast<float>(1.0 / keep) : 0.0f;
    return Tensor<float, Cpu>::from_vector({b, h}, v);
}

}  // namespace

TEST_CASE("rnn child: one cell step against the naive reference, both formats", "[child]") {
    std::mt19937 arch_rng(7);
    Rng rng(3);
    Context<Cpu> ctx(1);
    const std::int64_t b = 3, h = 5;
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        for (int trial = 0; trial < 6; ++trial) {
            const int nodes = 1 + trial;
            const RnnArch arch = random_arch(arch_rng, format, nodes);
            rnn::RnnWeights<float, Cpu> w;
            naive::RnnCellWeights nw;
            nw.hidden = static_cast<int>(h);
            const auto wp = test::random_tensor<float>({2 * h, 2 * h}, rng);
            w.w_prev = Var<float, Cpu>(wp);
            nw.w_prev = to_doubles(wp);
            for (int l = 1; l < arch.num_nodes(); ++l) {
                const auto wl = test::random_tensor<float>({h, 2 * h}, rng);
                w.nodes.emplace_back(wl);
                nw.nodes.push_back(to_doubles(wl));
            }
            const auto x = test::random_tensor<float>({b, h}, rng), s = test::random_tensor<float>({b, h}, rng);
            for (bool with_masks : {false, true}) {
                rnn::RnnMasks<float, Cpu> masks;
                if (with_masks) {
                    masks.input = random_mask(rng, b, h, 0.6);
                    masks.state = random_mask(rng, b, h, 0.7);
                }
                Tape<Cpu> tape(ctx);
                std::vector<Var<float, Cpu>> node_vars;
                const Var<float, Cpu> out =
                    rnn::cell_step(tape, arch, w, masks, Var<float, Cpu>(x), Var<float, Cpu>(s), &node_vars);
                std::vector<std::vector<double>> node_ref;
                const std::vector<double> ref =
                    naive::rnn_cell(arch, nw, static_cast<int>(b), to_doubles(x), to_doubles(s),
                                    with_masks ? to_doubles(masks.input) : std::vector<double>{},
                                    with_masks ? to_doubles(masks.state) : std::vector<double>{}, &node_ref);
                INFO(search::rnn_format_name(format) << " arch " << arch.to_string() << (with_masks ? " masked" : ""));
                const Tensor<double, Cpu> ref_t = Tensor<double, Cpu>::from_vector({b, h}, ref);
                ENAS_REQUIRE_CLOSE(out.value(), ref_t, 1e-5, 1e-5);
                REQUIRE(node_vars.size() == node_ref.size());
                for (std::size_t l = 0; l < node_vars.size(); ++l)
                    REQUIRE(test::compare(node_vars[l].value(), Tensor<double, Cpu>::from_vector({b, h}, node_ref[l]),
                                          1e-5, 1e-5)
                                .ok);
            }
        }
    }
}

TEST_CASE("rnn child: the original format averages the loose ends, the lm format nodes 1..N", "[child]") {
    Context<Cpu> ctx(1);
    Rng rng(11);
    // The authors' seed cell: loose ends {3, 4, 7, 9, 10, 11} (reference §6.3).
    const RnnArch seed = RnnArch::parse(search::kSeedRnnOriginal, RnnFormat::original);
    REQUIRE(seed.loose_ends() == std::vector<int>{3, 4, 7, 9, 10, 11});
    const RnnArch released = RnnArch::parse(search::kReleasedRnnLm, RnnFormat::lm);
    for (const RnnArch& arch : {seed, released}) {
        const std::int64_t h = 4, b = 2;
        rnn::RnnWeights<float, Cpu> w;
        w.w_prev = Var<float, Cpu>(test::random_tensor<float>({2 * h, 2 * h}, rng));
        for (int l = 1; l < arch.num_nodes(); ++l) w.nodes.emplace_back(test::random_tensor<float>({h, 2 * h}, rng));
        Tape<Cpu> tape(ctx);
        std::vector<Var<float, Cpu>> nodes;
        const auto out = rnn::cell_step(tape, arch, w, {}, Var<float, Cpu>(test::random_tensor<float>({b, h}, rng)),
                                        Var<float, Cpu>(test::random_tensor<float>({b, h}, rng)), &nodes);
        const std::vector<int> avg = arch.format() == RnnFormat::original ? std::vector<int>{3, 4, 7, 9, 10, 11}
                                                                          : std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8};
        std::vector<double> expected(static_cast<std::size_t>(b * h), 0.0);
        for (int l : avg)
            for (std::int64_t i = 0; i < b * h; ++i)
                expected[static_cast<std::size_t>(i)] +=
                    nodes[static_cast<std::size_t>(l)].value().data()[i] / avg.size();
        INFO(arch.to_string());
        const Tensor<double, Cpu> expected_t = Tensor<double, Cpu>::from_vector({b, h}, expected);
        ENAS_REQUIRE_CLOSE(out.value(), expected_t, 1e-6, 1e-6);
    }
}

TEST_CASE("rnn child: a dropout-free window equals the naive reference, any batch", "[child]") {
    std::mt19937 arch_rng(5);
    Context<Cpu> ctx(2);
    Rng rng(9);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        for (std::int64_t batch : {1, 3}) {
            RnnChildConfig c = tiny_config(format, 11, 6, 4);
            c.init_range = 0.5;  // larger weights than the default so the reference sees real nonlinearity
            RnnChild<Cpu> model(ctx, c, 21);
            const RnnArch arch = random_arch(arch_rng, format, 4);
            const std::int64_t steps = 4;
            const auto n = static_cast<std::size_t>(batch * steps);
            const std::vector<std::int32_t> in = random_ids(rng, n, c.vocab_size),
                                            tg = random_ids(rng, n, c.vocab_size);
            const RnnWindow<Cpu> window = make_window<Cpu>(in, tg, batch, steps);
            const auto s0 = test::random_tensor<float>({batch, c.hidden}, rng);
            const RnnEvalResult<Cpu> r = model.evaluate(ctx, arch, window, s0);

            std::vector<std::vector<int>> ids(steps, std::vector<int>(batch)), targets = ids;
            for (std::int64_t b = 0; b < batch; ++b)
                for (std::int64_t t = 0; t < steps; ++t) {
                    ids[t][b] = in[static_cast<std::size_t>(b * steps + t)];
                    targets[t][b] = tg[static_cast<std::size_t>(b * steps + t)];
                }
            std::vector<double> state;
            const double ref = naive::rnn_window_cross_entropy(
                arch, to_doubles(model.arena().peek(model.embedding_param()).value()), static_cast<int>(c.vocab_size),
                naive_weights(model, arch), ids, targets, to_doubles(s0), &state);
            INFO(search::rnn_format_name(format) << " batch " << batch << " arch " << arch.to_string());
            REQUIRE(r.tokens == batch * steps);
            REQUIRE(r.total_cross_entropy / static_cast<double>(r.tokens) == Approx(ref).epsilon(1e-5));
            const Tensor<double, Cpu> state_t = Tensor<double, Cpu>::from_vector({batch, c.hidden}, state);
            ENAS_REQUIRE_CLOSE(r.state, state_t, 1e-5, 1e-5);
            // Evaluation touches nothing; the training forward with every dropout and regulariser
            // off is the same computation.
            for (std::size_t i = 0; i < model.arena().num_params(); ++i)
                REQUIRE_FALSE(model.arena().touched(static_cast<nn::ParamId>(i)));
        }
    }
}

TEST_CASE("rnn child: a training window's dropouts against the naive reference (masks fixed per window)", "[child]") {
    std::mt19937 arch_rng(43);
    Context<Cpu> ctx(2);
    Rng rng(47);
    struct Variant {
        RnnFormat format;
        bool original_words;
    };
    for (Variant variant : {Variant{RnnFormat::lm, false}, Variant{RnnFormat::original, false},
                            Variant{RnnFormat::original, true}, Variant{RnnFormat::lm, true}}) {
        RnnChildConfig c = tiny_config(variant.format, 9, 5, 3);
        c.init_range = 0.5;
        c.drop_word = 0.3;
        c.drop_embedding = 0.2;
        c.drop_input = 0.4;
        c.drop_state = 0.25;
        c.drop_output = 0.5;
        c.tar_beta = c.ar_alpha = c.weight_decay = 0;
        c.sum_loss_over_steps = false;
        c.original_word_dropout = variant.original_words;
        RnnChild<Cpu> model(ctx, c, 4);
        const RnnArch arch = random_arch(arch_rng, variant.format, 3);
        const std::int64_t batch = 3, steps = 6;
        const auto n = static_cast<std::size_t>(batch * steps);
        // Few distinct words, so that words repeat within a row.
        const std::vector<std::int32_t> in = random_ids(rng, n, 4), tg = random_ids(rng, n, c.vocab_size);
        const auto s0 = test::random_tensor<float>({batch, c.hidden}, rng);
        Context<Cpu> run(77), replay(77);
        Tape<Cpu> tape(run);
        const auto r = model.forward(tape, arch, make_window<Cpu>(in, tg, batch, steps), s0);

        std::vector<std::vector<int>> ids(steps, std::vector<int>(batch)), targets = ids;
        for (std::int64_t b = 0; b < batch; ++b)
            for (std::int64_t t = 0; t < steps; ++t) {
                ids[t][b] = in[static_cast<std::size_t>(b * steps + t)];
                targets[t][b] = tg[static_cast<std::size_t>(b * steps + t)];
            }
        // The draws in their documented order: the word mask, then the locked [B, H] masks
        // (embedding, input, state, output).
        const Tensor<float, Cpu> table = model.arena().peek(model.embedding_param()).value();
        naive::RnnWindowMasks masks;
        if (variant.original_words) {
            masks.token = naive::original_word_mask(replay.rng(), ids, 1.0 - c.drop_word);
        } else {
            Tensor<float, Cpu> word;
            ops::embedding_dropout(replay, table, 1.0 - c.drop_word, &word);
            masks.word = to_doubles(word);
        }
        const auto emb = to_doubles(rnn::draw_mask<float>(replay, batch, c.hidden, c.drop_embedding));
        masks.input = to_doubles(rnn::draw_mask<float>(replay, batch, c.hidden, c.drop_input));
        for (std::size_t i = 0; i < emb.size(); ++i) masks.input[i] *= emb[i];
        masks.state = to_doubles(rnn::draw_mask<float>(replay, batch, c.hidden, c.drop_state));
        masks.output = to_doubles(rnn::draw_mask<float>(replay, batch, c.hidden, c.drop_output));

        std::vector<double> state;
        const double ref =
            naive::rnn_window_cross_entropy(arch, to_doubles(table), static_cast<int>(c.vocab_size),
                                            naive_weights(model, arch), ids, targets, to_doubles(s0), &state, masks);
        INFO(search::rnn_format_name(variant.format)
             << (variant.original_words ? " original word dropout" : "") << " arch " << arch.to_string());
        REQUIRE(r.loss.value().item() == Approx(ref).epsilon(1e-5));
        const Tensor<double, Cpu> state_t = Tensor<double, Cpu>::from_vector({batch, c.hidden}, state);
        ENAS_REQUIRE_CLOSE(r.state, state_t, 1e-5, 1e-5);
    }
}

TEST_CASE("rnn child: the original word dropout drops a word again after it was dropped in its row", "[child]") {
    Rng rng(53);
    const std::int64_t steps = 40, batch = 5;
    std::vector<std::int32_t> ids(static_cast<std::size_t>(steps * batch));
    for (auto& id : ids) id = static_cast<std::int32_t>(rng.below(3));
    const auto scales = rnn::original_word_scales(rng, ids, steps, batch, 0.5);
    int dropped = 0, kept = 0, forced = 0;
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 0; t < steps; ++t) {
            const double s = scales[t][b];
            REQUIRE((s == 0.0 || s == 2.0));
            (s == 0.0 ? dropped : kept)++;
            bool earlier_dropped = false;
            for (std::int64_t e = 0; e < t; ++e)
                earlier_dropped = earlier_dropped || (ids[static_cast<std::size_t>(e * batch + b)] ==
                                                          ids[static_cast<std::size_t>(t * batch + b)] &&
                                                      scales[e][b] == 0.0);
            // Once a word is dropped in a row it stays dropped there (the first drop is its own draw).
            if (earlier_dropped) {
                REQUIRE(s == 0.0);
                ++forced;
            }
        }
    REQUIRE(kept > 0);
    REQUIRE(forced > 0);
    REQUIRE(dropped > forced);
}

TEST_CASE("rnn child: gradient check of a whole BPTT window in double", "[child]") {
    std::mt19937 arch_rng(13);
    Rng rng(17);
    const std::int64_t v = 5, h = 3, b = 2, steps = 3;
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        for (WeightDecayForm form : {WeightDecayForm::sum_squares, WeightDecayForm::enas_lm_search}) {
            RnnChildConfig c = tiny_config(format, v, h, 3);
            c.drop_word = 0.2;
            c.drop_embedding = 0.2;
            c.drop_input = 0.3;
            c.drop_state = 0.25;
            c.drop_output = 0.3;
            c.ar_alpha = 0.5;
            c.tar_beta = 0.7;
            c.weight_decay = 0.05;
            c.weight_decay_form = form;
            c.sum_loss_over_steps = format == RnnFormat::original;
            c.original_word_dropout = format == RnnFormat::original;
            const RnnArch arch = random_arch(arch_rng, format, 3);
            auto param = [&](const Shape& s) { return Var<double, Cpu>(test::random_tensor<double>(s, rng), true); };
            rnn::RnnWeights<double, Cpu> w;
            w.embedding = param({v, h});
            w.w_prev = param({2 * h, 2 * h});
            for (int l = 1; l < arch.num_nodes(); ++l) w.nodes.push_back(param({h, 2 * h}));
            const Tensor<double, Cpu> s0 = test::random_tensor<double>({b, h}, rng);
            const RnnWindow<Cpu> window =
                make_window<Cpu>(random_ids(rng, b * steps, v), random_ids(rng, b * steps, v), b, steps);
            std::vector<Var<double, Cpu>> inputs{w.embedding, w.w_prev};
            inputs.insert(inputs.end(), w.nodes.begin(), w.nodes.end());
            INFO(search::rnn_format_name(format)
                 << " arch " << arch.to_string() << " decay form " << static_cast<int>(form));
            ENAS_REQUIRE_GRADCHECK(grad_check(
                [&](Tape<Cpu>& tape) {
                    return rnn::rnn_window(tape, c, arch, w, window.inputs, window.targets, s0, true).loss;
                },
                inputs, GradCheckOptions{1e-6, 1e-7, 1e-5, 4}));
        }
    }
}

TEST_CASE("rnn child: a training step touches only the sampled weights", "[child]") {
    std::mt19937 arch_rng(23);
    Context<Cpu> ctx(3);
    Rng rng(29);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        const RnnChildConfig c = tiny_config(format, 13, 4, 5);
        RnnChild<Cpu> model(ctx, c, 1);
        // Embedding, one W_prev (lm) or one per activation (original), 4 * l weights at node l.
        const std::int64_t h = c.hidden, cells = c.cell_nodes();
        const std::int64_t w_prevs = format == RnnFormat::lm ? 1 : 4;
        REQUIRE(model.arena().param_elements() ==
                c.vocab_size * h + w_prevs * 4 * h * h + 4 * (cells * (cells - 1) / 2) * 2 * h * h);
        REQUIRE(model.arena().num_params() == static_cast<std::size_t>(1 + w_prevs + 2 * cells * (cells - 1)));
        for (int trial = 0; trial < 3; ++trial) {
            const RnnArch arch = random_arch(arch_rng, format, 5);
            const RnnWindow<Cpu> window = make_window<Cpu>(random_ids(rng, 6, 13), random_ids(rng, 6, 13), 2, 3);
            Tape<Cpu> tape(ctx);
            auto r = model.forward(tape, arch, window, model.zero_state(ctx, 2));
            tape.backward(r.loss);
            const std::vector<nn::ParamId> used = model.used_params(arch);
            const std::set<nn::ParamId> expected(used.begin(), used.end());
            REQUIRE(expected.size() == static_cast<std::size_t>(arch.num_nodes() + 1));
            INFO(search::rnn_format_name(format) << " arch " << arch.to_string());
            nn::ParameterArena<Cpu>& arena = model.arena();
            for (std::size_t i = 0; i < arena.num_params(); ++i) {
                const auto id = static_cast<nn::ParamId>(i);
                INFO(arena.param_entry(id).name);
                REQUIRE(arena.touched(id) == (expected.count(id) == 1));
                const std::vector<float> g = arena.peek(id).grad().to_vector();
                double norm = 0;
                for (float x : g) norm += static_cast<double>(x) * x;
                REQUIRE((norm > 0) == arena.touched(id));
            }
            REQUIRE(arena.touched_elements() == c.vocab_size * c.hidden + 4 * c.hidden * c.hidden +
                                                    (arch.num_nodes() - 1) * 2 * c.hidden * c.hidden);
            arena.zero_touched_grads();
            arena.clear_touched();
        }
    }
}

TEST_CASE("rnn child: an untrained model's perplexity is near the vocabulary size", "[child]") {
    std::mt19937 arch_rng(31);
    Context<Cpu> ctx(4);
    Rng rng(37);
    const std::int64_t vocab = 400;
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        const RnnChildConfig c = tiny_config(format, vocab, 24, 4);
        RnnChild<Cpu> model(ctx, c, 5);
        const RnnArch arch = random_arch(arch_rng, format, 4);
        // Random tokens in rows, as the data layer gives them; batch 4 and batch 1 (test perplexity).
        data::TokenRows rows;
        rows.batch = 4;
        rows.length = 61;
        rows.ids = random_ids(rng, static_cast<std::size_t>(rows.batch * rows.length), vocab);
        for (std::int64_t batch : {4, 1}) {
            rows.batch = batch;
            rows.length = batch == 4 ? 61 : 241;
            double total = 0;
            std::int64_t tokens = 0;
            Tensor<float, Cpu> state = model.zero_state(ctx, batch);
            for (std::int64_t start = 0; start + 1 < rows.length; start += 20) {
                const data::BpttWindow w{start, std::min<std::int64_t>(20, rows.length - 1 - start), 1.0};
                const RnnEvalResult<Cpu> r = model.evaluate(ctx, arch, make_window<Cpu>(rows, w), state);
                total += r.total_cross_entropy;
                tokens += r.tokens;
                state = r.state;
            }
            const double ppl = perplexity(total, tokens);
            INFO(search::rnn_format_name(format) << " batch " << batch << ": perplexity " << ppl);
            REQUIRE(tokens == batch * (rows.length - 1));
            REQUIRE(std::fabs(ppl - static_cast<double>(vocab)) < 0.1 * static_cast<double>(vocab));
        }
    }
}

TEST_CASE("rnn child: a few SGD steps learn a repeating sequence", "[child]") {
    Context<Cpu> ctx(6);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        RnnChildConfig c = tiny_config(format, 10, 16, 3);
        c.drop_word = c.drop_embedding = c.drop_input = c.drop_state = c.drop_output = 0.1;
        c.init_range = 0.1;
        RnnChild<Cpu> model(ctx, c, 8);
        optim::ChildSgdConfig sgd_config;
        sgd_config.momentum = 0;
        sgd_config.nesterov = false;
        sgd_config.l2 = 0;
        sgd_config.clip_global_norm = 0.25;
        optim::ChildSgd<Cpu> sgd(ctx, model.arena(), sgd_config);
        const RnnArch arch =
            RnnArch::parse(format == RnnFormat::lm ? "0 0 1 1 1 3" : "0 0 1 1 3", format);  // tanh, relu, ...
        // 0 1 2 ... 9 0 1 2 ...: every token determines the next one.
        data::TokenRows rows;
        rows.batch = 4;
        rows.length = 41;
        for (std::int64_t b = 0; b < rows.batch; ++b)
            for (std::int64_t t = 0; t < rows.length; ++t)
                rows.ids.push_back(static_cast<std::int32_t>((b * 3 + t) % 10));
        auto valid_loss = [&]() {
            const RnnEvalResult<Cpu> r =
                model.evaluate(ctx, arch, make_window<Cpu>(rows, {0, 40, 1.0}), model.zero_state(ctx, rows.batch));
            return r.total_cross_entropy / static_cast<double>(r.tokens);
        };
        const double before = valid_loss();
        Tensor<float, Cpu> state = model.zero_state(ctx, rows.batch);
        for (int step = 0; step < 60; ++step) {
            const std::int64_t start = (step % 4) * 10;
            if (start == 0) state = model.zero_state(ctx, rows.batch);
            Tape<Cpu> tape(ctx);
            auto r = model.forward(tape, arch, make_window<Cpu>(rows, {start, 10, 1.0}), state);
            tape.backward(r.loss);
            sgd.step(ctx, 20.0);
            state = r.state;
        }
        const double after = valid_loss();
        INFO(search::rnn_format_name(format) << ": loss " << before << " -> " << after);
        std::printf("  %s: per-token loss %.3f -> %.3f\n", std::string(search::rnn_format_name(format)).c_str(), before,
                    after);
        REQUIRE(before > 2.0);
        REQUIRE(after < 0.5 * before);
    }
}

TEST_CASE("rnn child: final mode holds only its cell's weights and computes what the supernet does", "[child]") {
    std::mt19937 arch_rng(12);
    Context<Cpu> ctx(4);
    Rng rng(13);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        RnnChildConfig c = tiny_config(format, 13, 5, 4);
        c.init_range = 0.5;
        const RnnArch arch = random_arch(arch_rng, format, 4);
        INFO(search::rnn_format_name(format) << " " << arch.to_string());
        RnnChild<Cpu> supernet(ctx, c, 6);
        c.mode = search::ChildMode::final;
        RnnChild<Cpu> fixed(ctx, c, 6, &arch);
        // Exactly the weights the architecture reads, under the supernet's names.
        const std::vector<nn::ParamId> used = supernet.used_params(arch);
        std::int64_t used_elements = 0;
        for (nn::ParamId id : used) used_elements += supernet.arena().param_entry(id).shape.numel();
        REQUIRE(fixed.arena().num_params() == used.size());
        REQUIRE(fixed.arena().trainable_elements() == used_elements);
        REQUIRE(fixed.arena().trainable_elements() < supernet.arena().trainable_elements());
        for (nn::ParamId id : used) {
            const std::string& name = supernet.arena().param_entry(id).name;
            Tensor<float, Cpu> into = fixed.arena().peek(fixed.arena().find(name)).value();  // a view of the arena
            into.copy_from(supernet.arena().peek(id).value());
        }
        // With the same weights, the same window and state give the same result.
        const std::int64_t batch = 2, steps = 5;
        const auto n = static_cast<std::size_t>(batch * steps);
        const RnnWindow<Cpu> window =
            make_window<Cpu>(random_ids(rng, n, c.vocab_size), random_ids(rng, n, c.vocab_size), batch, steps);
        const auto s0 = test::random_tensor<float>({batch, c.hidden}, rng);
        const RnnEvalResult<Cpu> a = supernet.evaluate(ctx, arch, window, s0);
        const RnnEvalResult<Cpu> b = fixed.evaluate(ctx, arch, window, s0);
        REQUIRE(b.total_cross_entropy == a.total_cross_entropy);
        ENAS_REQUIRE_CLOSE(b.state, a.state, 0, 0);
        // It runs only its own cell, and needs one.
        RnnArch other = random_arch(arch_rng, format, 4);
        while (other == arch) other = random_arch(arch_rng, format, 4);
        ENAS_REQUIRE_THROWS(fixed.evaluate(ctx, other, window, s0), ValueError,
                            Catch::Contains("runs only its own architecture"));
        const int l = arch.num_nodes() - 1;
        const int p = arch.node(l).input == 0 ? 1 % l : 0;
        if (p != arch.node(l).input)
            ENAS_REQUIRE_THROWS(fixed.node_param(l, p, arch.node(l).activation), ValueError,
                                Catch::Contains("has no weight for node"));
        ENAS_REQUIRE_THROWS(RnnChild<Cpu>(ctx, c, 6), ValueError, Catch::Contains("final mode needs an architecture"));
    }
}

TEST_CASE("rnn child: training windows, masks and errors", "[child]") {
    Context<Cpu> ctx(7);
    Rng rng(41);
    RnnChildConfig c = tiny_config(RnnFormat::lm, 9, 4, 2);
    RnnChild<Cpu> model(ctx, c, 3);
    const RnnArch arch = RnnArch::parse("0 1 1 2", RnnFormat::lm);
    const RnnWindow<Cpu> window = make_window<Cpu>(random_ids(rng, 6, 9), random_ids(rng, 6, 9), 2, 3);
    REQUIRE(window.inputs.shape() == Shape{3, 2});
    REQUIRE(window.steps() == 3);
    REQUIRE(window.batch() == 2);

    SECTION("the same RNG state draws the same masks; a new draw differs") {
        Context<Cpu> a(99), b(99);
        Tape<Cpu> ta(a), tb(b);
        const double la = model.forward(ta, arch, window, model.zero_state(a, 2)).loss.value().item();
        const double lb = model.forward(tb, arch, window, model.zero_state(b, 2)).loss.value().item();
        const double lb2 = model.forward(tb, arch, window, model.zero_state(b, 2)).loss.value().item();
        REQUIRE(la == lb);
        REQUIRE(la != lb2);
    }
    SECTION("with every dropout and regulariser off, training computes the evaluation loss") {
        RnnChildConfig plain = c;
        plain.drop_word = plain.drop_embedding = plain.drop_input = plain.drop_state = plain.drop_output = 0;
        plain.tar_beta = plain.ar_alpha = plain.weight_decay = 0;
        RnnChild<Cpu> m(ctx, plain, 3);
        Tape<Cpu> tape(ctx);
        const auto r = m.forward(tape, arch, window, m.zero_state(ctx, 2));
        const auto e = m.evaluate(ctx, arch, window, m.zero_state(ctx, 2));
        REQUIRE(r.loss.value().item() == Approx(e.total_cross_entropy / 6).epsilon(1e-6));
        REQUIRE(r.outputs.size() == 3);
    }
    SECTION("rows to windows: time-major inputs, targets one column later") {
        data::TokenRows rows;
        rows.batch = 2;
        rows.length = 5;
        rows.ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0};
        const RnnWindow<Cpu> w = make_window<Cpu>(rows, data::BpttWindow{1, 3, 1.0});
        REQUIRE(w.inputs.to_vector() == std::vector<std::int32_t>{1, 6, 2, 7, 3, 8});
        REQUIRE(w.targets.to_vector() == std::vector<std::int32_t>{2, 7, 3, 8, 4, 0});
        REQUIRE_THROWS_AS(make_window<Cpu>(rows, data::BpttWindow{2, 3, 1.0}), ValueError);
    }
    SECTION("errors name the mismatch") {
        Tape<Cpu> tape(ctx);
        ENAS_REQUIRE_THROWS(model.forward(tape, RnnArch::parse("0 1", RnnFormat::lm), window, model.zero_state(ctx, 2)),
                            ValueError, Catch::Contains("N = 1") && Catch::Contains("N = 2"));
        ENAS_REQUIRE_THROWS(
            model.forward(tape, RnnArch::parse("0 0 1", RnnFormat::original), window, model.zero_state(ctx, 2)),
            ValueError, Catch::Contains("rnn-original"));
        ENAS_REQUIRE_THROWS(model.forward(tape, arch, window, model.zero_state(ctx, 3)), ShapeError,
                            Catch::Contains("state"));
        RnnChildConfig bad = c;
        bad.drop_state = 1.0;
        ENAS_REQUIRE_THROWS(RnnChild<Cpu>(ctx, bad, 1), ValueError, Catch::Contains("drop_state"));
    }
}
