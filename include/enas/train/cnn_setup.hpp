// From a CnnConfig to the pieces of a run: the data (train / valid / test
// splits, the per-channel statistics of the training split, reference §8), the
// child-model configuration of each space, and the learning-rate schedule.
#pragma once
#include <cstdio>

#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/data/batch_loader.hpp"
#include "enas/data/datasets.hpp"
#include "enas/optim/child_sgd.hpp"
#include "enas/train/cnn_config.hpp"
#include "enas/train/lr_schedule.hpp"

namespace enas::train {

struct CnnData {
    data::ImageDataset train, valid, test;
    data::ChannelStats stats;  ///< of the training split (valid and test are
                               ///< standardised with it)
};

/// Loads `c.dataset`, keeps the first `train_limit` training images (if set),
/// holds out the last `num_valid` of those as the validation split, keeps the
/// first `test_limit` test images.
inline CnnData load_cnn_data(const CnnConfig& c) {
    data::ImageDataset full = data::load_dataset(c.dataset, c.data_dir, "train", {c.image_size});
    if (c.train_limit > 0 && c.train_limit < full.size()) full = data::subset(full, 0, c.train_limit);
    CnnData d;
    data::TrainValidSplit split = data::split_train_valid(full, c.num_valid);
    d.train = std::move(split.train);
    d.valid = std::move(split.valid);
    d.test = data::load_dataset(c.dataset, c.data_dir, "test", {c.image_size});
    if (c.test_limit > 0 && c.test_limit < d.test.size()) d.test = data::subset(d.test, 0, c.test_limit);
    d.stats = data::channel_stats(d.train);
    check<ValueError>(d.train.height == d.train.width, "dataset ", c.dataset, ": images must be square, got ",
                      d.train.height, "x", d.train.width);
    return d;
}

inline child::MacroChildConfig macro_child_config(const CnnConfig& c, const data::ImageDataset& ds) {
    child::MacroChildConfig m;
    m.mode = c.mode;
    m.num_layers = c.layers;
    m.filters = c.filters;
    m.image_channels = static_cast<int>(ds.channels);
    m.num_classes = ds.num_classes;
    m.keep_prob = c.keep_prob;
    m.final_separable = c.authors_full_separable ? search::SeparableConvs::full : search::SeparableConvs::separable;
    m.authors_last_branch = c.authors_last_branch;
    m.search_eval_batch_statistics = c.macro_batch_stat_eval;
    m.authors_depthwise_init = c.authors_depthwise_init;
    m.running_variance = c.biased_running_var ? RunningVarianceUpdate::Biased : RunningVarianceUpdate::Unbiased;
    return m;
}

inline child::MicroChildConfig micro_child_config(const CnnConfig& c, const data::ImageDataset& ds) {
    child::MicroChildConfig m;
    m.mode = c.mode;
    m.num_layers = c.layers;
    m.num_nodes = c.nodes;
    m.filters = c.filters;
    m.image_channels = static_cast<int>(ds.channels);
    m.image_size = static_cast<int>(ds.height);
    m.num_classes = ds.num_classes;
    m.keep_prob = c.keep_prob;
    m.aux_head = c.aux_head;
    m.aux_weight = c.aux_weight;
    m.train_aux_head = !c.authors_frozen_aux;
    m.drop_path_keep_prob = c.drop_path_keep_prob;
    m.authors_bank_init = c.authors_bank_init;
    m.authors_search_eval = c.authors_search_eval;
    m.authors_depthwise_init = c.authors_depthwise_init;
    m.running_variance = c.biased_running_var ? RunningVarianceUpdate::Biased : RunningVarianceUpdate::Unbiased;
    return m;
}

inline SgdrSchedule lr_schedule_of(const CnnConfig& c) {
    SgdrSchedule s;
    s.lr_max = c.lr_max;
    s.lr_min = c.lr_min;
    s.t0 = c.lr_t0;
    s.t_mul = c.lr_t_mul;
    return s;
}

inline optim::ChildSgdConfig child_sgd_config(const CnnConfig& c) {
    optim::ChildSgdConfig s;
    s.l2 = c.l2;
    s.clip_global_norm = c.clip_global_norm;
    s.untouched = c.authors_decay_all ? optim::UntouchedPolicy::zero_gradient : optim::UntouchedPolicy::skip;
    return s;
}

inline data::LoaderOptions train_loader_options(const CnnConfig& c, std::uint64_t seed) {
    data::LoaderOptions o;
    o.batch_size = c.batch;
    o.seed = seed;
    o.augmentation.cutout = c.cutout;
    return o;
}

}  // namespace enas::train
