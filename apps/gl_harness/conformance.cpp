#include "apps/gl_harness/conformance.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/registry.h"
#include "engine/gl/layout.h"
#include "tests/cases/cases.h"

namespace texel::harness {

using verify::OpCase;

std::vector<OpCase> casesFor(const std::string& op, int maxTextureSize) {
  const cases::OpCases* entry = cases::table().find(op);
  if (!entry) return {};
  std::vector<OpCase> all = entry->conformance;
  if (!all.empty() && entry->limit)
    for (OpCase& c : entry->limit(maxTextureSize)) all.push_back(std::move(c));
  return all;
}

bool fitsTextures(const OpCase& c, int maxTextureSize) {
  std::vector<TensorSpec> inputs = verify::inputSpecs(c);
  std::vector<TensorSpec> outputs = inferOp(c.op, inputs, c.attrs);
  for (const auto* specs : {&inputs, &outputs})
    for (const TensorSpec& spec : *specs)
      if (!gl::fitsOneTexture(spec.shape, maxTextureSize)) return false;
  return true;
}

std::vector<OpRow> runConformance(GlBackend& backend, GlBackend* folded, GlBackend* half,
                                  const std::string& filter) {
  std::vector<OpRow> rows;
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    if (!filter.empty() && op.find(filter) == std::string::npos) continue;
    OpRow row;
    row.op = op;
    std::vector<OpCase> cases = casesFor(op, backend.maxTextureSize());
    if (cases.empty()) {
      row.ok = false;
      row.failures.push_back(op + ": no conformance cases (add them to tests/cases/" +
                             std::string(def.family) + ".cpp)");
    }
    auto fail = [&row](std::string message) {
      row.ok = false;
      if (row.failures.size() < 5) row.failures.push_back(std::move(message));
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
      OpCase& c = cases[i];
      c.seed = i + 1;
      row.tolerance = std::max(row.tolerance, c.tolerance);
      std::vector<std::pair<const char*, GlBackend*>> targets = {{"gl", &backend}};
      if (half) targets.push_back({"gl-f16", half});
      try {
        if (folded && fitsTextures(c, folded->maxTextureSize()))
          targets.push_back({"gl-folded", folded});
      } catch (const Error& e) {
        fail(verify::describe(c) + ": " + e.what());
        continue;
      }
      for (auto [label, target] : targets) {
        try {
          bool isHalf = target == half;
          double tolerance = isHalf ? verify::halfTolerance(c) : c.tolerance;
          std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *target, isHalf);
          if (checks.empty())
            fail(std::string(label) + ": " + verify::describe(c) + ": no outputs");
          for (std::size_t k = 0; k < checks.size(); ++k) {
            if (isHalf) {
              row.halfMaxRel = std::max(row.halfMaxRel, checks[k].comparison.maxRel);
            } else {
              row.maxAbs = std::max(row.maxAbs, checks[k].comparison.maxAbs);
              row.maxRel = std::max(row.maxRel, checks[k].comparison.maxRel);
            }
            if (!checks[k].ok(tolerance)) fail(checks[k].explain(label, c, k));
          }
          if (target == &backend) ++row.cases;
          if (isHalf) {
            ++row.halfCases;
            row.halfTolerance = std::max(row.halfTolerance, tolerance);
          }
        } catch (const Error& e) {
          fail(std::string(label) + ": " + verify::describe(c) + ": " + e.what());
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool printReport(const std::vector<OpRow>& rows) {
  bool anyHalf = false;
  for (const OpRow& row : rows) anyHalf = anyHalf || row.halfCases > 0;
  std::printf("%-22s %6s %12s %12s %10s", "op", "cases", "max abs err", "max rel err", "tolerance");
  if (anyHalf) std::printf(" %12s %8s", "f16 rel err", "f16 tol");
  std::printf("  %s\n", "ok");
  int failed = 0, cases = 0;
  for (const OpRow& row : rows) {
    std::printf("%-22s %6d %12.3g %12.3g %10.0e", row.op.c_str(), row.cases, row.maxAbs, row.maxRel,
                row.tolerance);
    if (anyHalf) std::printf(" %12.3g %8.0e", row.halfMaxRel, row.halfTolerance);
    std::printf("  %s\n", row.ok ? "ok" : "FAIL");
    cases += row.cases;
    if (!row.ok) ++failed;
  }
  for (const OpRow& row : rows)
    for (const std::string& failure : row.failures) std::printf("  FAIL %s\n", failure.c_str());
  std::printf("gl_harness: %zu ops, %d cases, %d ops failed: %s\n", rows.size(), cases, failed,
              failed == 0 && !rows.empty() ? "PASS" : "FAIL");
  std::fflush(stdout);
  return failed == 0 && !rows.empty();
}

namespace {
// JSON has no Inf or NaN.
nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}
}  // namespace

bool printJson(const std::vector<OpRow>& rows) {
  bool ok = !rows.empty();
  nlohmann::json ops = nlohmann::json::array();
  for (const OpRow& r : rows) {
    ok = ok && r.ok;
    ops.push_back({{"op", r.op},
                   {"cases", r.cases},
                   {"maxAbs", number(r.maxAbs)},
                   {"maxRel", number(r.maxRel)},
                   {"tolerance", number(r.tolerance)},
                   {"f16Cases", r.halfCases},
                   {"f16MaxRel", number(r.halfMaxRel)},
                   {"f16Tolerance", number(r.halfTolerance)},
                   {"ok", r.ok},
                   {"failures", r.failures}});
  }
  // Failure messages quote driver logs: invalid UTF-8 is replaced, never thrown on.
  std::string text = nlohmann::json{{"ops", ops}, {"ok", ok}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
  return ok;
}

}  // namespace texel::harness
