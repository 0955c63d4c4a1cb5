#pragma once
// texel: a tensor engine whose GPU backend runs every op as a WebGL2 / OpenGL ES 3.0
// fragment pass over RGBA float textures. Include this header for the whole engine API.
#include "engine/autodiff/tape.h"
#include "engine/core/backend.h"
#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/core/registry.h"
#include "engine/core/tensor.h"
#include "engine/core/warmup.h"
#include "engine/gl/gl_backend.h"
#include "engine/gl/gl_context.h"
#include "engine/ops/ops.h"
#include "engine/train/losses.h"
#include "engine/train/optimizer.h"
#include "engine/verify/verify.h"
