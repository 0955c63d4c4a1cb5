#pragma once
// texel's model file: one little-endian binary file holding a model's topology and
// weights.
//   header   "TEXELMDL", u32 format version (1), u32 section count
//   section  u32 tag ("TOPO" or "WGHT"), u64 payload length, payload, u32 CRC32 of payload
//   TOPO     the graph: inputs (name, shape) and layers (class, configuration, inbound nodes)
//   WGHT     u8 dtype (0 float32, 1 float16), then each weight: name, shape, values
// Loading checks every length against the bytes that are left before allocating, every
// CRC, the version and the tags, and names the problem in a texel::Error. Saving writes a
// temporary file next to the target and renames it over the target, so an interrupted
// save leaves the old file (or none), never a broken one.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/layers/model.h"

namespace texel {

inline constexpr uint32_t kModelFormatVersion = 1;

struct SaveOptions {
  // Weights as IEEE binary16 (round to nearest even): half the file; predictions change
  // by the rounding of every weight (relative 2^-11 each; the MNIST model's accuracy
  // difference is reported in assets/README.md).
  bool float16 = false;
};

std::vector<uint8_t> serializeModel(Model& model, const SaveOptions& options = {});
void saveModel(Model& model, const std::string& path, const SaveOptions& options = {});

Model loadModel(Backend& backend, std::span<const uint8_t> bytes);
Model loadModelFile(Backend& backend, const std::string& path);

// CRC-32 (IEEE 802.3, the zlib/PNG one).
uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace texel
