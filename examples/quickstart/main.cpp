// quickstart: a small CNN built from enas ops (conv, batch norm, ReLU, max pool, global average
// pool, linear, softmax cross-entropy, Nesterov SGD) and trained on Fashion-MNIST, read from the
// IDX files of Debian's dataset-fashion-mnist package. Prints loss, images/s and test accuracy.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "enas/data/idx.hpp"
#include "enas/enas.hpp"

using namespace enas;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string data_dir = data::kDebianFashionMnistDir;
    int epochs = 1;
    int batch = 64;
    double lr = 0.05;
    double l2 = 1e-4;
    std::uint64_t seed = 1;
    std::int64_t train_limit = 0;  // 0: all 60,000
    std::int64_t test_limit = 0;   // 0: all 10,000
    int log_every = 100;
};

/// A conv -> batch norm -> ReLU block with its parameters and running statistics.
struct ConvBlock {
    Var<float, Cpu> w, gamma, beta;
    Tensor<float, Cpu> running_mean, running_var;

    ConvBlock(Rng& rng, std::int64_t c_in, std::int64_t c_out) {
        const double std = std::sqrt(2.0 / static_cast<double>(c_in * 9));  // He init, fan-in
        std::vector<float> v(static_cast<std::size_t>(c_out * c_in * 9));
        for (float& x : v) x = static_cast<float>(rng.normal() * std);
        w = Var<float, Cpu>(Tensor<float, Cpu>::from_vector({c_out, c_in, 3, 3}, v), true);
        gamma = Var<float, Cpu>(Tensor<float, Cpu>::full({c_out}, 1.0f), true);
        beta = Var<float, Cpu>(Tensor<float, Cpu>::zeros({c_out}), true);
        running_mean = Tensor<float, Cpu>::zeros({c_out});
        running_var = Tensor<float, Cpu>::full({c_out}, 1.0f);
    }
    Var<float, Cpu> operator()(Tape<Cpu>& tape, const Var<float, Cpu>& x, bool training) {
        BatchNormParams bn;
        bn.mode = training ? BatchNormMode::Train : BatchNormMode::Eval;
        auto y = ops::conv2d(tape, x, w, Conv2dParams{});
        return ops::relu(tape, ops::batch_norm(tape, y, gamma, beta, running_mean, running_var, bn));
    }
};

/// 1x28x28 -> conv16 -> pool/2 -> conv32 -> pool/2 -> conv64 -> global average pool -> linear 10.
struct SmallCnn {
    ConvBlock c1, c2, c3;
    Var<float, Cpu> fc;

    explicit SmallCnn(Rng& rng) : c1(rng, 1, 16), c2(rng, 16, 32), c3(rng, 32, 64) {
        std::vector<float> v(10 * 64);
        for (float& x : v) x = static_cast<float>(rng.normal() * std::sqrt(1.0 / 64));
        fc = Var<float, Cpu>(Tensor<float, Cpu>::from_vector({10, 64}, v), true);
    }
    Var<float, Cpu> operator()(Tape<Cpu>& tape, const Var<float, Cpu>& x, bool training) {
        const Pool2dParams pool{3, 3, 2, 2, Padding::Same};
        auto h = ops::max_pool2d(tape, c1(tape, x, training), pool);
        h = ops::max_pool2d(tape, c2(tape, h, training), pool);
        h = ops::global_avg_pool(tape, c3(tape, h, training));
        return ops::linear(tape, h, fc);
    }
    std::vector<Var<float, Cpu>> parameters() const {
        return {c1.w, c1.gamma, c1.beta, c2.w, c2.gamma, c2.beta, c3.w, c3.gamma, c3.beta, fc};
    }
};

double evaluate(Context<Cpu>& ctx, SmallCnn& net, const data::ImageDataset& test, const data::ChannelStats& stats,
                std::int64_t limit, int batch) {
    Tape<Cpu> tape(ctx);
    NoGrad<Cpu> no_grad(tape);
    const std::int64_t n = limit > 0 ? std::min(limit, test.size()) : test.size();
    std::int64_t correct = 0;
    for (std::int64_t start = 0; start < n; start += batch) {
        const std::int64_t b = std::min<std::int64_t>(batch, n - start);
        std::vector<std::int64_t> idx(static_cast<std::size_t>(b));
        std::iota(idx.begin(), idx.end(), start);
        Tensor<float, Cpu> x = ctx.empty<float>({b, 1, test.height, test.width});
        Tensor<std::int32_t, Cpu> y = ctx.empty<std::int32_t>({b});
        data::gather_batch(test, idx, stats, x, y);
        auto logits = net(tape, Var<float, Cpu>(x), false);
        correct += ops::count_correct(ctx, logits.value(), y);
        tape.clear();
    }
    return static_cast<double>(correct) / static_cast<double>(n);
}

int run(const Options& opt) {
    const auto train = data::load_fashion_mnist(opt.data_dir, "train");
    const auto test = data::load_fashion_mnist(opt.data_dir, "test");
    const auto stats = data::channel_stats(train);
    std::printf("quickstart: Fashion-MNIST from %s: %lld train, %lld test images (mean %.4f, std %.4f)\n",
                opt.data_dir.c_str(), static_cast<long long>(train.size()), static_cast<long long>(test.size()),
                stats.mean[0], stats.stddev[0]);

    Context<Cpu> ctx(opt.seed);
    Rng init_rng(opt.seed ^ 0xC0FFEEull);
    SmallCnn net(init_rng);
    auto params = net.parameters();
    std::vector<Tensor<float, Cpu>> momentum;
    std::int64_t num_params = 0;
    for (auto& p : params) {
        momentum.push_back(Tensor<float, Cpu>::zeros(p.shape()));
        num_params += p.value().numel();
    }
    std::printf("quickstart: SmallCnn with %lld parameters, batch %d, Nesterov SGD lr %.3g, L2 %.1e, %d epoch(s)\n",
                static_cast<long long>(num_params), opt.batch, opt.lr, opt.l2, opt.epochs);

    const std::int64_t n_train = opt.train_limit > 0 ? std::min(opt.train_limit, train.size()) : train.size();
    const std::int64_t steps_per_epoch = (n_train + opt.batch - 1) / opt.batch;
    const std::int64_t total_steps = steps_per_epoch * opt.epochs;
    Tape<Cpu> tape(ctx);
    std::vector<std::int64_t> order(static_cast<std::size_t>(n_train));
    const auto t_start = Clock::now();
    std::int64_t step = 0, images = 0;
    for (int epoch = 0; epoch < opt.epochs; ++epoch) {
        std::iota(order.begin(), order.end(), 0);
        for (std::int64_t i = n_train - 1; i > 0; --i)  // Fisher-Yates with the context RNG
            std::swap(order[static_cast<std::size_t>(i)], order[ctx.rng().below(static_cast<std::uint64_t>(i + 1))]);
        double loss_sum = 0, acc_sum = 0;
        int logged = 0;
        for (std::int64_t s = 0; s < steps_per_epoch; ++s, ++step) {
            const std::int64_t start = s * opt.batch, b = std::min<std::int64_t>(opt.batch, n_train - start);
            std::vector<std::int64_t> idx(order.begin() + start, order.begin() + start + b);
            Tensor<float, Cpu> x = ctx.empty<float>({b, 1, train.height, train.width});
            Tensor<std::int32_t, Cpu> y = ctx.empty<std::int32_t>({b});
            data::gather_batch(train, idx, stats, x, y);

            tape.clear();
            for (auto& p : params) p.zero_grad();
            auto logits = net(tape, Var<float, Cpu>(x), true);
            auto loss = ops::softmax_cross_entropy(tape, logits, y);
            tape.backward(loss);
            const double lr = opt.lr * 0.5 * (1 + std::cos(M_PI * static_cast<double>(step) / total_steps));
            const SgdParams sgd{lr, 0.9, true, 2 * opt.l2};  // L2 as the loss term l2 * sum(w^2): gradient 2 l2 w
            for (std::size_t k = 0; k < params.size(); ++k)
                ops::sgd_step(ctx, params[k].value(), params[k].grad(), momentum[k], sgd);

            const double l = loss.value().item();
            check<ValueError>(std::isfinite(l), "quickstart: the loss became ", l, " at step ", step, "; lower --lr");
            loss_sum += l;
            acc_sum += ops::accuracy(ctx, logits.value(), y);
            ++logged;
            images += b;
            if ((s + 1) % opt.log_every == 0 || s + 1 == steps_per_epoch) {
                const double secs = std::chrono::duration<double>(Clock::now() - t_start).count();
                const double rate = static_cast<double>(images) / secs;
                const double eta = static_cast<double>(total_steps - step - 1) * opt.batch / rate;
                std::printf("epoch %d step %4lld/%lld  loss %.4f  train acc %.3f  %.0f images/s  lr %.4f  eta %.0f s\n",
                            epoch + 1, static_cast<long long>(s + 1), static_cast<long long>(steps_per_epoch),
                            loss_sum / logged, acc_sum / logged, rate, lr, eta);
                std::fflush(stdout);
                loss_sum = acc_sum = 0;
                logged = 0;
            }
        }
    }
    const double train_secs = std::chrono::duration<double>(Clock::now() - t_start).count();
    const double acc = evaluate(ctx, net, test, stats, opt.test_limit, 500);
    std::printf("quickstart: trained %lld images in %.1f s (%.0f images/s); test accuracy %.4f\n",
                static_cast<long long>(images), train_secs, static_cast<double>(images) / train_secs, acc);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    CLI::App app{"enas quickstart: train a small CNN built from enas ops on Fashion-MNIST"};
    app.add_option("--data", opt.data_dir, "folder with the Fashion-MNIST IDX files (plain or .gz)")
        ->capture_default_str();
    app.add_option("--epochs", opt.epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--batch", opt.batch, "minibatch size")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--lr", opt.lr, "initial learning rate (cosine decay to 0)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--l2", opt.l2, "L2 weight of the loss term l2 * sum(w^2)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--seed", opt.seed, "random seed")->capture_default_str();
    app.add_option("--train-limit", opt.train_limit, "train on the first N images only (0: all)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--test-limit", opt.test_limit, "evaluate on the first N test images only (0: all)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--log-every", opt.log_every, "print progress every N steps")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    try {
        return run(opt);
    } catch (const enas::Error& e) {
        std::fprintf(stderr, "quickstart: error: %s\n", e.what());
        return 1;
    }
}
