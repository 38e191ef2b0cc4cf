// Validity of stream handles, shared by the runtime and launches.
#pragma once
#include "emu/runtime.hpp"

namespace enas::emu {

/// True for the default stream, the special handles and streams created and not yet destroyed.
bool stream_is_valid(cudaStream_t stream);

}  // namespace enas::emu
