// Progress lines: formatting of durations and lines, rates and time-left estimates under a fake
// clock, log-every-N output for files, in-place '\r' redraws for terminals, and never throwing.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "enas/run/progress.hpp"

using namespace enas::run;

namespace {

struct FakeClock {
    double now = 0;
};

ProgressReporter::Options options(FakeClock& clock, bool interactive, std::int64_t log_every = 2) {
    ProgressReporter::Options o;
    o.interactive = interactive;
    o.log_every = log_every;
    o.redraw_seconds = 1.0;
    o.clock = [&clock] { return clock.now; };
    return o;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A stream buffer that throws on every write, like a stream with exceptions enabled on a
// closed terminal.
struct ThrowingBuffer : std::streambuf {
    int overflow(int) override { throw std::runtime_error("terminal gone"); }
    std::streamsize xsputn(const char*, std::streamsize) override { throw std::runtime_error("terminal gone"); }
};

}  // namespace

TEST_CASE("durations and scalars are formatted compactly", "[train]") {
    CHECK(format_duration(0) == "0:00");
    CHECK(format_duration(7.4) == "0:07");
    CHECK(format_duration(59.6) == "1:00");
    CHECK(format_duration(754) == "12:34");
    CHECK(format_duration(3723) == "1:02:03");
    CHECK(format_duration(100 * 3600.0) == "100:00:00");
    CHECK(format_duration(-1) == "?");
    CHECK(format_duration(std::nan("")) == "?");
    CHECK(format_duration(INFINITY) == "?");
    CHECK(format_scalar(2.30123) == "2.301");
    CHECK(format_scalar(0.0005) == "0.0005");
    CHECK(format_scalar(1234567) == "1.235e+06");
}

TEST_CASE("a progress line shows phase, epoch, step, scalars, rate, elapsed and time left", "[train]") {
    ProgressSnapshot s;
    s.phase = "train";
    s.epoch_index = 2;
    s.epochs = 150;
    s.step = 120;
    s.steps = 352;
    s.scalars = {{"loss", 2.30123}, {"acc", 0.125}};
    s.images_per_second = 1234.4;
    s.elapsed_seconds = 41;
    s.eta_seconds = 80;
    s.run_eta_seconds = 11520;
    CHECK(
        format_progress_line(s) ==
        "train  epoch 3/150  step 120/352  loss 2.301  acc 0.125  1234 img/s  elapsed 0:41  eta 1:20  run eta 3:12:00");
    ProgressSnapshot bare;
    bare.phase = "eval";
    bare.step = 7;
    bare.images_per_second = 12.34;
    CHECK(format_progress_line(bare) == "eval  step 7  12.3 img/s  elapsed 0:00");
}

TEST_CASE("without a terminal a line is printed every N steps and at the last step", "[train]") {
    FakeClock clock;
    std::ostringstream out;
    ProgressReporter p(out, options(clock, false, 2));
    p.begin("train", 0, 3, 5);
    for (int step = 1; step <= 5; ++step) {
        clock.now = step;
        p.update(step, {{"loss", 2.5 - 0.25 * (step - 1)}}, 10);
    }
    p.end();  // the last step was already printed: no duplicate
    const auto lines = split_lines(out.str());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "train  epoch 1/3  step 2/5  loss 2.25  10.0 img/s  elapsed 0:02  eta 0:03  run eta 0:13");
    CHECK(lines[1].find("step 4/5  loss 1.75") != std::string::npos);
    CHECK(lines[2].find("step 5/5  loss 1.5  10.0 img/s  elapsed 0:05  eta 0:00  run eta 0:10") != std::string::npos);
    CHECK(out.str().find('\r') == std::string::npos);

    // end() with final values prints them.
    p.begin("eval", 0, 3, 0);
    clock.now = 7;
    p.update(1, {}, 100);
    p.end({{"accuracy", 0.5}});
    const auto more = split_lines(out.str());
    REQUIRE(more.size() == 4);
    CHECK(more[3] == "eval  epoch 1/3  step 1  accuracy 0.5  50.0 img/s  elapsed 0:02");
}

TEST_CASE("on a terminal one line is redrawn in place, throttled, and messages do not collide", "[train]") {
    FakeClock clock;
    std::ostringstream out;
    ProgressReporter p(out, options(clock, true));
    p.begin("train", 0, 1, 100);
    p.update(1, {{"loss", 123456.0}});  // first update draws
    clock.now = 0.5;
    p.update(2, {{"loss", 1.0}});  // within redraw_seconds: skipped
    CHECK(p.snapshot().step == 2);
    clock.now = 1.6;
    p.update(3, {{"loss", 1.0}});  // drawn, padded over the longer previous line
    const std::string drawn = out.str();
    CHECK(drawn.find('\n') == std::string::npos);
    REQUIRE(std::count(drawn.begin(), drawn.end(), '\r') == 2);
    const std::size_t second = drawn.find('\r', 1);
    const std::string first_line = drawn.substr(1, second - 1), second_line = drawn.substr(second + 1);
    CHECK(first_line.find("loss 1.235e+05") != std::string::npos);
    CHECK(second_line.find("step 3/100  loss 1  ") != std::string::npos);
    CHECK(second_line.size() == first_line.size());  // trailing spaces erase the old text

    p.message("checkpoint written");
    CHECK(out.str().find("checkpoint written\n\rtrain  epoch 1/1  step 3/100") != std::string::npos);
    p.end();
    CHECK(out.str().back() == '\n');
}

TEST_CASE("time left for the run uses every phase's last duration", "[train]") {
    FakeClock clock;
    std::ostringstream out;
    ProgressReporter p(out, options(clock, false, 100));
    p.begin("train", 0, 3, 10);
    clock.now = 10;
    p.update(10);
    p.end();
    p.begin("eval", 0, 3, 2);
    clock.now = 12;
    p.update(2);
    p.end();
    p.begin("train", 1, 3, 10);
    clock.now = 17;
    p.update(5);
    const ProgressSnapshot s = p.snapshot();
    CHECK(s.elapsed_seconds == Approx(5));
    CHECK(s.eta_seconds == Approx(5));
    // 5 s of training left + 2 s of this epoch's eval + one more epoch of 10 + 2 s.
    CHECK(s.run_eta_seconds == Approx(19));
}

TEST_CASE("reporting never throws, whatever the stream or clock does", "[train]") {
    ThrowingBuffer buffer;
    std::ostream broken(&buffer);
    broken.exceptions(std::ios::badbit);
    FakeClock clock;
    ProgressReporter p(broken, options(clock, true));
    CHECK_NOTHROW(p.begin("train", 0, 1, 2));
    CHECK_NOTHROW(p.update(1, {{"loss", 1.0}}, 8));
    CHECK_NOTHROW(p.message("hello"));
    CHECK_NOTHROW(p.end());

    std::ostringstream out;
    ProgressReporter::Options o;
    o.clock = []() -> double { throw std::runtime_error("no clock"); };
    ProgressReporter q(out, o);
    CHECK_NOTHROW(q.begin("train", 0, 1, 2));
    CHECK_NOTHROW(q.update(2));
    CHECK_NOTHROW(q.end());
    CHECK_NOTHROW(q.snapshot());
}
