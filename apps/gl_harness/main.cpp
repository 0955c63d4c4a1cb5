// gl_harness: runs every registered op on a real GL context against the CPU reference
// and prints one row per op. Headless EGL by default; --window opens a GLFW window.
//   gl_harness [--window] [--filter OP] [--no-folded] [--no-f16] [--json]
// Every case runs on the default backend, a folded-texture backend and a backend forced
// to half-float storage (the f16 columns), each against the CPU reference.
// Exit code: 0 all ops agree, 1 any mismatch, 2 no usable GL context or bad arguments.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "apps/gl_harness/conformance.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

void printInfo(const texel::GlInfo& info, int foldedSide) {
  std::printf("platform       %s\n", info.platform.c_str());
  std::printf("GL version     %s\n", info.version.c_str());
  std::printf("GLSL version   %s\n", info.shadingLanguage.c_str());
  std::printf("renderer       %s\n", info.renderer.c_str());
  std::printf("vendor         %s\n", info.vendor.c_str());
  std::printf(
      "limits         MAX_TEXTURE_SIZE %d, MAX_TEXTURE_IMAGE_UNITS %d, MAX_DRAW_BUFFERS %d\n",
      info.maxTextureSize, info.maxTextureImageUnits, info.maxDrawBuffers);
  std::printf("float targets  RGBA32F %s, RGBA16F %s\n",
              info.floatRenderable ? "renderable" : "not renderable",
              info.halfFloatRenderable ? "renderable" : "not renderable");
  std::printf("extensions     %zu:", info.extensions.size());
  for (const std::string& e : info.extensions) std::printf(" %s", e.c_str());
  std::printf("\n");
  if (foldedSide > 0)
    std::printf("folded check   every case also runs with textures capped at %dx%d\n", foldedSide,
                foldedSide);
  std::printf("\n");
}

int usage() {
  std::fprintf(stderr,
               "usage: gl_harness [--window] [--filter OP] [--no-folded] [--no-f16] [--json]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool window = false, folded = true, half = true, json = false;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--window")) {
      window = true;
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else if (!std::strcmp(argv[i], "--no-folded")) {
      folded = false;
    } else if (!std::strcmp(argv[i], "--no-f16")) {
      half = false;
    } else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) {
      filter = argv[++i];
    } else {
      return usage();
    }
  }
  constexpr int kFoldedSide = 32;  // small enough that modest shapes fold
  try {
    std::shared_ptr<texel::GlContext> context;
#ifdef __EMSCRIPTEN__
    context = texel::platform::createDefaultContext();
    (void)window;
#else
    if (window)
      context = texel::platform::createWindowContext(640, 480, "texel gl_harness");
    else
      context = texel::platform::createHeadlessContext();
#endif
    texel::GlOptions options;
    options.checkErrorsEveryPass = true;
    auto backend = texel::GlBackend::create(context, options);
    std::shared_ptr<texel::GlBackend> foldedBackend;
    std::shared_ptr<texel::GlBackend> halfBackend;
    if (half && backend->info().halfFloatRenderable) {
      texel::GlOptions halfOptions = options;
      halfOptions.forceHalfFloat = true;
      halfBackend = texel::GlBackend::create(context, halfOptions);
    }
    if (folded) {
      options.maxTextureSize = kFoldedSide;
      foldedBackend = texel::GlBackend::create(context, options);
    }
    if (!json) {
      printInfo(backend->info(), folded ? kFoldedSide : 0);
      if (backend->halfFloat())
        std::printf("precision      float32 tensors are stored as RGBA16F (no RGBA32F targets)\n");
      if (halfBackend)
        std::printf(
            "f16 check      every case also runs with forced RGBA16F storage, inputs "
            "rounded to f16, tolerance %.0e\n\n",
            texel::verify::kHalfTolerance);
    }
    auto rows =
        texel::harness::runConformance(*backend, foldedBackend.get(), halfBackend.get(), filter);
    if (rows.empty()) {
      std::fprintf(stderr, "gl_harness: no op matches --filter %s\n", filter.c_str());
      return 2;
    }
    bool ok = json ? texel::harness::printJson(rows) : texel::harness::printReport(rows);
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("gl_harness: %s\n", e.what());
    return 2;
  }
}
