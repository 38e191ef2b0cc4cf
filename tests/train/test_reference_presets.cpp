// Defaults pinned against the reference, not against the code: every preset value in
// reference_presets.json (transcribed from ../shared/docs/enas-reference.md) is compared with the
// configuration the product resolves for that preset, through the same builders the binaries use
// (CnnConfig / SearchConfig / PtbConfig presets, child_sgd_config, the loops' lr schedule, the
// controller builders, PtbConfig::child_config and controller_config). A mismatch names the preset, the field, the
// reference value and ours; a listed deviation must hold the value it declares.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/train/cnn_setup.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/ptb_config.hpp"
#include "enas/train/search_config.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::train;
using nlohmann::json;

namespace {

void add_reinforce(json& out, const controller::ReinforceConfig& r) {
    out["controller.learning_rate"] = r.learning_rate;
    out["controller.baseline_decay"] = r.baseline_decay;
    out["controller.entropy_weight"] = r.entropy_weight;
    out["controller.train_steps"] = r.train_steps;
    out["controller.num_aggregate"] = r.num_aggregate;
}

/// The resolved configuration of a CNN preset, flattened to the data file's keys.
json resolve_cnn(const std::string& space_name, const std::string& mode_name, const std::string& preset) {
    const CnnSpace space = parse_cnn_space(space_name);
    const search::ChildMode mode = mode_name == "search" ? search::ChildMode::search : search::ChildMode::final;
    const CnnConfig c = CnnConfig::preset_for(space, mode, preset);
    json out = c.to_json();
    const optim::ChildSgdConfig sgd = child_sgd_config(c);
    out["sgd.momentum"] = sgd.momentum;
    out["sgd.nesterov"] = sgd.nesterov;
    out["sgd.l2"] = sgd.l2;
    out["sgd.clip_global_norm"] = sgd.clip_global_norm;
    const LoopConfig loop = loop_config_of(c);  // the schedule the loops run
    for (std::int64_t e : {0, 5, 9, 10, 29, 30, 70, 149, 150, 309}) out["lr.epoch_" + std::to_string(e)] = loop.lr(e);
    if (mode != search::ChildMode::search) return out;
    const SearchConfig s = SearchConfig::preset_for(space, preset);
    if (space == CnnSpace::macro) {
        const controller::MacroControllerConfig cc = macro_controller_config(c, s);
        out["controller.hidden_size"] = cc.hidden_size;
        out["controller.tanh_constant"] = cc.tanh_constant;
        out["controller.temperature"] = cc.temperature;
        out["controller.skip_target"] = cc.skip_target;
        out["controller.skip_weight"] = cc.skip_weight;
        out["controller.num_layers"] = cc.num_layers;
        add_reinforce(out, cc.reinforce);
    } else {
        const controller::MicroControllerConfig cc = micro_controller_config(c, s);
        out["controller.hidden_size"] = cc.hidden_size;
        out["controller.tanh_constant"] = cc.tanh_constant;
        out["controller.op_tanh_reduce"] = cc.op_tanh_reduce;
        out["controller.temperature"] = cc.temperature;
        out["controller.num_nodes"] = cc.num_nodes;
        add_reinforce(out, cc.reinforce);
    }
    return out;
}

/// The resolved configuration of a PTB preset, flattened to the data file's keys.
json resolve_ptb(const std::string& space, const std::string& mode, const std::string& preset) {
    const PtbConfig c = PtbConfig::preset_for(space, mode, preset);
    json out = c.to_json();
    const child::RnnChildConfig child = c.child_config(10000);
    out["child.weight_decay_form_fourth_power"] = child.weight_decay_form == child::WeightDecayForm::enas_lm_search;
    const controller::RnnControllerConfig cc = c.controller_config();
    out["controller.hidden_size"] = cc.hidden_size;
    out["controller.tanh_constant"] = cc.tanh_constant;
    out["controller.temperature"] = cc.temperature;
    add_reinforce(out, cc.reinforce);
    return out;
}

json resolve(const std::string& what) {
    std::istringstream in(what);
    std::string family, space, mode, preset;
    in >> family >> space >> mode >> preset;
    if (family == "cnn") return resolve_cnn(space, mode, preset);
    REQUIRE(family == "ptb");
    return resolve_ptb(space, mode, preset);
}

/// Equal values; numbers to 1e-12 relative, except the reference's learning-rate table, which
/// is given to 4 significant digits.
bool same_value(const std::string& key, const json& a, const json& b) {
    if (a.is_number() && b.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        const double tolerance = key.rfind("lr.epoch_", 0) == 0 ? 1e-3 : 1e-12;
        return x == y || std::abs(x - y) <= tolerance * std::max(std::abs(x), std::abs(y));
    }
    return a == b;
}

}  // namespace

TEST_CASE("every preset value of the reference is what the product resolves", "[train][reference]") {
    std::ifstream file(std::string(ENAS_SOURCE_DIR) + "/tests/train/reference_presets.json");
    REQUIRE(file.good());
    const json data = json::parse(file);
    std::map<std::pair<std::string, std::string>, json> deviations;
    for (const json& d : data.at("deviations")) {
        REQUIRE_FALSE(d.at("why").get<std::string>().empty());
        deviations[{d.at("preset").get<std::string>(), d.at("key").get<std::string>()}] = d.at("ours");
    }
    std::size_t compared = 0, deviated = 0;
    for (const json& p : data.at("presets")) {
        const std::string name = p.at("name").get<std::string>();
        const json ours = resolve(p.at("resolve").get<std::string>());
        for (const auto& [key, reference] : p.at("values").items()) {
            INFO(name << " (" << p.at("source").get<std::string>() << "): " << key << ": reference " << reference.dump()
                      << ", ours " << (ours.contains(key) ? ours[key].dump() : std::string("(not resolved)")));
            REQUIRE(ours.contains(key));
            const auto deviation = deviations.find({name, key});
            if (deviation != deviations.end()) {
                CHECK(same_value(key, ours[key], deviation->second));  // the declared deviation holds
                ++deviated;
            } else {
                CHECK(same_value(key, ours[key], reference));
            }
            ++compared;
        }
    }
    std::printf("reference presets: %zu values compared, %zu declared deviations\n", compared, deviated);
    REQUIRE(compared >= 170);
    REQUIRE(deviated == deviations.size());  // every declared deviation names a compared value
}
