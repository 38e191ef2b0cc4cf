// Parameters of the elementwise family, shared by every device (and by the rnn_node family): the
// activation functions of ENAS ops and recurrent nodes. Plain C++: no tensor or backend dependency.
#pragma once

namespace enas {

/// The activation functions of ENAS ops and recurrent nodes.
enum class Activation { Identity, Relu, Tanh, Sigmoid };

inline const char* activation_name(Activation a) {
    switch (a) {
        case Activation::Identity: return "identity";
        case Activation::Relu: return "relu";
        case Activation::Tanh: return "tanh";
        case Activation::Sigmoid: return "sigmoid";
    }
    return "?";
}

}  // namespace enas
