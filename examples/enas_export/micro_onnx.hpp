// The trained micro final model (child/micro_child.hpp and micro_cells.hpp, final mode) as an ONNX
// graph in inference mode (no drop-path, no aux head): the blocks of MicroChild::forward and
// micro::fixed_cell in their order, weights and running statistics read from the arena by name.
#pragma once
#include <onnx/onnx_pb.h>

#include "enas/child/micro_child.hpp"
#include "enas/data/image_folder_preprocess.hpp"
#include "enas/search/micro_arch.hpp"

namespace enas_export {

/// The ONNX model (opset 13) of `model` running `arch`, as export_macro's.
onnx::ModelProto export_micro(enas::child::MicroChild<enas::Cpu>& model, const enas::search::MicroArch& arch,
                              const enas::data::Preprocessing& pre);

}  // namespace enas_export
