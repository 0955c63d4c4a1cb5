#pragma once
// Tensors too big for one texture (more than MAX_TEXTURE_SIZE^2 texels): their leading
// dimension is cut into chunks that each fit one texture, every chunk an ordinary GL
// tensor. Uploads, readback and the ops that work row by row (elementwise ops, cast,
// matMul by row blocks of its first operand, softmax over a later axis) and gather from
// a split table along axis 0 handle them; any other op given one throws a clear error.
#include <vector>

#include "engine/core/registry.h"
#include "engine/core/tensor.h"

namespace texel {

class GlBackend;

class GlSplitStorage : public Storage {
 public:
  GlSplitStorage(std::vector<Tensor> chunks, int64_t rowsPerChunk)
      : chunks_(std::move(chunks)), rowsPerChunk_(rowsPerChunk) {}
  const std::vector<Tensor>& chunks() const { return chunks_; }
  int64_t rowsPerChunk() const { return rowsPerChunk_; }  // the last chunk may hold fewer

 private:
  std::vector<Tensor> chunks_;
  int64_t rowsPerChunk_;
};

namespace gl {

bool isSplit(const Tensor& tensor);
// Rows of the leading dimension per chunk for a tensor of `shape` (0: not even one row
// of the leading dimension fits a texture, so the tensor cannot be split).
int64_t rowsPerChunk(const Shape& shape, int maxTextureSize);
// Runs an op call some of whose tensors are split (GlBackend::runKernel sends it here).
std::vector<Tensor> runSplit(GlBackend& backend, const OpContext& ctx);

}  // namespace gl
}  // namespace texel
