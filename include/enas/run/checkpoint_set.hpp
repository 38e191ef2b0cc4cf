// A folder of numbered checkpoints, "<prefix>-<epoch>.bin" (default "ckpt-<epoch>.bin"), keeping
// the newest K. Resuming loads the newest *valid* one: if the newest is corrupt or truncated,
// it falls back to the one before and tells the caller why (reference §7.2: keep 2).
// Leftover "*.tmp" files from an interrupted write are never mistaken for checkpoints.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "enas/run/checkpoint.hpp"

namespace enas::run {

/// The result of CheckpointSet::load_latest.
struct LatestCheckpoint {
    std::int64_t epoch = 0;
    Checkpoint checkpoint;
    /// One line per newer checkpoint that was skipped because it failed to load, e.g.
    /// "skipping checkpoint /run/checkpoints/ckpt-7.bin: checkpoint ...: checksum mismatch ...".
    std::vector<std::string> warnings;
};

class CheckpointSet {
public:
    /// Manages `folder` (created on the first save). `keep_last` >= 1 checkpoints are kept.
    explicit CheckpointSet(std::filesystem::path folder, int keep_last = 2, std::string prefix = "ckpt");

    const std::filesystem::path& folder() const { return folder_; }
    int keep_last() const { return keep_last_; }
    /// folder/<prefix>-<epoch>.bin
    std::filesystem::path path_for(std::int64_t epoch) const;

    /// The epochs of the checkpoint files present (valid or not), ascending. Files that do not
    /// match "<prefix>-<digits>.bin" exactly (including "*.tmp") are ignored.
    std::vector<std::int64_t> epochs() const;

    /// Writes `checkpoint` as epoch `epoch` (atomically), then deletes all but the newest
    /// `keep_last` checkpoints and any stale "*.tmp" files. Returns the written path.
    std::filesystem::path save(std::int64_t epoch, const CheckpointWriter& checkpoint);

    /// Deletes all but the newest `keep_last` checkpoints and stale "<prefix>-*.bin.tmp" files.
    void prune();

    /// Deletes every checkpoint with an epoch greater than `epoch` (e.g. after resuming from an
    /// older one because the newest was corrupt, so that it is not picked again).
    void remove_after(std::int64_t epoch);

    /// The newest checkpoint that loads and validates, with warnings for newer ones that did not.
    /// std::nullopt when the folder holds no checkpoint at all; FormatError listing every
    /// problem when checkpoints exist but none is valid.
    std::optional<LatestCheckpoint> load_latest() const;

private:
    std::filesystem::path folder_;
    int keep_last_;
    std::string prefix_;
};

}  // namespace enas::run
