// enas_export: writes the model a final-training run folder (cifar_train / enas_train --out) holds as
// an ONNX file: the final model in inference mode as a graph of standard operators (Conv,
// BatchNormalization, Relu, MaxPool, AveragePool, Concat, Slice, Pad, GlobalAveragePool, Gemm),
// built with ONNX's protobuf classes (Debian's libonnx-dev) and checked with ONNX's model checker.
// Macro and micro final models. The input standardisation (preprocessing.json) is in the model's
// metadata ("preprocessing"). --reference writes random test inputs with the logits enas computes
// for them (for comparing with an ONNX runtime).
#include <CLI/CLI.hpp>

#include <onnx/checker.h>

#include <cstdio>
#include <random>

#include "../common/run_flags.hpp"
#include "../enas_predict/trained_run.hpp"
#include "enas/run/atomic_file.hpp"
#include "enas/train/cnn_setup.hpp"
#include "macro_onnx.hpp"
#include "micro_onnx.hpp"

using namespace enas;
namespace fs = std::filesystem;

namespace {

/// `n` random images in the model's layout, their standardised input tensor and enas's logits.
template <class Model, class Arch>
nlohmann::json reference(const enas_predict::TrainedRun& run, Context<Cpu>& ctx, Model& model, const Arch& arch,
                         std::int64_t n) {
    data::ImageDataset ds = run.layout();
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::int64_t i = 0; i < n * ds.image_elements(); ++i)
        ds.pixels.push_back(static_cast<std::uint8_t>(byte(rng)));
    ds.labels.assign(static_cast<std::size_t>(n), 0);
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
    Tensor<float, Cpu> images(Shape{n, ds.channels, ds.height, ds.width});
    Tensor<std::int32_t, Cpu> labels(Shape{n});
    data::gather_batch(ds, all, run.pre.stats, images, labels);
    return {{"shape", {n, ds.channels, ds.height, ds.width}},
            {"input", images.to_vector()},
            {"logits", enas_predict::all_logits(ctx, model, arch, ds, run.pre.stats, n)}};
}

/// Builds the trained model, exports it, checks it with ONNX's checker, writes it (and the reference).
template <class Model, class Arch, class Export, class ChildConfig>
int export_run(const enas_predict::TrainedRun& run, const Arch& arch, ChildConfig child_config, Export export_model,
               const std::string& out, const std::string& ref_out, std::int64_t ref_images) {
    Context<Cpu> ctx(run.config.seed);
    Model model(ctx, child_config(run.config, run.layout()), run.config.seed, &arch);
    enas_predict::restore_weights(run, model.arena());
    const onnx::ModelProto m = export_model(model, arch, run.pre);
    try {
        onnx::checker::check_model(m);
    } catch (const std::exception& e) {
        throw FormatError(std::string("the exported model fails ONNX's checker: ") + e.what());
    }
    run::write_file_atomically(out, m.SerializeAsString());
    std::printf("enas_export: %s model (%d nodes, %d initialisers) written to %s\n",
                train::cnn_space_name(run.config.space), m.graph().node_size(), m.graph().initializer_size(),
                out.c_str());
    if (!ref_out.empty()) run::write_json_file(ref_out, reference(run, ctx, model, arch, ref_images));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"enas_export: write a trained model (cifar_train / enas_train run folder) as an ONNX file"};
    std::string run_dir, out, ref_out;
    std::int64_t ref_images = 8;
    app.add_option("run", run_dir, "the final-training run folder")->required();
    app.add_option("--out", out, "the ONNX file to write")->required();
    app.add_option("--reference", ref_out, "also write random inputs and enas's logits for them (JSON) to FILE");
    app.add_option("--reference-images", ref_images, "images in the reference")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("enas_export", argc, argv, [&] {
        const enas_predict::TrainedRun run = enas_predict::read_trained_run(run_dir);
        if (run.config.space == train::CnnSpace::macro)
            return export_run<child::MacroChild<Cpu>>(run, search::MacroArch::parse(run.arch),
                                                      &train::macro_child_config, &enas_export::export_macro, out,
                                                      ref_out, ref_images);
        return export_run<child::MicroChild<Cpu>>(run, search::MicroArch::parse(run.arch, run.config.nodes),
                                                  &train::micro_child_config, &enas_export::export_micro, out, ref_out,
                                                  ref_images);
    });
}
