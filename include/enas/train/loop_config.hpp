// What the generic loops take besides a task and a policy: the number of epochs, the metrics-line
// cadence and the child's learning rate per epoch (a schedule the caller picks: SGDR for the CNNs,
// the PTB decay for the recurrent space).
#pragma once
#include <cstdint>
#include <functional>

namespace enas::train {

struct LoopConfig {
    std::int64_t epochs = 1;
    std::int64_t log_every = 20;                   ///< a metrics line every N child steps (and the last)
    std::function<double(std::int64_t epoch)> lr;  ///< the child's learning rate in a 0-based epoch
};

}  // namespace enas::train
