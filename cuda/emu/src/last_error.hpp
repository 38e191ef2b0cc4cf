// The per-host-thread "last error" of the CUDA runtime, plus the emulator's detailed message.
#pragma once
#include <string>

#include "emu/runtime.hpp"

namespace enas::emu {

/// Records `error` with its detailed message as this host thread's last error; returns `error`.
cudaError_t report_error(cudaError_t error, std::string detail);

/// "0x7f..." for messages.
std::string describe_pointer(const void* p);

}  // namespace enas::emu
