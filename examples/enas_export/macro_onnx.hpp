// The trained macro final model (child/macro_child.hpp, final mode) as an ONNX graph of standard
// operators in inference mode: the same blocks in the same order as MacroChild::forward, with the
// weights and running batch-norm statistics read from the model's arena by their names.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>

#include "enas/child/macro_child.hpp"
#include "enas/data/image_folder_preprocess.hpp"
#include "enas/search/macro_arch.hpp"

namespace enas_export {

/// The ONNX model (opset 13) of `model` running `arch`: input "images" [N, C, H, W] (standardised as
/// `pre` says, recorded in the metadata), output "logits" [N, classes]. Throws ValueError for a
/// model built with --authors-full-separable off/on mismatch or a non-final model.
onnx::ModelProto export_macro(enas::child::MacroChild<enas::Cpu>& model, const enas::search::MacroArch& arch,
                              const enas::data::Preprocessing& pre);

}  // namespace enas_export
