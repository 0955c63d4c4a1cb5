// Writes the seed corpora under tests/fuzz/corpus (committed; run again after a model
// format change): one small model file per layer family for fuzz_model_loader, and a few
// shape + buffer inputs for fuzz_tensor.
//   make_fuzz_corpus <tests/fuzz/corpus>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/texel.h"

namespace L = texel::layers;
using texel::Model;

namespace {

void write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The loader harness reads its first byte as mode bits (1: fix the CRCs, 2: run predict).
std::vector<uint8_t> modelSeed(Model& model, bool f16) {
  std::vector<uint8_t> bytes = {3};
  std::vector<uint8_t> file = texel::serializeModel(model, {.float16 = f16});
  bytes.insert(bytes.end(), file.begin(), file.end());
  return bytes;
}

std::vector<uint8_t> tensorSeed(std::vector<int32_t> dims, std::vector<int32_t> reshaped,
                                std::vector<float> values) {
  std::vector<uint8_t> bytes;
  auto put = [&](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  };
  for (auto* shape : {&dims, &reshaped}) {
    uint8_t rank = static_cast<uint8_t>(shape->size());
    put(&rank, 1);
    put(shape->data(), shape->size() * 4);
  }
  put(values.data(), values.size() * 4);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus <corpus dir>\n");
    return 2;
  }
  std::string dir = argv[1];
  for (const char* sub : {"/model_loader", "/tfjs_import", "/tensor"})
    std::filesystem::create_directories(dir + sub);
  texel::Backend& cpu = texel::cpu();
  struct Seed {
    const char* name;
    texel::Shape input;
    std::vector<std::shared_ptr<texel::Layer>> layers;
  };
  std::vector<Seed> seeds = {
      {"dense", {5}, {L::dense({.units = 3, .activation = "tanh"})}},
      {"conv2d",
       {6, 6, 2},
       {L::conv2d({.filters = 2, .padding = "same"}), L::maxPooling2d(), L::flatten(),
        L::dense({.units = 2, .activation = "softmax"})}},
      {"depthwise", {5, 5, 2}, {L::depthwiseConv2d({}), L::globalAveragePooling2d()}},
      {"separable", {5, 5, 2}, {L::separableConv2d({.filters = 2}), L::globalMaxPooling2d()}},
      {"transpose", {3, 3, 1}, {L::conv2dTranspose({.filters = 1, .strides = {2, 2}})}},
      {"conv1d",
       {6, 2},
       {L::conv1d({.filters = 2, .kernelSize = 3}), L::maxPooling1d({}),
        L::globalAveragePooling1d()}},
      {"norm",
       {2, 3},
       {L::reshape({3, -1}), L::batchNormalization(), L::dropout({.rate = 0.5}),
        L::activation("relu")}},
      {"embedding", {4}, {L::embedding({.inputDim = 6, .outputDim = 2}), L::flatten()}},
  };
  for (Seed& seed : seeds) {
    Model model = Model::sequential(cpu, seed.input, seed.layers, 1);
    write(dir + "/model_loader/" + seed.name + ".bin", modelSeed(model, false));
    write(dir + "/model_loader/" + seed.name + "_f16.bin", modelSeed(model, true));
    // The TF.js importer's input: a flag byte, model.json, NUL, the shards' bytes.
    texel::TfjsArtifacts tfjs = texel::exportTfjsLayersModel(model);
    std::vector<uint8_t> input{2};
    input.insert(input.end(), tfjs.modelJson.begin(), tfjs.modelJson.end());
    input.push_back(0);
    for (const auto& shard : tfjs.shards)
      input.insert(input.end(), shard.bytes.begin(), shard.bytes.end());
    write(dir + "/tfjs_import/" + seed.name + ".bin", input);
  }
  write(dir + "/tensor/matrix.bin", tensorSeed({2, 3}, {3, 2}, {1, 2, 3, 4, 5, 6}));
  write(dir + "/tensor/scalar.bin", tensorSeed({}, {1}, {7}));
  write(dir + "/tensor/empty.bin", tensorSeed({0, 4}, {4, 0}, {}));
  write(dir + "/tensor/infer.bin", tensorSeed({4}, {-1, 2}, {1, -0.0f, 1e30f, 3}));
  write(dir + "/tensor/negative.bin", tensorSeed({2, -2}, {4}, {1, 2, 3, 4}));
  write(dir + "/tensor/overflow.bin", tensorSeed({65536, 65536}, {1}, {0}));
  write(dir + "/tensor/rank7.bin", tensorSeed({1, 1, 1, 1, 1, 1, 1}, {1}, {0}));
  std::printf(
      "make_fuzz_corpus: %zu models, %zu TF.js models and 7 tensor inputs written under %s\n",
      seeds.size() * 2, seeds.size(), dir.c_str());
  return 0;
}
