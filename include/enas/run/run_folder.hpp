// The run folder of DESIGN.md §7 (`--out DIR`):
//   config.json     the resolved configuration (written atomically)
//   metrics.jsonl   one JSON object per line: per log interval and per epoch
//   archs.jsonl     one JSON object per line: sampled / derived architectures
//   checkpoints/    ckpt-<epoch>.bin (see checkpoint_set.hpp)
//   summary.json    the final results (written atomically)
// plus any other file a binary writes with write_text / write_json (best_arch.txt, ...).
// Every I/O failure (missing folder, no permission, disk full) raises enas::IoError naming the
// file; JSON-lines appends are flushed per line and their stream state checked.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"

namespace enas::run {

/// An append-only JSON-lines file: each `append` writes one compact JSON object and a newline,
/// then flushes. Opening an existing file keeps its complete lines and cuts off a torn last line
/// (one without its newline, left by a crash), so appends never merge into it.
class JsonLinesFile {
public:
    explicit JsonLinesFile(std::filesystem::path path);
    /// Writes `record` as one line and flushes. IoError naming the file on any failure.
    void append(const nlohmann::json& record);
    const std::filesystem::path& path() const { return path_; }
    /// Closes the stream (a later append reopens it).
    void close();

private:
    void open();
    std::filesystem::path path_;
    std::unique_ptr<std::ofstream> out_;
};

/// All lines of a JSON-lines file, parsed. An unparsable line raises FormatError naming the file
/// and line number, except a torn final line without a newline, which is ignored. A missing file
/// raises IoError.
std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& path);

/// Rewrites a JSON-lines file atomically with only the records for which `keep` is true (and
/// without a torn or unparsable line). Returns the number of lines removed; 0 if the file is
/// missing.
std::size_t filter_json_lines(const std::filesystem::path& path,
                              const std::function<bool(const nlohmann::json&)>& keep);

/// The JSON paths at which two documents differ ("/lr_max: 0.05 vs 0.1"), at most `limit`;
/// for telling the user which settings changed when resuming a run.
std::vector<std::string> json_differences(const nlohmann::json& before, const nlohmann::json& after,
                                          std::size_t limit = 10);

/// Replaces `path` with `value` pretty-printed (indent 2), atomically.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);
/// Parses a JSON file; IoError if missing, FormatError naming the file if malformed.
nlohmann::json read_json_file(const std::filesystem::path& path);

/// What to do when the output folder already exists and is not empty.
enum class RunFolderMode {
    fresh,   ///< refuse (IoError suggesting --resume or --force)
    resume,  ///< continue the run in it (the folder must exist); existing files are kept
    force,   ///< start over: the run files listed above and checkpoints/ are deleted first
};

class RunFolder {
public:
    static constexpr const char* kConfig = "config.json";
    static constexpr const char* kMetrics = "metrics.jsonl";
    static constexpr const char* kArchs = "archs.jsonl";
    static constexpr const char* kSummary = "summary.json";
    static constexpr const char* kCheckpoints = "checkpoints";

    /// Creates or opens the run folder `dir` (parents included) according to `mode`, checks that
    /// it is writable and opens metrics.jsonl and archs.jsonl for appending. Throws IoError: the
    /// folder exists and is not empty (fresh), does not exist (resume), is a file, cannot be
    /// created, or is not writable.
    RunFolder(std::filesystem::path dir, RunFolderMode mode);

    const std::filesystem::path& dir() const { return dir_; }
    RunFolderMode mode() const { return mode_; }
    /// dir/name
    std::filesystem::path file(std::string_view name) const { return dir_ / std::string(name); }
    /// dir/checkpoints (created here)
    std::filesystem::path checkpoint_folder() const { return dir_ / kCheckpoints; }

    /// config.json, atomically.
    void write_config(const nlohmann::json& config) { write_json_file(file(kConfig), config); }
    /// The saved config.json (e.g. to compare with the resumed run's flags).
    nlohmann::json read_config() const { return read_json_file(file(kConfig)); }
    /// summary.json, atomically.
    void write_summary(const nlohmann::json& summary) { write_json_file(file(kSummary), summary); }
    /// Any other file in the folder, atomically.
    void write_json(std::string_view name, const nlohmann::json& value) { write_json_file(file(name), value); }
    void write_text(std::string_view name, std::string_view text);

    /// One line of metrics.jsonl / archs.jsonl, flushed.
    void append_metrics(const nlohmann::json& record) { metrics_.append(record); }
    void append_arch(const nlohmann::json& record) { archs_.append(record); }

    /// For resuming from the checkpoint of epoch `epoch`: removes the metrics.jsonl and
    /// archs.jsonl lines whose numeric field `epoch_key` is greater than `epoch` (lines written
    /// after that checkpoint by the interrupted run), so the resumed run ends with the same lines
    /// as an uninterrupted one. Lines without the field are kept. Returns the lines removed.
    std::size_t truncate_after_epoch(std::int64_t epoch, const std::string& epoch_key = "epoch");

    /// For resuming from a mid-epoch checkpoint taken after `steps_done` steps of epoch `epoch`:
    /// removes the lines of later epochs and those of epoch `epoch` that have no numeric "step"
    /// field or one greater than `steps_done` (the step lines count steps 1-based). Returns the
    /// lines removed.
    std::size_t truncate_after_step(std::int64_t epoch, std::int64_t steps_done);

private:
    std::filesystem::path dir_;
    RunFolderMode mode_;
    JsonLinesFile metrics_;
    JsonLinesFile archs_;
};

}  // namespace enas::run
