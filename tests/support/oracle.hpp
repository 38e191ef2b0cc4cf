// The PyTorch oracle: enas runs an op forward and backward on random inputs, the same inputs and
// upstream gradients go to Debian's python3 + torch (tests/oracle/oracle.py, float64), and the
// two sets of outputs and input gradients are compared. All cases of a run go to one Python
// process. A missing interpreter or torch fails the run (it never skips).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/tensor.hpp"

namespace enas::test {

struct OracleCase {
    std::string label;  ///< printed in the report, e.g. "conv2d 3x3 s2"
    std::string op;     ///< key of the op in tests/oracle/ops/*.py
    nlohmann::json attrs = nlohmann::json::object();

    /// A float input; with `grad`, torch returns d loss / d input for comparison.
    OracleCase& input(const std::string& name, const Tensor<float, Cpu>& t, bool grad = true);
    /// An integer input (labels, token ids), passed to torch as int64.
    OracleCase& int_input(const std::string& name, const std::vector<std::int64_t>& values, const Shape& shape);
    /// An enas output to compare; `upstream` (same shape) is its gradient in the loss (may be undefined).
    OracleCase& output(const std::string& name, const Tensor<float, Cpu>& ours,
                       const Tensor<float, Cpu>& upstream = {});
    /// The gradient enas computed for input `name`.
    OracleCase& grad(const std::string& name, const Tensor<float, Cpu>& ours);
    /// Tolerances for this case: |ours - torch| <= atol + rtol * |torch|.
    OracleCase& tolerance(double atol, double rtol);

    struct Named {
        std::string name;
        Tensor<float, Cpu> tensor;
        bool grad = false;
    };
    std::vector<Named> inputs, outputs, upstreams, grads;
    std::map<std::string, std::pair<std::vector<std::int64_t>, Shape>> int_inputs;
    double atol = 1e-4, rtol = 1e-3;
};

/// Runs every case through torch and compares. Prints one line per case and value with the worst
/// relative error; returns false (after printing the mismatches) when any value is out of tolerance.
bool run_oracle(const std::string& family, std::vector<OracleCase>& cases);

}  // namespace enas::test
