#include "enas/run/run_folder.hpp"

#include <cerrno>
#include <cstring>
#include <sstream>

#include "enas/core/error.hpp"
#include "enas/run/atomic_file.hpp"
#include "enas/run/fault_injection.hpp"

namespace enas::run {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string system_reason() { return errno ? std::strerror(errno) : "unknown error"; }

// Splits into complete lines; `torn` receives a final line that lacks its newline.
std::vector<std::string> complete_lines(const std::string& text, std::string* torn) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(text.substr(start, nl - start));
    if (torn) *torn = text.substr(start);
    return lines;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

void differences(const json& a, const json& b, const std::string& where, std::vector<std::string>& out,
                 std::size_t limit) {
    if (out.size() >= limit || a == b) return;
    if (a.is_object() && b.is_object()) {
        for (const auto& [key, value] : a.items())
            if (b.contains(key))
                differences(value, b.at(key), where + "/" + key, out, limit);
            else if (out.size() < limit)
                out.push_back(where + "/" + key + ": " + value.dump() + " vs (absent)");
        for (const auto& [key, value] : b.items())
            if (!a.contains(key) && out.size() < limit)
                out.push_back(where + "/" + key + ": (absent) vs " + value.dump());
        return;
    }
    out.push_back((where.empty() ? "/" : where) + ": " + a.dump() + " vs " + b.dump());
}

}  // namespace

// ---- JSON-lines files ----

JsonLinesFile::JsonLinesFile(fs::path path) : path_(std::move(path)) {
    std::error_code ec;
    if (fs::is_regular_file(path_, ec)) {
        const std::string text = read_whole_file(path_);
        const std::size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
        if (keep != text.size()) {
            fs::resize_file(path_, keep, ec);
            check<IoError>(!ec, "cannot cut the torn last line of '", path_.string(), "': ", ec.message());
        }
    }
    open();
}

void JsonLinesFile::open() {
    errno = 0;
    out_ = std::make_unique<std::ofstream>(path_, std::ios::out | std::ios::app | std::ios::binary);
    check<IoError>(static_cast<bool>(*out_), "cannot open '", path_.string(), "' for appending: ", system_reason());
}

void JsonLinesFile::append(const json& record) {
    if (!out_) open();
    const std::string line = record.dump() + "\n";
    if (fault::armed()) fault::before_write(path_.string(), line.size());
    errno = 0;
    out_->write(line.data(), static_cast<std::streamsize>(line.size()));
    out_->flush();
    if (!*out_) {
        const std::string reason = system_reason();
        out_.reset();  // a later append starts from a fresh stream
        throw IoError("writing to '" + path_.string() + "' failed (disk full?): " + reason);
    }
}

void JsonLinesFile::close() { out_.reset(); }

std::vector<json> read_json_lines(const fs::path& path) {
    std::string torn;
    const std::vector<std::string> lines = complete_lines(read_whole_file(path), &torn);
    std::vector<json> records;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (blank(lines[i])) continue;
        try {
            records.push_back(json::parse(lines[i]));
        } catch (const json::exception& e) {
            throw FormatError(path.string() + ":" + std::to_string(i + 1) + ": not a JSON line: " + e.what());
        }
    }
    return records;
}

std::size_t filter_json_lines(const fs::path& path, const std::function<bool(const json&)>& keep) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return 0;
    std::string torn;
    const std::vector<std::string> lines = complete_lines(read_whole_file(path), &torn);
    std::string kept;
    std::size_t removed = torn.empty() ? 0 : 1;
    for (const std::string& line : lines) {
        if (blank(line)) continue;
        json record;
        try {
            record = json::parse(line);
        } catch (const json::exception&) {
            ++removed;
            continue;
        }
        if (keep(record))
            kept += line + "\n";
        else
            ++removed;
    }
    if (removed) write_file_atomically(path, kept);
    return removed;
}

std::vector<std::string> json_differences(const json& before, const json& after, std::size_t limit) {
    std::vector<std::string> out;
    differences(before, after, "", out, limit);
    return out;
}

void write_json_file(const fs::path& path, const json& value) { write_file_atomically(path, value.dump(2) + "\n"); }

json read_json_file(const fs::path& path) {
    const std::string text = read_whole_file(path);
    try {
        return json::parse(text);
    } catch (const json::exception& e) { throw FormatError("'" + path.string() + "' is not valid JSON: " + e.what()); }
}

// ---- the run folder ----

namespace {

// Creates / checks the folder before the JSON-lines members open their files.
fs::path prepare_run_folder(fs::path dir, RunFolderMode mode) {
    check<ValueError>(!dir.empty(), "the output folder name is empty");
    std::error_code ec;
    const bool exists = fs::exists(dir, ec);
    if (exists && !fs::is_directory(dir, ec))
        throw IoError("output folder '" + dir.string() + "' exists and is not a folder");
    if (mode == RunFolderMode::resume && !exists)
        throw IoError("cannot resume: output folder '" + dir.string() + "' does not exist");
    if (exists && mode == RunFolderMode::fresh) {
        std::vector<std::string> names;
        for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
            names.push_back(e.path().filename().string());
        if (!names.empty()) {
            std::string shown;
            for (std::size_t i = 0; i < names.size() && i < 3; ++i) shown += (i ? ", " : "") + names[i];
            throw IoError("output folder '" + dir.string() + "' already exists and is not empty (it holds " + shown +
                          (names.size() > 3 ? ", ... (" + std::to_string(names.size()) + " entries)" : std::string()) +
                          "); use --resume to continue that run or --force to start over in it");
        }
    }
    if (exists && mode == RunFolderMode::force) {
        for (const char* name : {RunFolder::kConfig, RunFolder::kMetrics, RunFolder::kArchs, RunFolder::kSummary}) {
            fs::remove(dir / name, ec);
            check<IoError>(!ec, "cannot remove '", (dir / name).string(), "' (--force): ", ec.message());
        }
        fs::remove_all(dir / RunFolder::kCheckpoints, ec);
        check<IoError>(!ec, "cannot remove '", (dir / RunFolder::kCheckpoints).string(), "' (--force): ", ec.message());
    }
    fs::create_directories(dir, ec);
    check<IoError>(!ec, "cannot create output folder '", dir.string(), "': ", ec.message());
    // Probe: some failures (read-only mounts, permissions) only show when a file is created.
    const fs::path probe = dir / ".enas-write-test";
    {
        errno = 0;
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        out << "ok";
        out.flush();
        check<IoError>(static_cast<bool>(out), "output folder '", dir.string(), "' is not writable: ", system_reason());
    }
    fs::remove(probe, ec);
    fs::create_directories(dir / RunFolder::kCheckpoints, ec);
    check<IoError>(!ec, "cannot create '", (dir / RunFolder::kCheckpoints).string(), "': ", ec.message());
    return dir;
}

}  // namespace

RunFolder::RunFolder(fs::path dir, RunFolderMode mode)
    : dir_(prepare_run_folder(std::move(dir), mode)), mode_(mode), metrics_(dir_ / kMetrics), archs_(dir_ / kArchs) {}

void RunFolder::write_text(std::string_view name, std::string_view text) { write_file_atomically(file(name), text); }

std::size_t RunFolder::truncate_after_epoch(std::int64_t epoch, const std::string& epoch_key) {
    const auto keep = [&](const json& record) {
        if (!record.is_object() || !record.contains(epoch_key) || !record.at(epoch_key).is_number()) return true;
        return record.at(epoch_key).get<double>() <= static_cast<double>(epoch);
    };
    std::size_t removed = 0;
    for (JsonLinesFile* f : {&metrics_, &archs_}) {
        f->close();
        removed += filter_json_lines(f->path(), keep);
    }
    return removed;
}

std::size_t RunFolder::truncate_after_step(std::int64_t epoch, std::int64_t steps_done) {
    const auto keep = [&](const json& record) {
        if (!record.is_object() || !record.contains("epoch") || !record.at("epoch").is_number()) return true;
        const double e = record.at("epoch").get<double>();
        if (e != static_cast<double>(epoch)) return e < static_cast<double>(epoch);
        return record.contains("step") && record.at("step").is_number() &&
               record.at("step").get<double>() <= static_cast<double>(steps_done);
    };
    std::size_t removed = 0;
    for (JsonLinesFile* f : {&metrics_, &archs_}) {
        f->close();
        removed += filter_json_lines(f->path(), keep);
    }
    return removed;
}

}  // namespace enas::run
