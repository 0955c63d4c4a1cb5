#include "engine/gl/split.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/gl/gl_backend.h"
#include "engine/gl/layout.h"

namespace texel::gl {

bool isSplit(const Tensor& tensor) {
  return dynamic_cast<const GlSplitStorage*>(tensor.storage().get()) != nullptr;
}

const GlSplitStorage& splitStorage(const Tensor& tensor) {
  const auto* split = dynamic_cast<const GlSplitStorage*>(tensor.storage().get());
  if (!split) fail("internal error: tensor of shape ", tensor.shape(), " is not split");
  return *split;
}

int64_t rowsPerChunk(const Shape& shape, int maxTextureSize) {
  if (shape.rank() == 0 || shape[0] == 0) return 0;
  Shape one = shape;
  one[0] = 1;
  int64_t perRow = texelCount(one);
  return perRow == 0 ? 0 : int64_t{maxTextureSize} * maxTextureSize / perRow;
}

Tensor makeSplit(GlBackend& backend, const TensorSpec& spec, std::vector<Tensor> chunks,
                 int64_t rows) {
  return Tensor(backend.shared_from_this(), spec.shape, spec.dtype,
                std::make_shared<GlSplitStorage>(std::move(chunks), rows));
}

std::string splitLimitText(const GlBackend& backend) {
  return concat("more than one ", backend.maxTextureSize(), "x", backend.maxTextureSize(),
                " texture holds");
}

namespace {

// "elementwise ops and cast (by rows), matMul and fusedMatMul (by rows of ...)": the ops
// whose rows declare a split kernel, grouped by how they split, whole families named once.
std::string splitCapableOps() {
  const std::vector<OpDef>& all = OpRegistry::instance().all();
  std::vector<std::string_view> notes;
  for (const OpDef& def : all)
    if (def.supportsSplit() && !def.composite &&
        std::find(notes.begin(), notes.end(), def.splitNote) == notes.end())
      notes.push_back(def.splitNote);
  std::string text;
  for (std::string_view note : notes) {
    std::vector<std::string> names;
    std::vector<std::string_view> families;
    for (const OpDef& def : all) {
      if (!def.supportsSplit() || def.composite || def.splitNote != note) continue;
      bool wholeFamily = true;
      for (const OpDef& other : all)
        if (other.family == def.family && !other.composite &&
            (!other.supportsSplit() || other.splitNote != note))
          wholeFamily = false;
      if (!wholeFamily) {
        names.emplace_back(def.name);
      } else if (std::find(families.begin(), families.end(), def.family) == families.end()) {
        families.push_back(def.family);
        names.push_back(concat(def.family, " ops"));
      }
    }
    std::string group;
    for (size_t i = 0; i < names.size(); ++i)
      group += concat(i == 0 ? "" : (i + 1 == names.size() ? " and " : ", "), names[i]);
    text += concat(text.empty() ? "" : "; ", group, " ", note);
  }
  return text;
}

}  // namespace

std::vector<Tensor> runSplit(GlBackend& backend, const OpContext& ctx) {
  if (ctx.def.splitKernel)
    if (std::optional<std::vector<Tensor>> result = ctx.def.splitKernel(ctx)) return *result;
  fail(ctx.op, ": ", describeCall(ctx.op, specsOf(ctx.inputs), ctx.attrs),
       " involves a tensor needing ", splitLimitText(backend),
       "; such tensors are split over several textures, which ", ctx.op,
       (ctx.def.supportsSplit() ? concat(" handles only ", ctx.def.splitNote)
                                : std::string(" does not support")),
       " (split tensors work with ", splitCapableOps(), ")");
}

}  // namespace texel::gl
