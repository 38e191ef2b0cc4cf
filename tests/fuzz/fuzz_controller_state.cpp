// Fuzz harness: the controller state loader (controller.state, --controller-init) of the three
// ENAS controllers and RandomSearch. The first byte picks the policy; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <vector>

#include "enas/controller/controllers.hpp"
#include "enas/core/error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace enas::controller;
    if (size == 0) return 0;
    // One policy of each kind for the whole process, as constructing one per input dominated the
    // run time; a policy is sampled from only after a load succeeded. Small configs keep inputs fast.
    static const auto policies = [] {
        MacroControllerConfig macro;
        macro.num_layers = 4;
        MicroControllerConfig micro;
        micro.num_nodes = 3;
        RnnControllerConfig rnn;
        rnn.num_nodes = 4;
        std::vector<std::unique_ptr<ArchitecturePolicy>> p;
        p.push_back(std::make_unique<MacroController>(macro, 1));
        p.push_back(std::make_unique<MicroController>(micro, 1));
        p.push_back(std::make_unique<RnnController>(rnn, 1));
        p.push_back(std::make_unique<RandomSearch>(macro, 1));
        return p;
    }();
    ArchitecturePolicy* policy = policies[data[0] % 4].get();
    std::istringstream in(std::string(enas::fuzz::as_text(data + 1, size - 1)));
    try {
        policy->load(in, "fuzz input");
        Sample s;
        policy->sample_into(s);  // a loaded policy must still sample
    } catch (const enas::Error&) {}
    return 0;
}
