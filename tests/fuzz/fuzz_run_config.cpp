// Fuzz harness: the config.json that --resume reads (run/run_state.hpp). The input is written as
// the config.json of a run folder, which is then opened for resuming with a fixed config, as a
// binary does: it must be accepted, refused with a clear error, or reported complete.
#include <cstddef>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/run/run_state.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& scratch = enas::fuzz::scratch();
    const std::filesystem::path dir = scratch.path() / "run";
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir);
    scratch.write("run/config.json", enas::fuzz::as_text(data, size));
    const nlohmann::json config = {{"space", "macro"}, {"epochs", 3}, {"filters", 8}, {"seed", 1}};
    try {
        (void)enas::run::open_run_folder(dir, enas::run::RunFolderMode::resume, config);
    } catch (const enas::Error&) {
    } catch (const enas::run::RunComplete&) {}
    return 0;
}
