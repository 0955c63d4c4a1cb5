// The native half of the TF.js import test (tests/tfjs_import/tfjs_import.test.mjs): loads a
// model directory written by TF.js (model.json + shards + inputs.json), predicts on the
// chosen backend and prints {"shape", "values"} as JSON on stdout; with --export it also
// writes the model back in TF.js's format, for TF.js to load. Errors go to stderr, exit 1.
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/cpu/cpu_backend.h"
#include "engine/texel.h"
#include "platform/platform.h"

int main(int argc, char** argv) {
  CLI::App app{"Predict with a TF.js layers model imported into texel"};
  std::string dir, backendName = "cpu", exportDir;
  app.add_option("model_dir", dir, "directory with model.json, shards and inputs.json")->required();
  app.add_option("--backend", backendName, "cpu or gl")->check(CLI::IsMember({"cpu", "gl"}));
  app.add_option("--export", exportDir, "also write the imported model here (TF.js format)");
  CLI11_PARSE(app, argc, argv);
  try {
    std::shared_ptr<texel::Backend> backend;
    if (backendName == "gl")
      backend = texel::GlBackend::create(texel::platform::createDefaultContext());
    else
      backend = texel::CpuBackend::create();
    texel::Model model = texel::loadTfjsLayersModelFile(*backend, dir + "/model.json");
    std::ifstream in(dir + "/inputs.json");
    if (!in) throw texel::Error("check_import: cannot open " + dir + "/inputs.json");
    nlohmann::json inputs = nlohmann::json::parse(in);
    std::vector<texel::Tensor> xs;
    for (const auto& x : inputs) {
      texel::Shape shape(x["shape"].get<std::vector<int64_t>>());
      std::vector<float> values = x["values"].get<std::vector<float>>();
      xs.push_back(texel::tensor(*backend, shape, values));
    }
    texel::Tensor y = model.predict(xs);
    if (!exportDir.empty()) texel::saveTfjsLayersModel(model, exportDir, 1024);
    nlohmann::json out{{"shape", y.shape().dims()}, {"values", y.data()}};
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "check_import: %s\n", e.what());
    return 1;
  }
}
