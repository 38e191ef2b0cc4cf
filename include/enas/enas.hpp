// Umbrella header: the stable public API of enas (no CUDA headers).
#pragma once
#include "enas/autograd/grad_check.hpp"
#include "enas/autograd/tape.hpp"
#include "enas/core/context.hpp"
#include "enas/ops/elementwise.hpp"
