// Parameters of the batchnorm family, shared by every device: the mode (batch or running
// statistics, with or without the running update), epsilon, the running-average decay and how the
// batch variance enters the running variance. Plain C++: no tensor or backend dependency.
#pragma once

namespace enas {

/// Train: normalize with batch statistics and update the running statistics (TF is_training).
/// TrainNoRunningUpdate: batch statistics, running statistics neither read nor written (the
/// micro search's _enas_conv BN, PyTorch track_running_stats=False).
/// Eval: normalize with the running statistics (an affine map with fixed statistics).
enum class BatchNormMode { Train, TrainNoRunningUpdate, Eval };

/// How Train folds the batch variance into running_var, with M = N * H * W values per channel:
///  - Unbiased: the batch variance times M / (M - 1) (Bessel's correction) before the moving
///    average. This is the authors' form: their TF code calls tf.nn.fused_batch_norm, which
///    applies the correction to the variance it returns for the moving average; PyTorch does the
///    same. (The normalization itself always uses the biased batch variance.)
///  - Biased: the batch variance as is (divide by M), as a tf.nn.moments-based update would.
enum class RunningVarianceUpdate { Biased, Unbiased };

inline const char* batch_norm_mode_name(BatchNormMode m) {
    switch (m) {
        case BatchNormMode::Train: return "train";
        case BatchNormMode::TrainNoRunningUpdate: return "train-no-running-update";
        case BatchNormMode::Eval: return "eval";
    }
    return "?";
}

/// running = decay * running + (1 - decay) * batch_stat (decay = 1 - PyTorch's momentum);
/// y = (x - mean) / sqrt(var + epsilon) * gamma + beta. ENAS uses epsilon 1e-5 and 1e-3.
struct BatchNormParams {
    BatchNormMode mode = BatchNormMode::Train;
    double epsilon = 1e-5;
    double decay = 0.9;
    RunningVarianceUpdate variance_update = RunningVarianceUpdate::Biased;
};

/// True when the mode normalizes with the statistics of the batch (and backpropagates through them).
inline bool uses_batch_statistics(BatchNormMode m) { return m != BatchNormMode::Eval; }

}  // namespace enas
