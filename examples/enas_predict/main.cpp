// enas_predict: uses a model that cifar_train / enas_train trained. Either classifies image files
// (PNG / JPEG, or folders of them) with the top-k classes and their probabilities, or evaluates a
// dataset split (accuracy, per-class accuracy, confusion matrix). Reads the run folder's config.json,
// preprocessing.json and newest epoch checkpoint; evaluates in batches on --device.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "../common/run_flags.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/data/datasets.hpp"
#include "enas/data/image_folder.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/train/cnn_setup.hpp"
#include "trained_run.hpp"

using namespace enas;
namespace fs = std::filesystem;

namespace {

struct Options {
    std::string run_dir;
    std::vector<std::string> inputs;
    std::string data_dir, dataset, split = "test", format = "table", json_out, device = "cpu";
    std::int64_t limit = 0, batch = 0;
    int top_k = 3;
};

/// The split report: accuracy, per-class accuracy and the confusion matrix (rows: true class).
nlohmann::json split_report(const enas_predict::TrainedRun& run, const data::ImageDataset& ds,
                            const std::vector<std::int32_t>& predicted) {
    const auto k = static_cast<std::size_t>(run.pre.num_classes());
    std::vector<std::vector<std::int64_t>> confusion(k, std::vector<std::int64_t>(k, 0));
    for (std::size_t i = 0; i < predicted.size(); ++i)
        ++confusion[static_cast<std::size_t>(ds.labels[i])][static_cast<std::size_t>(predicted[i])];
    std::int64_t correct = 0;
    nlohmann::json per_class = nlohmann::json::array();
    for (std::size_t c = 0; c < k; ++c) {
        const std::int64_t n = std::accumulate(confusion[c].begin(), confusion[c].end(), std::int64_t{0});
        correct += confusion[c][c];
        per_class.push_back(
            {{"class", run.pre.class_names[c]},
             {"images", n},
             {"correct", confusion[c][c]},
             {"accuracy", n > 0 ? static_cast<double>(confusion[c][c]) / static_cast<double>(n) : 0.0}});
    }
    return {{"run", run.dir.string()},
            {"dataset", ds.name},
            {"images", ds.size()},
            {"correct", correct},
            {"accuracy", ds.size() > 0 ? static_cast<double>(correct) / static_cast<double>(ds.size()) : 0.0},
            {"per_class", per_class},
            {"class_names", run.pre.class_names},
            {"confusion", confusion}};
}

void print_split_table(const nlohmann::json& r) {
    std::printf("enas_predict: %s: accuracy %.4f (%lld of %lld images)\n", r["dataset"].get<std::string>().c_str(),
                r["accuracy"].get<double>(), static_cast<long long>(r["correct"].get<std::int64_t>()),
                static_cast<long long>(r["images"].get<std::int64_t>()));
    std::size_t w = 5;
    for (const auto& name : r["class_names"]) w = std::max(w, name.get<std::string>().size());
    const int width = static_cast<int>(w);
    std::printf("%-*s %8s %8s\n", width, "class", "images", "accuracy");
    for (const auto& c : r["per_class"])
        std::printf("%-*s %8lld %8.4f\n", width, c["class"].get<std::string>().c_str(),
                    static_cast<long long>(c["images"].get<std::int64_t>()), c["accuracy"].get<double>());
    std::printf("confusion matrix (rows: true class, columns: predicted class, in the order above)\n");
    for (std::size_t i = 0; i < r["confusion"].size(); ++i) {
        std::printf("%-*s", width, r["class_names"][i].get<std::string>().c_str());
        for (const auto& v : r["confusion"][i]) std::printf(" %6lld", static_cast<long long>(v.get<std::int64_t>()));
        std::printf("\n");
    }
}

/// The top-k classes of each file, as JSON lines or a table.
void print_files(const enas_predict::TrainedRun& run, const std::vector<fs::path>& files,
                 const std::vector<float>& logits, const Options& o) {
    const auto k = static_cast<std::size_t>(run.pre.num_classes());
    const std::size_t top = std::min<std::size_t>(static_cast<std::size_t>(std::max(o.top_k, 1)), k);
    for (std::size_t i = 0; i < files.size(); ++i) {
        const float* l = logits.data() + i * k;
        const double m = *std::max_element(l, l + k);
        std::vector<double> p(k);
        double sum = 0;
        for (std::size_t c = 0; c < k; ++c) sum += p[c] = std::exp(static_cast<double>(l[c]) - m);
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), std::size_t{0});
        // Ties keep the lower class first, as the accuracy's argmax does.
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return l[a] > l[b]; });
        nlohmann::json preds = nlohmann::json::array();
        for (std::size_t j = 0; j < top; ++j)
            preds.push_back(
                {{"class", run.pre.class_names[order[j]]}, {"index", order[j]}, {"probability", p[order[j]] / sum}});
        if (o.format == "json") {
            std::cout << nlohmann::json{{"file", files[i].string()}, {"predictions", preds}}.dump() << "\n";
            continue;
        }
        std::cout << files[i].string();
        for (const auto& q : preds) {
            char prob[32];
            std::snprintf(prob, sizeof prob, "%.4f", q["probability"].get<double>());
            std::cout << "\t" << q["class"].get<std::string>() << " " << prob;
        }
        std::cout << "\n";
    }
}

template <Device D, class Model, class Arch>
int predict(const enas_predict::TrainedRun& run, const Options& o, Context<D>& ctx, Model& model, const Arch& arch) {
    enas_predict::restore_weights(run, model.arena());
    const std::int64_t batch = o.batch > 0 ? o.batch : run.config.eval_batch;
    if (!o.inputs.empty()) {
        std::vector<fs::path> files;
        for (const std::string& in : o.inputs) {
            const std::vector<fs::path> found = data::find_image_files(in);
            check<ValueError>(!found.empty(), "'", in, "' holds no images (*.png, *.jpg, *.jpeg)");
            files.insert(files.end(), found.begin(), found.end());
        }
        const data::ImageDataset ds = data::load_image_files(files, run.pre.channels, run.pre.height);
        print_files(run, files, enas_predict::all_logits(ctx, model, arch, ds, run.pre.stats, batch), o);
        return 0;
    }
    const std::string dataset = o.dataset.empty() ? run.config.dataset : o.dataset;
    const fs::path dir = o.data_dir.empty() ? fs::path(run.config.data_dir) : fs::path(o.data_dir);
    data::ImageDataset ds =
        data::load_dataset(dataset, dir, o.split, {dataset == "folder" ? run.pre.height : std::int64_t{0}});
    check<ValueError>(ds.channels == run.pre.channels && ds.height == run.pre.height && ds.width == run.pre.width,
                      "dataset ", ds.name, " has ", ds.channels, "x", ds.height, "x", ds.width,
                      " images; the model takes ", run.pre.channels, "x", run.pre.height, "x", run.pre.width);
    check<ValueError>(
        ds.class_names.empty() ? ds.num_classes == run.pre.num_classes() : ds.class_names == run.pre.class_names,
        "dataset ", ds.name, " has other classes (", ds.num_classes, ") than the model (", run.pre.num_classes(), ": ",
        run.pre.class_names.front(), ", ...)");
    if (o.split == "test" && run.config.test_limit > 0 && run.config.test_limit < ds.size() &&
        o.limit != run.config.test_limit)
        std::fprintf(stderr,
                     "enas_predict: note: the run evaluated only the first %lld test images (--test-limit); "
                     "--limit %lld gives its test accuracy\n",
                     static_cast<long long>(run.config.test_limit), static_cast<long long>(run.config.test_limit));
    if (o.limit > 0 && o.limit < ds.size()) ds = data::subset(ds, 0, o.limit);
    const std::vector<float> logits = enas_predict::all_logits(ctx, model, arch, ds, run.pre.stats, batch);
    std::vector<std::int32_t> predicted;
    if (ds.size() > 0) {
        Tensor<float, D> t =
            Tensor<float, Cpu>::from_vector(Shape{ds.size(), run.pre.num_classes()}, logits).template to<D>();
        predicted = ops::argmax(ctx, t).to_vector();
    }
    const nlohmann::json report = split_report(run, ds, predicted);
    if (!o.json_out.empty()) run::write_json_file(o.json_out, report);
    if (o.format == "json")
        std::cout << report.dump(2) << "\n";
    else
        print_split_table(report);
    return 0;
}

template <Device D>
int run_on(const enas_predict::TrainedRun& run, const Options& o) {
    Context<D> ctx(run.config.seed);
    const data::ImageDataset layout = run.layout();
    if (run.config.space == train::CnnSpace::macro) {
        const search::MacroArch arch = search::MacroArch::parse(run.arch);
        child::MacroChild<D> model(ctx, train::macro_child_config(run.config, layout), run.config.seed, &arch);
        return predict(run, o, ctx, model, arch);
    }
    const search::MicroArch arch = search::MicroArch::parse(run.arch, run.config.nodes);
    child::MicroChild<D> model(ctx, train::micro_child_config(run.config, layout), run.config.seed, &arch);
    return predict(run, o, ctx, model, arch);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "enas_predict: classify images with a model trained by cifar_train / enas_train, or evaluate it on a "
        "dataset split"};
    Options o;
    app.add_option("run", o.run_dir, "the final-training run folder (cifar_train / enas_train --out)")->required();
    app.add_option("images", o.inputs,
                   "image files (PNG / JPEG) or folders of them to classify; none: evaluate --split");
    app.add_option("--data", o.data_dir, "dataset folder for --split (default: the run's --data)");
    app.add_option("--dataset", o.dataset, "dataset for --split (default: the run's)");
    app.add_option("--split", o.split, "the split to evaluate when no images are given")
        ->check(CLI::IsMember({"train", "test"}))
        ->capture_default_str();
    app.add_option("--limit", o.limit, "evaluate only the first N images of the split (0: all)");
    app.add_option("--top-k", o.top_k, "classes listed per image")->capture_default_str();
    app.add_option("--format", o.format, "table, or json (JSON lines per image; one object for a split)")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    app.add_option("--json", o.json_out, "also write the split's report (accuracy, per class, confusion) to FILE");
    app.add_option("--batch", o.batch, "images per forward pass (default: the run's eval batch)");
    app.add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("enas_predict", argc, argv, [&] {
        const enas_predict::TrainedRun run = enas_predict::read_trained_run(o.run_dir);
        return enas_cli::on_device(o.device, [&]<Device D>() { return run_on<D>(run, o); });
    });
}
