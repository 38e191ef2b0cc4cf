#include "trained_run.hpp"

#include <optional>
#include <system_error>

#include "enas/core/error.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/run_folder.hpp"

namespace enas_predict {
namespace fs = std::filesystem;
using namespace enas;

TrainedRun read_trained_run(const fs::path& dir) {
    std::error_code ec;
    check<IoError>(fs::is_directory(dir, ec), "run folder '", dir.string(), "' does not exist (or is not a folder)");
    TrainedRun r;
    r.dir = dir;
    check<IoError>(fs::is_regular_file(dir / run::RunFolder::kConfig, ec), "'", dir.string(),
                   "' is no run folder: it has no ", run::RunFolder::kConfig);
    const nlohmann::json config = run::read_json_file(dir / run::RunFolder::kConfig);
    check<FormatError>(config.contains("arch") && config.contains("space") && config.value("mode", "") == "final", "'",
                       dir.string(), "' is not a final-training run (cifar_train / enas_train --out): its ",
                       run::RunFolder::kConfig, " has no final-mode architecture");
    try {
        r.config = train::CnnConfig::from_json(config);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(detail::concat((dir / run::RunFolder::kConfig).string(), ": ", e.what()));
    }
    r.arch = config.at("arch").get<std::string>();
    const fs::path pre = dir / data::Preprocessing::kFile;
    check<IoError>(fs::is_regular_file(pre, ec), "'", dir.string(), "' has no ", data::Preprocessing::kFile,
                   " (the model's input layout, standardisation and class names): it was written by a cifar_train "
                   "older than enas_predict; train it again");
    r.pre = data::Preprocessing::from_json(run::read_json_file(pre));
    const std::optional<run::LatestCheckpoint> latest =
        run::CheckpointSet(dir / run::RunFolder::kCheckpoints).load_latest();
    check<IoError>(latest.has_value(), "'", dir.string(),
                   "' has no valid epoch checkpoint in checkpoints/ (did its first epoch finish?)");
    r.checkpoint = run::CheckpointSet(dir / run::RunFolder::kCheckpoints).path_for(latest->epoch);
    r.epochs_done = latest->checkpoint.json("progress").at("epochs_done").get<std::int64_t>();
    return r;
}

}  // namespace enas_predict
