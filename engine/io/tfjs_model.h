#pragma once
// TensorFlow.js's layers-model format, read and written: model.json (the Keras topology
// under "modelTopology", and "weightsManifest": groups of binary shard paths with the
// name, shape, dtype and quantization of every weight they hold) plus the shards.
//
// Import maps Keras class names and snake_case configurations onto texel's layers
// (Sequential and functional graphs; every layer class texel has, and the layer forms of
// activations: ReLU, LeakyReLU, ELU, Softmax). A class, configuration value, dtype or
// quantization texel cannot represent is a texel::Error naming the layer and the key;
// nothing is silently replaced by a default. Weights stored as uint8/uint16 (value =
// q * scale + min) or float16 are dequantized to float32. Initializers are kept (they
// matter only if the model is re-initialised); Keras's "truncated_normal" maps to texel's
// *Normal initializers, which draw from a truncated normal of the same variance without
// Keras's 0.88 stddev correction.
//
// Export writes the same format as a functional "Model" with float32 weights, so TF.js's
// tf.loadLayersModel opens a model trained in texel.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/layers/model.h"

namespace texel {

// The shard paths of model.json, in the order importTfjsLayersModel wants their bytes:
// every group's paths, groups in manifest order. Paths are relative to the json's URL.
std::vector<std::string> tfjsWeightPaths(std::string_view modelJson);

// A model from model.json's text and the bytes of its shards (tfjsWeightPaths order).
Model importTfjsLayersModel(Backend& backend, std::string_view modelJson,
                            const std::vector<std::vector<uint8_t>>& weightShards);
// model.json at `path`, its shards read from beside it.
Model loadTfjsLayersModelFile(Backend& backend, const std::string& path);

struct TfjsArtifacts {
  std::string modelJson;
  struct Shard {
    std::string path;  // relative to model.json: "group1-shard1of2.bin"
    std::vector<uint8_t> bytes;
  };
  std::vector<Shard> shards;
};
// shardBytes: the largest shard (TF.js writes 4 MiB shards).
TfjsArtifacts exportTfjsLayersModel(Model& model, size_t shardBytes = 4 << 20);
// Writes model.json and its shards into `directory` (created if missing); each file is
// written to a temporary name and renamed, model.json last.
void saveTfjsLayersModel(Model& model, const std::string& directory, size_t shardBytes = 4 << 20);

}  // namespace texel
