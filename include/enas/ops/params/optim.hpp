// Parameters of the optim family, shared by every device: the SGD and Adam hyper-parameters of a
// fused update step and Adam's two forms (where epsilon goes). Plain C++: no tensor or backend
// dependency.
#pragma once

namespace enas {

/// SGD with (optionally Nesterov) momentum; TF's MomentumOptimizer and torch.optim.SGD (dampening
/// 0) agree:  g' = g + weight_decay * p;  v = momentum * v + g';
///            p -= lr * (g' + momentum * v)  (Nesterov)   or   p -= lr * v  (plain).
/// weight_decay is PyTorch-style. ENAS adds L2 as a loss term l2 * sum(w^2) instead, whose
/// gradient is 2 * l2 * w: pass weight_decay = 2 * l2 to reproduce it (or add it to the loss).
struct SgdParams {
    double lr = 0.05;
    double momentum = 0.9;
    bool nesterov = true;
    double weight_decay = 0.0;
};

/// Where Adam puts epsilon. The two forms differ when epsilon is not negligible, e.g. the ENAS
/// controller's beta1 = 0, epsilon = 1e-3.
enum class AdamForm {
    /// TF AdamOptimizer (the authors' code): lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t);
    /// p -= lr_t * m / (sqrt(v) + eps).
    TensorFlow,
    /// torch.optim.Adam: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    PyTorch,
};

/// Adam: g' = g + weight_decay * p (PyTorch-style L2; 0 in ENAS); m = b1 m + (1 - b1) g';
/// v = b2 v + (1 - b2) g'^2; then the update of `form`.
struct AdamParams {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    AdamForm form = AdamForm::TensorFlow;
    double weight_decay = 0.0;
};

inline const char* adam_form_name(AdamForm f) { return f == AdamForm::TensorFlow ? "tensorflow" : "pytorch"; }

}  // namespace enas
