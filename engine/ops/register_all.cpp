// The one explicit list of op families. Adding a family means adding a line here: no
// static self-registration, which static and Emscripten links can silently drop.
#include "engine/core/registry.h"

namespace texel {

void registerElementwiseOps(OpList& ops);
void registerMatMulOps(OpList& ops);
void registerConvOps(OpList& ops);
void registerReduceOps(OpList& ops);
void registerSoftmaxOps(OpList& ops);
void registerShapeOps(OpList& ops);
void registerMovementOps(OpList& ops);
void registerScanOps(OpList& ops);
void registerNormOps(OpList& ops);
void registerImageOps(OpList& ops);
void registerOptimizerOps(OpList& ops);

void registerAllOps(OpList& ops) {
  registerElementwiseOps(ops);
  registerMatMulOps(ops);
  registerConvOps(ops);
  registerReduceOps(ops);
  registerSoftmaxOps(ops);
  registerShapeOps(ops);
  registerMovementOps(ops);
  registerScanOps(ops);
  registerNormOps(ops);
  registerImageOps(ops);
  registerOptimizerOps(ops);
}

}  // namespace texel
