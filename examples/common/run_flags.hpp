// The run flags every binary shares (--device, --out, --resume, --force), the default run folder
// name, opening the run folder with the resume checks, and run_main: the exit codes, the
// complete-run message and the resume command printed after SIGINT / SIGTERM.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/core/device.hpp"
#include "enas/core/error.hpp"
#include "enas/run/fault_injection.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/run/run_state.hpp"
#include "enas/run/stop.hpp"

namespace enas_cli {

namespace detail {
/// The run folder open_run opened in this process (empty before): run_main names it after a
/// failed write, with the command that resumes the run.
inline std::filesystem::path g_opened_run;
}  // namespace detail

struct RunFlags {
    std::string device = "cpu";
    std::string out;
    bool resume = false, force = false;

    void add_to(CLI::App& app) {
        app.add_option("--device", device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
        app.add_option("--out", out, "run folder (default: runs/<program>-<space>-<time>)");
        app.add_flag("--resume", resume,
                     "continue the run in --out from its newest valid checkpoint "
                     "(a complete run is reported and left as it is)");
        app.add_flag("--force", force, "delete an existing run in --out and start over");
    }

    double checkpoint_every = 30;  ///< minutes between mid-epoch checkpoints (search and final training)

    /// --checkpoint-every, for the binaries whose loop writes mid-epoch checkpoints.
    void add_checkpoint_every(CLI::App& app) {
        app.add_option("--checkpoint-every", checkpoint_every,
                       "minutes between mid-epoch checkpoints (0: every step, negative: only when stopped by "
                       "a signal)")
            ->capture_default_str();
    }

    /// --out, or runs/<program>-<space>-<YYYYmmdd-HHMMSS>.
    std::string out_dir(const std::string& program, const std::string& space) const {
        if (!out.empty()) return out;
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        return "runs/" + program + "-" + space + "-" + stamp;
    }
};

/// Opens the run folder: fresh (refuses an existing non-empty folder), --force, or --resume (see
/// run::open_run_folder: the format version and the saved config must match this run's, apart from
/// the epoch count and settings newer than the run left at `defaults`; a complete run throws
/// run::RunComplete, which run_main reports with exit 0).
inline enas::run::RunFolder open_run(const RunFlags& flags, const std::string& dir, const nlohmann::json& config,
                                     const nlohmann::json& defaults = nlohmann::json::object()) {
    using enas::run::RunFolderMode;
    enas::check<enas::ValueError>(!(flags.resume && flags.force), "--resume and --force exclude each other");
    const RunFolderMode mode = flags.resume  ? RunFolderMode::resume
                               : flags.force ? RunFolderMode::force
                                             : RunFolderMode::fresh;
    enas::run::RunFolder folder = enas::run::open_run_folder(dir, mode, config, {"epochs"}, defaults);
    detail::g_opened_run = dir;
    return folder;
}

/// `arg` quoted for a POSIX shell when it needs it.
inline std::string shell_quoted(const std::string& arg) {
    if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "-_./=:,+@%") == std::string::npos)
        return arg;
    std::string q = "'";
    for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// The command line that resumes the run in `run_dir`: this one's arguments without --force,
/// --resume and --out, then --out run_dir --resume.
inline std::string resume_command(int argc, char** argv, const std::filesystem::path& run_dir) {
    std::string cmd = argc > 0 ? shell_quoted(argv[0]) : std::string("enas");
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--force" || a == "--resume" || a.rfind("--out=", 0) == 0) continue;
        if (a == "--out") {
            ++i;  // and its value
            continue;
        }
        cmd += " " + shell_quoted(a);
    }
    return cmd + " --out " + shell_quoted(run_dir.string()) + " --resume";
}

/// Runs `body.template operator()<D>()` with D the device --device names (Cpu or Cuda); a
/// DeviceError for cuda in a build without the CUDA backend.
template <class Body>
int on_device(const std::string& device, Body&& body) {
    if (device == "cuda") {
        if constexpr (enas::has_cuda_backend)
            return body.template operator()<enas::Cuda>();
        else
            throw enas::DeviceError(
                "--device cuda: this build of enas has no CUDA backend (configure with "
                "-DENAS_CUDA=ON, or -DENAS_CUDA_EMULATION=ON for the CPU emulator)");
    }
    return body.template operator()<enas::Cpu>();
}

/// Runs a binary's `body` with the stop handlers installed (run/stop.hpp) and turns its outcome
/// into the exit status of docs/cli.md: 0 on success and for a run that is already complete
/// (run::RunComplete, printed on stdout), 128 + the signal (130 SIGINT, 143 SIGTERM) for a run
/// stopped by a signal (with the command that resumes it), 1 for an error.
template <class Body>
int run_main(const char* program, int argc, char** argv, Body&& body) {
    enas::run::install_stop_handlers(program);
    try {
        enas::run::fault::arm_from_environment();  // ENAS_FAULT, for the reliability tests
        return body();
    } catch (const enas::run::RunComplete& e) {
        std::printf("%s: %s\n", program, e.what());
        return 0;
    } catch (const enas::run::Interrupted& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s: %s\n%s: resume with:\n  %s\n", program, e.what(), program,
                     resume_command(argc, argv, e.run_dir()).c_str());
        return e.exit_code();
    } catch (const enas::IoError& e) {
        // A full disk or a folder that became unwritable: the checkpoints are written atomically,
        // so the last one is intact and the run can continue once the cause is gone.
        std::fflush(stdout);
        std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        if (!detail::g_opened_run.empty())
            std::fprintf(stderr,
                         "%s: the run folder keeps its last good checkpoint; once the disk has space (or the "
                         "folder is writable) again, resume with:\n  %s\n",
                         program, resume_command(argc, argv, detail::g_opened_run).c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        return 1;
    }
}

}  // namespace enas_cli
