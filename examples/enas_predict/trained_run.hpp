// A final-training run folder (cifar_train / enas_train --out) read back for inference: its
// config.json (space, sizes, architecture), preprocessing.json (image layout, standardisation,
// class names) and the newest epoch checkpoint (weights and batch-norm statistics), and the
// logits of the trained model on a dataset.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/context.hpp"
#include "enas/data/image_folder_preprocess.hpp"
#include "enas/data/samplers.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/train/child_steps.hpp"
#include "enas/train/cnn_config.hpp"

namespace enas_predict {

struct TrainedRun {
    std::filesystem::path dir;
    enas::train::CnnConfig config;
    std::string arch;  ///< the flat architecture string
    enas::data::Preprocessing pre;
    std::filesystem::path checkpoint;  ///< the newest valid epoch checkpoint
    std::int64_t epochs_done = 0;

    /// An empty dataset with the model's layout (what the child configs are built from).
    enas::data::ImageDataset layout() const {
        enas::data::ImageDataset ds;
        ds.channels = pre.channels;
        ds.height = pre.height;
        ds.width = pre.width;
        ds.num_classes = static_cast<std::int32_t>(pre.num_classes());
        ds.class_names = pre.class_names;
        return ds;
    }
};

/// Reads run folder `dir`; IoError / FormatError naming what is missing (a search run, or a run
/// written before preprocessing.json existed, is refused with the reason).
TrainedRun read_trained_run(const std::filesystem::path& dir);

/// The trained model's logits [n, K] (row-major) for every image of `ds`, in batches of `batch`,
/// under the model's evaluation policy (running batch-norm statistics, no dropout).
template <enas::Device D, class Model, class Arch>
std::vector<float> all_logits(enas::Context<D>& ctx, Model& model, const Arch& arch, const enas::data::ImageDataset& ds,
                              const enas::data::ChannelStats& stats, std::int64_t batch) {
    using namespace enas;
    std::vector<float> out;
    if (ds.size() == 0) return out;
    data::EvalBatches batches(ds, stats, batch);
    for (std::int64_t i = 0; i < batches.size(); ++i) {
        const data::Batch b = batches.batch(i);
        Tape<D> tape(ctx);
        NoGrad<D> no_grad(tape);
        const child::EvalPolicy policy = model.eval_policy();
        nn::ForwardPass<D> f{tape, model.arena(), policy.dropout, policy.bn};
        child::ChildOutput<D> o = model.forward(f, Var<float, D>(train::to_device<D>(b.images)), arch);
        model.arena().clear_touched();
        const std::vector<float> v = o.logits.value().to_vector();
        out.insert(out.end(), v.begin(), v.end());
    }
    return out;
}

/// Restores the weights and batch-norm statistics of `arena` from the run's checkpoint.
template <class Arena>
void restore_weights(const TrainedRun& run, Arena& arena) {
    const enas::run::Checkpoint c = enas::run::Checkpoint::read(run.checkpoint);
    c.restore("child/values", arena.values());
    c.restore("child/state", arena.state_buffer());
}

}  // namespace enas_predict
