// Umbrella header of the controller layer: the ENAS LSTM controllers (macro, micro, recurrent),
// RandomSearch, their configs, REINFORCE and state files. Everything lives in namespace
// enas::controller; the controllers run on the CPU. A controller phase of a search:
//
//   enas::controller::MacroController controller(enas::controller::MacroControllerConfig{}, seed);
//   enas::controller::Sample s;
//   for (int i = 0; i < config.reinforce.train_steps * config.reinforce.num_aggregate; ++i) {
//       controller.sample_into(s);                     // s.tokens: the authors' flat order
//       controller.update(s, reward_of(s.tokens));     // baseline, gradient, Adam every num_aggregate
//   }
//   controller.sample(enas::controller::SampleMode::Greedy);  // derive
//   controller.save("controller.state");                      // resume or transfer
//
// architectures.hpp converts samples to the search layer's MacroArch / MicroArch / RnnArch.
#pragma once
#include "enas/controller/config.hpp"
#include "enas/controller/macro_controller.hpp"
#include "enas/controller/micro_controller.hpp"
#include "enas/controller/policy.hpp"
#include "enas/controller/random_search.hpp"
#include "enas/controller/reinforce.hpp"
#include "enas/controller/rnn_controller.hpp"
#include "enas/controller/state_io.hpp"
