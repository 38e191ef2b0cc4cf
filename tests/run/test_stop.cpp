// Stop requests (stop.hpp): poll_stop throws Interrupted only after a request, with the exit code
// 128 + signal and a message naming the checkpoint --resume continues from and the epoch it
// redoes; in a child process the real handlers turn the first SIGINT / SIGTERM into a request and
// a second one into an immediate exit with 130 / 143.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enas/run/stop.hpp"

using namespace enas::run;

namespace {

StopPoint mid_epoch() { return {"runs/x", "runs/x/checkpoints/ckpt-2.bin", 2, "child", 2, 5, 40, 0}; }

// Forks; the child installs the handlers and raises `first`, checks the request, raises `second`.
// Returns the child's exit status (or -1 if it did not exit normally).
int child_exit_status(int first, int second) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        install_stop_handlers("test_stop");
        ::raise(first);
        if (stop_signal() != first) ::_exit(3);  // the first signal must only be recorded
        ::raise(second);
        ::_exit(4);  // the second must not return
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("stop: poll_stop throws only after a request, naming where and what --resume redoes", "[run]") {
    clear_stop_request();
    int evaluated = 0;
    const auto at = [&] {
        ++evaluated;
        return mid_epoch();
    };
    CHECK_NOTHROW(poll_stop(at));
    CHECK(evaluated == 0);  // the message is only built when stopping
    request_stop(SIGINT);
    try {
        poll_stop(at);
        FAIL("no Interrupted after a stop request");
    } catch (const Interrupted& e) {
        CHECK(e.signal_number() == SIGINT);
        CHECK(e.exit_code() == 130);
        CHECK(e.run_dir() == "runs/x");
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("interrupted by SIGINT") && Catch::Contains("epoch 3 (child step 5 of 40)") &&
                             Catch::Contains("runs/x/checkpoints/ckpt-2.bin (2 epochs done)") &&
                             Catch::Contains("redoes epoch 3 from its start"));
    }
    request_stop(SIGTERM);
    try {
        poll_stop([] { return StopPoint{"runs/y", "runs/y/checkpoints/ckpt-2.bin", 2, "train", 2, 0, 40, 0}; });
        FAIL("no Interrupted after a stop request");
    } catch (const Interrupted& e) {
        CHECK(e.exit_code() == 143);
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("interrupted by SIGTERM") && Catch::Contains("continues from it"));
        CHECK_THAT(what, !Catch::Contains("redoes"));  // stopped right at the epoch boundary: nothing lost
    }
    try {  // after a mid-epoch checkpoint, in a phase that has none
        poll_stop([] { return StopPoint{"runs/w", "runs/w/checkpoints/step-3.bin", 2, "controller", 2, 1, 10, 3}; });
        FAIL("no Interrupted after a stop request");
    } catch (const Interrupted& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("step-3.bin (2 epochs and 3 steps of epoch 3 done)") &&
                                              Catch::Contains("redoes epoch 3 from its step 3"));
    }
    try {
        poll_stop([] { return StopPoint{"runs/z", {}, 0, "controller", 0, 1, 10, 0}; });
        FAIL("no Interrupted after a stop request");
    } catch (const Interrupted& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("no checkpoint was written yet"));
    }
    try {
        poll_stop([] { return StopPoint{"runs/z", {}, 0, "derive", 0, 3, 8, 0}; });
        FAIL("no Interrupted after a stop request");
    } catch (const Interrupted& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("derive step (candidate 3 of 8)") &&
                                              Catch::Contains("--resume redoes the derive step"));
    }
    clear_stop_request();
    CHECK_NOTHROW(poll_stop(at));
}

TEST_CASE("stop: the first signal only requests a stop, a second one exits at once with 128 + signal", "[run]") {
    CHECK(interrupted_exit_code(SIGINT) == 130);
    CHECK(interrupted_exit_code(SIGTERM) == 143);
    CHECK(child_exit_status(SIGINT, SIGINT) == 130);
    CHECK(child_exit_status(SIGTERM, SIGTERM) == 143);
    CHECK(child_exit_status(SIGTERM, SIGINT) == 130);
}
