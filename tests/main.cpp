// The test runner: the same doctest suite natively (headless EGL on Mesa) and in the
// browser (WebGL2, compiled with Emscripten). Both print doctest's summary last.
#define DOCTEST_CONFIG_IMPLEMENT
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEXEL_LEAK_CHECK 1
#include <sanitizer/lsan_interface.h>
#endif
#endif
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "platform/platform.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {
std::shared_ptr<GlContext> g_context;
std::shared_ptr<GlBackend> g_gl;
std::shared_ptr<GlBackend> g_glFolded;
std::shared_ptr<GlBackend> g_glHalf;

// Prints the per-op error table just before doctest's own summary (listeners run first).
struct ErrorReportListener : doctest::IReporter {
  explicit ErrorReportListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override { printErrorReport(); }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("error-report", 1, ErrorReportListener);
}  // namespace

GlBackend& gl() {
  return *g_gl;
}
GlBackend& glFolded() {
  return *g_glFolded;
}
GlBackend* glHalf() {
  return g_glHalf.get();
}
std::shared_ptr<GlContext> context() {
  return g_context;
}

}  // namespace texel::test

int main(int argc, char** argv) {
  using namespace texel;
  try {
    test::g_context = platform::createDefaultContext();
    GlOptions options;
    options.checkErrorsEveryPass = true;
    test::g_gl = GlBackend::create(test::g_context, options);
    GlOptions halfOptions = options;
    halfOptions.forceHalfFloat = true;
    if (test::g_gl->info().halfFloatRenderable)
      test::g_glHalf = GlBackend::create(test::g_context, halfOptions);
    // The folded backend checks GL errors as releases do (once per readback), so every
    // case also runs that way.
    options.maxTextureSize = test::kFoldedMaxTextureSize;
    options.checkErrorsEveryPass = false;
    test::g_glFolded = GlBackend::create(test::g_context, options);
  } catch (const std::exception& e) {
    std::printf("could not set up the GL backend: %s\n", e.what());
    return 2;
  }
  const GlInfo& info = test::g_gl->info();
  std::printf("texel tests on %s: %s | %s | MAX_TEXTURE_SIZE %d\n", info.platform.c_str(),
              info.version.c_str(), info.renderer.c_str(), info.maxTextureSize);
  std::fflush(stdout);
  doctest::Context context(argc, argv);
  int result = context.run();
  test::g_glFolded.reset();
  test::g_glHalf.reset();
  test::g_gl.reset();
#if TEXEL_LEAK_CHECK
  // Every texel object is gone now, the GL driver is still loaded: check for leaks here.
  // At exit, after eglTerminate unloaded the driver, its teardown allocations would show
  // as leaks from an unknown module (nothing of texel's could be told apart from them).
  __lsan_do_leak_check();
#endif
  test::g_context.reset();
#ifdef __EMSCRIPTEN__
  // After an ASYNCIFY sleep (the async readback test) main's return value no longer
  // reaches the page; exit() always does.
  std::exit(result);
#endif
  return result;
}
