#include "engine/gl/layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/core/error.h"

namespace texel::gl {

namespace {
struct RowsAndSlices {
  int64_t rows = 0;
  int64_t slices = 0;
  int64_t last = 0;
};
RowsAndSlices rowsAndSlices(const Shape& shape) {
  int64_t last = shape.rank() == 0 ? 1 : shape[shape.rank() - 1];
  return {last == 0 ? 0 : shape.size() / last, (last + 3) / 4, last};
}
}  // namespace

int64_t texelCount(const Shape& shape) {
  RowsAndSlices r = rowsAndSlices(shape);
  return r.rows * r.slices;
}

bool fitsOneTexture(const Shape& shape, int maxTextureSize) {
  return texelCount(shape) <= int64_t{maxTextureSize} * maxTextureSize;
}

TextureLayout layoutFor(const Shape& shape, int maxTextureSize, const char* op) {
  TextureLayout layout;
  auto [rows, slices, last] = rowsAndSlices(shape);
  int64_t texels = rows * slices;
  int64_t maxSide = maxTextureSize;
  if (texels == 0) fail(op, ": internal error: no texture layout for empty shape ", shape);
  if (!fitsOneTexture(shape, maxTextureSize))
    fail(op, ": tensor of shape ", shape, " needs ", texels, " RGBA texels, more than one ",
         maxSide, "x", maxSide, " texture holds (MAX_TEXTURE_SIZE ", maxSide, ")");
  layout.rows = rows;
  layout.slices = static_cast<int>(slices);
  layout.last = static_cast<int>(last);
  if (rows <= maxSide && slices <= maxSide) {
    layout.width = static_cast<int>(slices);
    layout.height = static_cast<int>(rows);
    layout.aligned = true;
  } else {
    int64_t width = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(texels))));
    width = std::min(width, maxSide);
    layout.width = static_cast<int>(width);
    layout.height = static_cast<int>((texels + width - 1) / width);
    layout.aligned = false;
  }
  return layout;
}

void packTexels(const TextureLayout& layout, std::span<const float> values,
                std::span<float> texels) {
  std::fill(texels.begin(), texels.end(), 0.0f);
  const size_t last = static_cast<size_t>(layout.last);
  const size_t rowStride = static_cast<size_t>(layout.slices) * 4;
  for (int64_t row = 0; row < layout.rows; ++row)
    std::memcpy(&texels[static_cast<size_t>(row) * rowStride],
                &values[static_cast<size_t>(row) * last], last * sizeof(float));
}

void unpackTexels(const TextureLayout& layout, std::span<const float> texels,
                  std::span<float> values) {
  const size_t last = static_cast<size_t>(layout.last);
  const size_t rowStride = static_cast<size_t>(layout.slices) * 4;
  for (int64_t row = 0; row < layout.rows; ++row)
    std::memcpy(&values[static_cast<size_t>(row) * last],
                &texels[static_cast<size_t>(row) * rowStride], last * sizeof(float));
}

}  // namespace texel::gl
