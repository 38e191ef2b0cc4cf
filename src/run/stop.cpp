#include "enas/run/stop.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace enas::run {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be usable in a signal handler");

// The handler's lines, formatted at install time (only write(2) is used in the handler).
char g_first_int[256], g_first_term[256], g_second[256];

void say(const char* text) noexcept {
    const std::size_t n = std::strlen(text);
    std::size_t done = 0;
    while (done < n) {
        const ssize_t w = ::write(STDERR_FILENO, text + done, n - done);
        if (w <= 0) return;
        done += static_cast<std::size_t>(w);
    }
}

extern "C" void on_stop_signal(int signal_number) {
    int expected = 0;
    if (detail::g_stop_signal.compare_exchange_strong(expected, signal_number)) {
        say(signal_number == SIGINT ? g_first_int : g_first_term);
        return;
    }
    say(g_second);
    ::_exit(interrupted_exit_code(signal_number));
}

}  // namespace

void install_stop_handlers(const char* program) {
    char name[64];
    std::snprintf(name, sizeof name, "%s", program ? program : "enas");
    for (auto [buffer, signal_name] : {std::pair{g_first_int, "SIGINT"}, std::pair{g_first_term, "SIGTERM"}})
        std::snprintf(
            buffer, sizeof g_first_int,
            "\n%s: %s received: stopping at the next step boundary (a second signal, Ctrl-C again, quits at once)\n",
            name, signal_name);
    std::snprintf(g_second, sizeof g_second,
                  "\n%s: second signal: quitting at once (the last checkpoint is intact; --resume continues from it)\n",
                  name);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // reads and writes continue; the loops poll the flag
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

int interrupted_exit_code(int signal_number) noexcept { return 128 + signal_number; }

Interrupted::Interrupted(int signal_number, const StopPoint& at)
    : std::runtime_error([&] {
          std::string text = std::string("interrupted by ") + (signal_number == SIGINT    ? "SIGINT"
                                                               : signal_number == SIGTERM ? "SIGTERM"
                                                                                          : "a signal");
          const bool derive = std::strcmp(at.phase, "derive") == 0;
          if (derive)
              text += " in the derive step (candidate " + std::to_string(at.step) + " of " + std::to_string(at.steps) +
                      "); every search epoch is checkpointed, --resume redoes the derive step";
          else {
              text += " at a step boundary of epoch " + std::to_string(at.epoch + 1) + " (" + at.phase + " step " +
                      std::to_string(at.step) + " of " + std::to_string(at.steps) + "); ";
              text += at.last_checkpoint.empty()
                          ? "no checkpoint was written yet, --resume starts the run from its beginning"
                          : "the last checkpoint is " + at.last_checkpoint.string() + " (" +
                                std::to_string(at.epochs_saved) + " epochs " +
                                (at.steps_saved > 0 ? "and " + std::to_string(at.steps_saved) + " steps of epoch " +
                                                          std::to_string(at.epochs_saved + 1) + " "
                                                    : std::string()) +
                                "done), --resume continues from it";
              const bool nothing_lost = at.epoch == at.epochs_saved && at.step == at.steps_saved &&
                                        (std::strcmp(at.phase, "child") == 0 || std::strcmp(at.phase, "train") == 0);
              if (!nothing_lost)
                  text += " and redoes epoch " + std::to_string(at.epoch + 1) +
                          (at.steps_saved > 0 ? " from its step " + std::to_string(at.steps_saved) : " from its start");
          }
          return text;
      }()),
      signal_(signal_number), run_dir_(at.run_dir) {}

}  // namespace enas::run
