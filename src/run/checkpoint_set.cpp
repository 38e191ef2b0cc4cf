#include "enas/run/checkpoint_set.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace enas::run {
namespace fs = std::filesystem;

namespace {
void remove_quietly(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}
}  // namespace

CheckpointSet::CheckpointSet(fs::path folder, int keep_last, std::string prefix)
    : folder_(std::move(folder)), keep_last_(keep_last), prefix_(std::move(prefix)) {
    check<ValueError>(keep_last_ >= 1, "CheckpointSet: keep_last ", keep_last_, " must be >= 1");
    check<ValueError>(!prefix_.empty(), "CheckpointSet: the file prefix must not be empty");
}

fs::path CheckpointSet::path_for(std::int64_t epoch) const {
    check<ValueError>(epoch >= 0, "CheckpointSet: epoch ", epoch, " is negative");
    return folder_ / (prefix_ + "-" + std::to_string(epoch) + ".bin");
}

std::vector<std::int64_t> CheckpointSet::epochs() const {
    std::vector<std::int64_t> out;
    std::error_code ec;
    if (!fs::is_directory(folder_, ec)) return out;
    const std::string head = prefix_ + "-", tail = ".bin";
    for (const fs::directory_entry& entry : fs::directory_iterator(folder_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= head.size() + tail.size() || name.compare(0, head.size(), head) != 0 ||
            name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::string digits = name.substr(head.size(), name.size() - head.size() - tail.size());
        if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) continue;
        std::int64_t epoch = 0;
        const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
        if (err != std::errc() || end != digits.data() + digits.size()) continue;
        if (entry.is_regular_file(ec)) out.push_back(epoch);
    }
    std::sort(out.begin(), out.end());
    return out;
}

fs::path CheckpointSet::save(std::int64_t epoch, const CheckpointWriter& checkpoint) {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    check<IoError>(!ec, "cannot create checkpoint folder '", folder_.string(), "': ", ec.message());
    const fs::path path = path_for(epoch);
    checkpoint.write(path);
    prune();
    return path;
}

void CheckpointSet::prune() {
    const std::vector<std::int64_t> all = epochs();
    for (std::size_t i = 0; i + static_cast<std::size_t>(keep_last_) < all.size(); ++i)
        remove_quietly(path_for(all[i]));
    std::error_code ec;
    if (!fs::is_directory(folder_, ec)) return;
    std::vector<fs::path> stale;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix_ + "-", 0) == 0 && name.size() > 8 && name.compare(name.size() - 8, 8, ".bin.tmp") == 0)
            stale.push_back(entry.path());
    }
    for (const fs::path& p : stale) remove_quietly(p);
}

void CheckpointSet::remove_after(std::int64_t epoch) {
    for (std::int64_t e : epochs())
        if (e > epoch) remove_quietly(path_for(e));
}

std::optional<LatestCheckpoint> CheckpointSet::load_latest() const {
    const std::vector<std::int64_t> all = epochs();
    if (all.empty()) return std::nullopt;
    std::vector<std::string> problems;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        try {
            Checkpoint c = Checkpoint::read(path_for(*it));
            return LatestCheckpoint{*it, std::move(c), std::move(problems)};
        } catch (const Error& e) {
            // Messages from Checkpoint::read already start with "checkpoint <path>: ".
            const std::string what = e.what(), own_prefix = "checkpoint " + path_for(*it).string() + ": ";
            const std::string reason = what.rfind(own_prefix, 0) == 0 ? what.substr(own_prefix.size()) : what;
            problems.push_back("skipping checkpoint " + path_for(*it).string() + ": " + reason);
        }
    }
    std::string message = "no valid checkpoint in '" + folder_.string() + "':";
    for (const std::string& p : problems) message += "\n  " + p;
    throw FormatError(message);
}

}  // namespace enas::run
