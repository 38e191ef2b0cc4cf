// Raw device memory for the Cuda device: declared in core (below the allocator), defined in
// cuda/memory.cu. Kept so that launcher code can include the backend/cuda/ name.
#pragma once
#include "enas/core/device_memory.hpp"
