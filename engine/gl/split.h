#pragma once
// Tensors too big for one texture (more than MAX_TEXTURE_SIZE^2 texels): their leading
// dimension is cut into chunks that each fit one texture, every chunk an ordinary GL
// tensor. Uploads and readback handle them here; ops run on them through their registry
// row's split kernel (OpDef::splitKernel), and ops without one fail with a clear error.
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
// The split storage of a split tensor.
const GlSplitStorage& splitStorage(const Tensor& tensor);
// Rows of the leading dimension per chunk for a tensor of `shape` (0: not even one row
// of the leading dimension fits a texture, so the tensor cannot be split).
int64_t rowsPerChunk(const Shape& shape, int maxTextureSize);
// A split tensor of `spec` from its row chunks, `rows` rows of the leading dimension each.
Tensor makeSplit(GlBackend& backend, const TensorSpec& spec, std::vector<Tensor> chunks,
                 int64_t rows);
// "more than one 8192x8192 texture holds", for messages.
std::string splitLimitText(const GlBackend& backend);
// Runs an op call some of whose tensors are split (GlBackend::runKernel sends it here):
// the row's split kernel, else an error naming the op, the call and the ops that can.
std::vector<Tensor> runSplit(GlBackend& backend, const OpContext& ctx);

}  // namespace gl
}  // namespace texel
