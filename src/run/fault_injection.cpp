#include "enas/run/fault_injection.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "enas/core/error.hpp"

namespace enas::run::fault {

namespace {

struct Rules {
    std::string kill_phase;            // kill-at
    std::int64_t kill_at = 0;          // the step boundary of kill_phase to die at (1-based)
    std::int64_t kill_checkpoint = 0;  // kill-in-checkpoint (1-based), 0: off
    std::int64_t enospc_after = -1;    // enospc-after, -1: off
    // Counters of this process.
    std::int64_t boundaries = 0, checkpoints = 0, bytes = 0;
};
Rules g_rules;

std::int64_t parse_count(const std::string& rule, const std::string& text, std::int64_t least) {
    std::size_t used = 0;
    long long v = 0;
    try {
        v = std::stoll(text, &used);
    } catch (const std::exception&) { used = 0; }
    check<ValueError>(used == text.size() && !text.empty() && v >= least, "ENAS_FAULT: rule '", rule,
                      "' needs an integer >= ", least, ", got '", text, "'");
    return v;
}

}  // namespace

void arm(const std::string& spec) {
    Rules rules;
    std::istringstream in(spec);
    for (std::string rule; std::getline(in, rule, ',');) {
        if (rule.empty()) continue;
        const std::size_t eq = rule.find('=');
        check<ValueError>(eq != std::string::npos, "ENAS_FAULT: rule '", rule,
                          "' is not NAME=VALUE (kill-at=PHASE:N, kill-in-checkpoint=N, enospc-after=BYTES)");
        const std::string name = rule.substr(0, eq), value = rule.substr(eq + 1);
        if (name == "kill-at") {
            const std::size_t colon = value.rfind(':');
            check<ValueError>(colon != std::string::npos && colon > 0, "ENAS_FAULT: rule '", rule,
                              "' is not kill-at=PHASE:N");
            rules.kill_phase = value.substr(0, colon);
            static const char* const kPhases[] = {"child", "controller", "eval", "train", "derive"};
            bool known = false;
            for (const char* p : kPhases) known = known || rules.kill_phase == p;
            check<ValueError>(known, "ENAS_FAULT: unknown phase '", rules.kill_phase, "' in '", rule,
                              "' (child, controller, eval, train, derive)");
            rules.kill_at = parse_count(rule, value.substr(colon + 1), 1);
        } else if (name == "kill-in-checkpoint") {
            rules.kill_checkpoint = parse_count(rule, value, 1);
        } else if (name == "enospc-after") {
            rules.enospc_after = parse_count(rule, value, 0);
        } else {
            throw ValueError("ENAS_FAULT: unknown rule '" + name + "' (kill-at, kill-in-checkpoint, enospc-after)");
        }
    }
    g_rules = rules;
    detail::g_armed = !rules.kill_phase.empty() || rules.kill_checkpoint > 0 || rules.enospc_after >= 0;
}

void arm_from_environment() {
    const char* env = std::getenv("ENAS_FAULT");
    arm(env ? env : "");
}

void kill_now(const std::string& where) {
    const std::string line = "ENAS_FAULT: SIGKILL " + where + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::raise(SIGKILL);
    std::abort();  // not reached
}

void at_step_boundary(const char* phase) {
    if (g_rules.kill_phase.empty() || g_rules.kill_phase != phase) return;
    if (++g_rules.boundaries == g_rules.kill_at)
        kill_now("at step boundary " + std::to_string(g_rules.kill_at) + " of phase " + phase);
}

bool kill_in_this_checkpoint() {
    return g_rules.kill_checkpoint > 0 && ++g_rules.checkpoints == g_rules.kill_checkpoint;
}

void before_write(const std::string& path, std::size_t bytes) {
    if (g_rules.enospc_after < 0) return;
    g_rules.bytes += static_cast<std::int64_t>(bytes);
    if (g_rules.bytes > g_rules.enospc_after)
        throw IoError("writing '" + path + "' failed: " + std::strerror(ENOSPC) + " (injected by ENAS_FAULT)");
}

}  // namespace enas::run::fault
