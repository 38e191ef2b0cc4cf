// The architectures the authors released with their scripts (enas-reference.md §3.5, §4.5, §5.3,
// §6), as flat strings: what `--arch released` means in the binaries, and test fixtures.
#pragma once
#include <string>

namespace enas::search {

/// The released 24-layer macro arc (`scripts/cifar10_macro_final.sh`), 300 integers.
inline const std::string kReleasedMacro =
    "0 "
    "3 0 "
    "0 1 0 "
    "2 0 0 1 "
    "2 0 0 0 0 "
    "3 1 1 0 1 0 "
    "2 0 0 0 0 0 1 "
    "2 0 1 1 0 1 1 1 "
    "1 0 1 1 1 0 1 0 1 "
    "0 0 0 0 0 0 0 0 0 0 "
    "2 0 0 0 0 0 1 0 0 0 0 "
    "0 1 0 0 1 1 0 0 0 0 1 1 "
    "2 0 1 0 0 0 0 0 1 0 1 1 0 "
    "1 0 0 1 0 0 0 1 1 1 0 1 0 1 "
    "0 1 1 0 1 0 1 0 0 0 0 0 1 0 0 "
    "2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1 "
    "2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0 "
    "2 0 0 0 0 1 0 1 0 1 0 0 1 0 1 0 0 1 "
    "3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0 "
    "3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1 "
    "0 1 0 0 1 0 1 1 0 0 0 1 0 0 0 0 0 1 1 0 0 "
    "3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0 "
    "0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 0 "
    "0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0";

/// The released micro arc (`scripts/cifar10_micro_final.sh`): normal cell, then reduction cell.
inline const std::string kReleasedMicroNormal = "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1";
inline const std::string kReleasedMicroReduction = "1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1";
inline const std::string kReleasedMicro = kReleasedMicroNormal + " " + kReleasedMicroReduction;

/// The authors' seed recurrent cell (original TF format, 12 nodes).
inline const std::string kSeedRnnOriginal = "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1";
/// The LM code's released cell (LM format, N = 8).
inline const std::string kReleasedRnnLm = "0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2";
}  // namespace enas::search
