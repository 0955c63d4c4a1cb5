#pragma once
// The logical-to-texture mapping ("C4 layout", see docs/ARCHITECTURE.md):
//  - a tensor is viewed as rows x last, rows = product of all dimensions but the last;
//  - each row is packed 4 values per RGBA texel: slices = ceil(last / 4) texels, the
//    unused lanes of the final texel hold 0;
//  - texel t = row * slices + slice; when rows and slices both fit the device's
//    MAX_TEXTURE_SIZE the texture is slices x rows ("aligned": texel (slice, row));
//    otherwise it is folded into a near-square width x height with t = y * width + x.
// In both cases the texture's memory, read row by row, is the texels in order of t.
#include <cstdint>
#include <span>

#include "engine/core/shape.h"

namespace texel::gl {

struct TextureLayout {
  int64_t rows = 1;
  int slices = 1;
  int last = 1;
  int width = 1;
  int height = 1;
  bool aligned = true;

  int64_t texels() const { return rows * slices; }
  int64_t capacityTexels() const { return int64_t{width} * height; }
  bool operator==(const TextureLayout&) const = default;
};

// RGBA texels the layout of `shape` needs (0 for empty tensors).
int64_t texelCount(const Shape& shape);
// Whether one maxTextureSize x maxTextureSize texture can hold `shape` (layoutFor succeeds).
bool fitsOneTexture(const Shape& shape, int maxTextureSize);

// Throws texel::Error (naming `op`) when the tensor needs more than maxTextureSize^2 texels.
TextureLayout layoutFor(const Shape& shape, int maxTextureSize, const char* op = "tensor");

// values (row-major, rows*last floats) -> width*height*4 floats, zero padded.
void packTexels(const TextureLayout& layout, std::span<const float> values,
                std::span<float> texels);
// width*height*4 floats -> values (rows*last floats).
void unpackTexels(const TextureLayout& layout, std::span<const float> texels,
                  std::span<float> values);

}  // namespace texel::gl
