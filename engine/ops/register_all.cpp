// The one explicit list of op families. Adding a family means adding a line here: no
// static self-registration, which static and Emscripten links can silently drop.
#include "engine/core/registry.h"

namespace texel {

void registerElementwiseOps(std::vector<OpDef>& ops);
void registerMatMulOps(std::vector<OpDef>& ops);
void registerConvOps(std::vector<OpDef>& ops);
void registerReduceOps(std::vector<OpDef>& ops);
void registerSoftmaxOps(std::vector<OpDef>& ops);
void registerShapeOps(std::vector<OpDef>& ops);
void registerMovementOps(std::vector<OpDef>& ops);
void registerScanOps(std::vector<OpDef>& ops);
void registerNormOps(std::vector<OpDef>& ops);
void registerImageOps(std::vector<OpDef>& ops);
void registerOptimizerOps(std::vector<OpDef>& ops);

void registerAllOps(std::vector<OpDef>& ops) {
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
