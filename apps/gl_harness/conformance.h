#pragma once
// The GL conformance suite behind apps/gl_harness: every registered op's cases
// (tests/cases/<family>.cpp: awkward sizes, broadcasting, folded layouts) run on a GL
// backend against the CPU reference, summarised as one row per op.
#include <string>
#include <vector>

#include "engine/gl/gl_backend.h"
#include "engine/verify/verify.h"

namespace texel::harness {

// Every conformance case of `op`, with the cases sized against `maxTextureSize` (empty
// when it has none, which the run reports as a failure).
std::vector<verify::OpCase> casesFor(const std::string& op, int maxTextureSize);

// Whether the case's inputs and outputs each fit one texture of maxTextureSize a side
// (cases that do not are skipped on backends capped below the device limit).
bool fitsTextures(const verify::OpCase& opCase, int maxTextureSize);

struct OpRow {
  std::string op;
  int cases = 0;
  double maxAbs = 0.0;
  double maxRel = 0.0;
  double tolerance = 0.0;  // the loosest tolerance among the op's cases
  // The same cases on a backend forced to half-float storage (when one was given).
  int halfCases = 0;
  double halfMaxRel = 0.0;
  double halfTolerance = 0.0;
  bool ok = true;
  std::vector<std::string> failures;  // one line per failing case (first few kept)
};

// Runs every registered op whose name contains `filter` (all when empty). When
// `foldedBackend` is given, cases small enough also run there (folded textures); when
// `halfBackend` is given (a backend in half-float mode), every case runs there too with
// verify::halfTolerance.
std::vector<OpRow> runConformance(GlBackend& backend, GlBackend* foldedBackend,
                                  GlBackend* halfBackend, const std::string& filter);

// Prints the table and a summary line; returns true when every row is ok.
bool printReport(const std::vector<OpRow>& rows);
// The same as one JSON object {"ops": [...], "ok": bool} on one line, for machines.
bool printJson(const std::vector<OpRow>& rows);

}  // namespace texel::harness
