// Fault injection for the process-level reliability tests (docs/testing.md, "Kills and full
// disks"): the environment variable ENAS_FAULT makes a run binary die or see a full disk at a
// chosen, reproducible moment, so a test can check that --resume then loses nothing. Rules,
// separated by commas:
//   kill-at=PHASE:N    SIGKILL at the N-th step boundary of PHASE in this process (PHASE as in
//                      run::StopPoint: child, controller, eval, train, derive)
//   kill-in-checkpoint=N  SIGKILL while the N-th checkpoint written by this process is half
//                      written: its temporary file holds part of the bytes and was never renamed
//                      into place
//   enospc-after=BYTES every write to a run file (atomic files and JSON lines) fails with ENOSPC
//                      once this process has written BYTES bytes to them
// Unset (the normal case), every hook is one load of a false flag. The binaries arm it first thing
// (enas_cli::run_main), so a malformed ENAS_FAULT stops the program at start with a ValueError.
#pragma once
#include <cstddef>
#include <string>

namespace enas::run::fault {

namespace detail {
inline bool g_armed = false;
}  // namespace detail

/// True when ENAS_FAULT named at least one rule.
inline bool armed() noexcept { return detail::g_armed; }

/// Reads ENAS_FAULT (empty or unset: nothing armed). Throws ValueError naming a malformed rule.
void arm_from_environment();
/// Arms the rules of `spec` (the ENAS_FAULT syntax above); an empty spec disarms. For tests.
void arm(const std::string& spec);

/// Step-boundary hook (run::poll_stop): kills the process on the armed boundary of `phase`.
void at_step_boundary(const char* phase);
/// Checkpoint-writer hook: true when the checkpoint being written now is the one to die in.
bool kill_in_this_checkpoint();
/// Kills the process at once with SIGKILL, after one line on stderr naming `where`.
[[noreturn]] void kill_now(const std::string& where);
/// Write hook: throws IoError "No space left on device" naming `path` once the byte budget is
/// spent (counting `bytes`, the size of the write about to happen).
void before_write(const std::string& path, std::size_t bytes);

}  // namespace enas::run::fault
