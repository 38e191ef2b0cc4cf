// Fuzz harness: the dataset readers on arbitrary file contents. The first byte picks the reader:
// a CIFAR-10 batch, a CIFAR-100 batch (two label bytes), an IDX file (Fashion-MNIST), a Penn
// Treebank text file (read growing a vocabulary, then again against it, as valid/test are read).
#include <cstddef>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/data/cifar.hpp"
#include "enas/data/idx.hpp"
#include "enas/data/ptb.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto body = enas::fuzz::as_text(data + 1, size - 1);
    const auto& scratch = enas::fuzz::scratch();
    try {
        switch (data[0] % 4) {
            case 0: {
                enas::data::ImageDataset ds;
                enas::data::append_cifar_file(scratch.write("data_batch_1.bin", body), 1, 10, ds);
                break;
            }
            case 1: {
                enas::data::ImageDataset ds;
                enas::data::append_cifar_file(scratch.write("train.bin", body), 2, 100, ds);
                break;
            }
            case 2: (void)enas::data::read_idx(scratch.write("images-idx3-ubyte", body)); break;
            default: {
                enas::data::Vocabulary vocab;
                const auto file = scratch.write("ptb.train.txt", body);
                (void)enas::data::read_ptb_file(file, vocab, true);
                (void)enas::data::read_ptb_file(file, vocab, false);
            }
        }
    } catch (const enas::Error&) {}
    return 0;
}
