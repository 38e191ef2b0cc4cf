#include "oracle.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "test_utils.hpp"

namespace enas::test {
namespace fs = std::filesystem;
using nlohmann::json;

OracleCase& OracleCase::input(const std::string& name, const Tensor<float, Cpu>& t, bool g) {
    inputs.push_back({name, t.contiguous(), g});
    return *this;
}
OracleCase& OracleCase::int_input(const std::string& name, const std::vector<std::int64_t>& values,
                                  const Shape& shape) {
    int_inputs[name] = {values, shape};
    return *this;
}
OracleCase& OracleCase::output(const std::string& name, const Tensor<float, Cpu>& ours, const Tensor<float, Cpu>& up) {
    outputs.push_back({name, ours.contiguous(), false});
    if (up.defined()) upstreams.push_back({name, up.contiguous(), false});
    return *this;
}
OracleCase& OracleCase::grad(const std::string& name, const Tensor<float, Cpu>& ours) {
    grads.push_back({name, ours.contiguous(), true});
    return *this;
}
OracleCase& OracleCase::tolerance(double a, double r) {
    atol = a;
    rtol = r;
    return *this;
}

namespace {

json shape_json(const Shape& s) { return json(std::vector<std::int64_t>(s.begin(), s.end())); }

void write_floats(const fs::path& p, const Tensor<float, Cpu>& t) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.numel() * sizeof(float)));
    if (!f) throw std::runtime_error("oracle: cannot write " + p.string());
}

Tensor<double, Cpu> read_doubles(const fs::path& p, const Shape& shape) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw std::runtime_error("oracle: torch did not produce " + p.string());
    Tensor<double, Cpu> t(shape);
    f.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.numel() * sizeof(double)));
    if (f.gcount() != static_cast<std::streamsize>(t.numel() * sizeof(double)))
        throw std::runtime_error("oracle: " + p.string() + " is truncated");
    return t;
}

}  // namespace

bool run_oracle(const std::string& family, std::vector<OracleCase>& cases) {
    char tmpl[] = "/tmp/enas-oracle-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("oracle: cannot create a temporary folder");
    const fs::path dir(tmpl);
    json manifest = json::array();
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const OracleCase& oc = cases[c];
        json jc = {{"op", oc.op},
                   {"attrs", oc.attrs},
                   {"inputs", json::array()},
                   {"outputs", json::array()},
                   {"grads", json::array()}};
        for (const auto& in : oc.inputs) {
            const std::string file = "c" + std::to_string(c) + "_in_" + in.name + ".f32";
            write_floats(dir / file, in.tensor);
            jc["inputs"].push_back({{"name", in.name},
                                    {"shape", shape_json(in.tensor.shape())},
                                    {"file", file},
                                    {"dtype", "float32"},
                                    {"grad", in.grad}});
        }
        for (const auto& [name, vs] : oc.int_inputs) {
            const std::string file = "c" + std::to_string(c) + "_in_" + name + ".i64";
            std::ofstream f(dir / file, std::ios::binary);
            f.write(reinterpret_cast<const char*>(vs.first.data()), static_cast<std::streamsize>(vs.first.size() * 8));
            jc["inputs"].push_back({{"name", name},
                                    {"shape", shape_json(vs.second)},
                                    {"file", file},
                                    {"dtype", "int64"},
                                    {"grad", false}});
        }
        for (const auto& out : oc.outputs) {
            json jo = {{"name", out.name}, {"shape", shape_json(out.tensor.shape())}};
            for (const auto& up : oc.upstreams)
                if (up.name == out.name) {
                    const std::string file = "c" + std::to_string(c) + "_up_" + up.name + ".f32";
                    write_floats(dir / file, up.tensor);
                    jo["upstream"] = file;
                }
            jc["outputs"].push_back(jo);
        }
        for (const auto& g : oc.grads) jc["grads"].push_back(g.name);
        manifest.push_back(jc);
    }
    std::ofstream(dir / "manifest.json") << manifest.dump(1);

    const std::string cmd =
        std::string("\"") + ENAS_ORACLE_PYTHON + "\" \"" + ENAS_ORACLE_SCRIPT + "\" \"" + dir.string() + "\" 2>&1";
    std::printf("oracle[%s]: %s\n", family.c_str(), cmd.c_str());
    std::fflush(stdout);
    const int status = std::system(cmd.c_str());
    if (status != 0) {
        std::printf(
            "oracle[%s]: the torch oracle failed (exit status %d). It needs Debian's python3 with torch "
            "and numpy: apt-get install python3-torch python3-numpy (interpreter: %s)\n",
            family.c_str(), status, ENAS_ORACLE_PYTHON);
        fs::remove_all(dir);
        return false;
    }

    bool all_ok = true;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const OracleCase& oc = cases[c];
        auto compare_one = [&](const std::string& kind, const OracleCase::Named& ours) {
            const fs::path p = dir / ("c" + std::to_string(c) + "_" + kind + "_" + ours.name + ".f64");
            const Tensor<double, Cpu> ref = read_doubles(p, ours.tensor.shape());
            const Comparison cmp = compare(ours.tensor, ref, oc.atol, oc.rtol);
            double ref_max = 0;
            for (std::int64_t i = 0; i < ref.numel(); ++i) ref_max = std::max(ref_max, std::fabs(ref.data()[i]));
            std::printf("oracle[%s] %-28s %-4s %-10s worst rel err %.2e (max abs err %.2e, |torch| max %.3g)%s\n",
                        family.c_str(), oc.label.c_str(), kind == "out" ? "out" : "grad", ours.name.c_str(),
                        cmp.max_abs / std::max(ref_max, 1e-30), cmp.max_abs, ref_max, cmp.ok ? "" : "  MISMATCH");
            if (!cmp.ok) {
                std::printf("%s", cmp.report.c_str());
                all_ok = false;
            }
        };
        for (const auto& o : oc.outputs) compare_one("out", o);
        for (const auto& g : oc.grads) compare_one("grad", g);
    }
    fs::remove_all(dir);
    return all_ok;
}

}  // namespace enas::test
