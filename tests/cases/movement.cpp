// Cases of the movement family: slice, stridedSlice, reverse, tile, pad, broadcastTo,
// concat, stack, unstack, split, expandDims, squeeze, gather, gatherGrad, oneHot, cast.
// Data movement is exact: tolerance 0 unless a case sums.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

// One exact case of `op`.
struct Adder {
  OpCases& cases;
  std::string op;
  void operator()(std::vector<Shape> shapes, Attrs attrs, std::vector<DType> dtypes = {},
                  std::vector<Range> ranges = {}) const {
    cases.conformance.push_back(
        {op, std::move(shapes), std::move(attrs), std::move(ranges), 0.0, 1, std::move(dtypes)});
  }
};

Attrs strided(std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s,
              int64_t beginMask = 0, int64_t endMask = 0, int64_t shrink = 0) {
  return Attrs()
      .setInts("begin", b)
      .setInts("end", e)
      .setInts("strides", s)
      .setInt("beginMask", beginMask)
      .setInt("endMask", endMask)
      .setInt("shrinkAxisMask", shrink);
}

Attrs paddings(std::vector<int64_t> p, const char* mode, double value = 0.0) {
  return Attrs().setInts("paddings", p).setString("mode", mode).setFloat("constantValue", value);
}

Attrs axis(int64_t a) {
  return Attrs().setInt("axis", a);
}

}  // namespace

void addMovementCases(CaseTable& t) {
  Adder slice{t.op("slice"), "slice"};
  slice({{4097}}, Attrs().setInts("begin", {3}).setInts("size", {4001}));
  slice({{5, 7}}, Attrs().setInts("begin", {1, 4}).setInts("size", {3, -1}));
  slice({{3, 5, 9}}, Attrs().setInts("begin", {0, 1, 4}).setInts("size", {3, 3, 5}));
  slice({{2, 3, 4, 5}}, Attrs().setInts("begin", {1}).setInts("size", {1}));
  slice({{1}}, Attrs().setInts("begin", {0}).setInts("size", {1}), {DType::Int32});
  t.op("slice").gradient = {
      {"slice", {{4, 5}}, Attrs().setInts("begin", {1, 2}).setInts("size", {2, 3})}};
  t.op("slice").limit = [](int side) {
    return std::vector<OpCase>{{"slice",
                                {{4 * int64_t{side} + 5}},
                                Attrs().setInts("begin", {3}).setInts("size", {4 * int64_t{side}}),
                                {},
                                0.0}};
  };

  Adder stridedSlice{t.op("stridedSlice"), "stridedSlice"};
  stridedSlice({{4097}}, strided({1}, {-1}, {3}));
  stridedSlice({{7, 9}}, strided({-1, 0}, {0, 9}, {-2, 2}));
  stridedSlice({{7, 9}}, strided({0, 0}, {0, 0}, {-1, -3}, 3, 3));
  stridedSlice({{3, 5, 6}}, strided({1, 0, 2}, {2, 5, 6}, {1, 2, 1}, 0, 0, 1));
  stridedSlice({{5}}, strided({-100}, {100}, {1}));
  t.op("stridedSlice").gradient = {
      {"stridedSlice",
       {{7, 9}},
       Attrs().setInts("begin", {-1, 0}).setInts("end", {0, 9}).setInts("strides", {-2, 2})}};

  Adder reverse{t.op("reverse"), "reverse"};
  reverse({{4097}}, Attrs().setInts("axes", {0}));
  reverse({{3, 5}}, Attrs().setInts("axes", {1}));
  reverse({{2, 3, 5}}, Attrs().setInts("axes", {0, 2}));
  reverse({{2, 3, 5}}, Attrs().setInts("axes", {-2}), {DType::Int32}, {{-9.0f, 9.0f}});
  reverse({{1}}, {});
  t.op("reverse").gradient = {{"reverse", {{2, 3}}, Attrs().setInts("axes", {1})}};

  Adder tile{t.op("tile"), "tile"};
  tile({{3}}, Attrs().setInts("reps", {5}));
  tile({{2, 3}}, Attrs().setInts("reps", {3, 2}));
  tile({{2, 1, 5}}, Attrs().setInts("reps", {1, 4, 3}));
  tile({{}}, Attrs().setInts("reps", {}));
  tile({{1000}}, Attrs().setInts("reps", {5}), {DType::Bool});
  t.op("tile").gradient = {{"tile", {{2, 3}}, Attrs().setInts("reps", {2, 3})}};

  Adder pad{t.op("pad"), "pad"};
  pad({{5}}, paddings({2, 3}, "constant", 1.5));
  pad({{4097}}, paddings({0, 7}, "constant"));
  pad({{3, 5}}, paddings({1, 2, 3, 4}, "constant", -2.0));
  pad({{3, 5}}, paddings({2, 2, 4, 3}, "reflect"));
  pad({{3, 5}}, paddings({3, 1, 5, 5}, "symmetric"));
  pad({{2, 3, 4, 5}}, paddings({1, 0, 0, 2, 3, 3, 1, 1}, "reflect"));
  pad({{28, 28, 1}}, paddings({2, 2, 2, 2, 0, 0}, "constant"));
  // Data movement through the index map: elements copied several times get summed.
  t.op("pad").gradient = {
      {"pad", {{2, 3}}, Attrs().setInts("paddings", {1, 0, 2, 1}).setFloat("constantValue", 2)},
      {"pad", {{3, 5}}, Attrs().setInts("paddings", {2, 2, 4, 3}).setString("mode", "reflect")},
      {"pad", {{3, 4}}, Attrs().setInts("paddings", {3, 1, 2, 4}).setString("mode", "symmetric")}};

  Adder broadcastTo{t.op("broadcastTo"), "broadcastTo"};
  broadcastTo({{}}, Attrs().setInts("shape", {3, 5}));
  broadcastTo({{5}}, Attrs().setInts("shape", {3, 5}));
  broadcastTo({{3, 1}}, Attrs().setInts("shape", {2, 3, 4097}));
  broadcastTo({{2, 1, 3}}, Attrs().setInts("shape", {2, 5, 3}), {DType::Int32}, {{-9.0f, 9.0f}});
  t.op("broadcastTo").gradient = {{"broadcastTo", {{3, 1}}, Attrs().setInts("shape", {2, 3, 4})}};

  for (const char* name : {"concat", "stack"}) {
    bool stack = std::string(name) == "stack";
    Adder add{t.op(name), name};
    add({{5}}, axis(0));
    add({{3}, {stack ? 3 : 4097}}, axis(0));
    add({{2, 3}, {2, stack ? 3 : 5}, {2, stack ? 3 : 1}}, axis(stack ? 2 : 1));
    add({{2, 3, 5}, {2, 3, 5}}, axis(stack ? 1 : 0));
    add({{3, 2, 5}, {3, 2, 5}}, axis(-1), {DType::Bool, DType::Bool});
    // More inputs than one pass binds: merged in groups.
    add(std::vector<Shape>(19, Shape{2, 3}), axis(1));
  }
  t.op("concat").gradient = {{"concat", {{2, 3}, {2, 1}, {2, 2}}, axis(1)}};
  t.op("stack").gradient = {{"stack", {{3}, {3}}, axis(1)}};
  t.op("concat").limit = [](int side) {
    Shape rows{side + 1, 5};
    return std::vector<OpCase>{{"concat", {rows, rows}, axis(0), {}, 0.0}};
  };

  for (const char* name : {"unstack", "split"}) {
    bool split = std::string(name) == "split";
    auto attrs = [&](int64_t a, int64_t parts) {
      Attrs result = axis(a);
      if (split) result.setInt("numSplits", parts);
      return result;
    };
    Adder add{t.op(name), name};
    add({{4}}, attrs(0, 2));
    add({{3, 5}}, attrs(1, 5));
    add({{2, 3, 6}}, attrs(-1, 3));
    add({{2, 4097}}, attrs(0, 1));
    if (split)
      add({{3, 10}}, Attrs().setInts("sizes", {2, -1, 5}).setInt("axis", 1), {DType::Int32},
          {{-9.0f, 9.0f}});
  }
  t.op("split").gradient = {{"split", {{4, 2}}, Attrs().setInt("numSplits", 2)}};
  t.op("unstack").gradient = {{"unstack", {{3, 2}}, axis(1)}};

  Adder expandDims{t.op("expandDims"), "expandDims"};
  expandDims({{}}, axis(0));
  expandDims({{5}}, axis(1));
  expandDims({{3, 5}}, axis(1));
  expandDims({{3, 4097}}, axis(-1));
  t.op("expandDims").gradient = {{"expandDims", {{3, 4}}, axis(1)}};

  Adder squeeze{t.op("squeeze"), "squeeze"};
  squeeze({{1}}, {});
  squeeze({{3, 1, 5}}, {});
  squeeze({{1, 3, 1, 5, 1}}, Attrs().setInts("axes", {0, -1}));
  squeeze({{4097, 1}}, Attrs().setInts("axes", {1}));
  t.op("squeeze").gradient = {{"squeeze", {{3, 1, 4}}}};

  // Index ranges include out-of-range values, which must give 0 on both backends.
  Adder gather{t.op("gather"), "gather"};
  auto gatherCase = [&](Shape x, Shape idx, int64_t a, float high) {
    gather({x, idx}, axis(a), {DType::Float32, DType::Int32}, {{-1.0f, 1.0f}, {-1.49f, high}});
  };
  gatherCase({10, 5}, {7}, 0, 10.4f);
  gatherCase({10, 5}, {3, 4}, 1, 4.4f);
  gatherCase({4097}, {}, 0, 4096.4f);
  gatherCase({2, 7, 3}, {5}, 1, 6.4f);
  gatherCase({5, 300}, {2, 9}, 0, 5.4f);
  gatherCase({3, 4, 5, 6}, {2}, 2, 4.4f);
  t.op("gather").gradient = {{"gather",
                              {{6, 3}, {5}},
                              axis(0),
                              {{}, {-0.49f, 5.4f}},
                              false,
                              {DType::Float32, DType::Int32}}};
  t.op("gather").limit = [](int side) {
    return std::vector<OpCase>{{"gather",
                                {{side + 3, 8}, {7}},
                                axis(0),
                                {{}, {-0.49f, static_cast<float>(side) + 2.4f}},
                                0.0,
                                1,
                                {DType::Float32, DType::Int32}}};
  };

  OpCases& gatherGrad = t.op("gatherGrad");
  auto grad = [&](Shape dy, Shape idx, std::vector<int64_t> x, int64_t a, float high) {
    // Sums of repeated indices: not exact, so the float tolerance.
    gatherGrad.conformance.push_back({"gatherGrad",
                                      {dy, idx},
                                      Attrs().setInt("axis", a).setInts("xShape", x),
                                      {{-1.0f, 1.0f}, {-1.49f, high}},
                                      1e-4,
                                      1,
                                      {DType::Float32, DType::Int32}});
  };
  grad({7, 5}, {7}, {10, 5}, 0, 10.4f);  // repeated and out-of-range indices
  grad({10, 3, 4}, {3, 4}, {10, 5}, 1, 4.4f);
  grad({2, 5, 3}, {5}, {2, 7, 3}, 1, 6.4f);
  grad({100, 300}, {100}, {50, 300}, 0, 49.4f);
  // The GL kernel sorts the indices: counts that are not powers of two, long runs of one
  // index (4097 indices into 5 rows, last dim 3), runs of a single repeated index, indices
  // along the last axis (element by element) and several leading rows (outer 3).
  grad({4097, 3}, {4097}, {5, 3}, 0, 5.4f);
  grad({300, 4}, {300}, {2, 4}, 0, 0.4f);
  grad({2, 1000}, {1000}, {2, 13}, 1, 13.4f);
  grad({3, 5, 7, 2}, {5, 7}, {3, 9, 2}, 1, 9.4f);
  grad({1, 6}, {1}, {1, 6}, 0, 1.4f);

  Adder oneHot{t.op("oneHot"), "oneHot"};
  auto oneHotCase = [&](Shape idx, int64_t depth, const char* dtype) {
    oneHot({idx},
           Attrs()
               .setInt("depth", depth)
               .setFloat("onValue", 2.5)
               .setFloat("offValue", -1.0)
               .setString("dtype", dtype),
           {DType::Int32}, {{-1.49f, static_cast<float>(depth) + 0.4f}});
  };
  oneHotCase({7}, 10, "float32");
  oneHotCase({}, 3, "int32");
  oneHotCase({2, 3}, 5, "bool");
  oneHotCase({1000}, 4097, "float32");

  Adder cast{t.op("cast"), "cast"};
  for (const char* to : {"int32", "bool", "float32"}) {
    Attrs attrs = Attrs().setString("dtype", to);
    cast({{4097}}, attrs, {}, {{-20.0f, 20.0f}});
    cast({{3, 5}}, attrs, {DType::Int32}, {{-3.0f, 3.0f}});
    cast({{3, 5}}, attrs, {DType::Bool});
  }
  t.op("cast").gradient = {{"cast", {{2, 3}}, Attrs().setString("dtype", "float32")}};
  t.op("cast").limit = [](int side) {
    Attrs attrs = Attrs().setString("dtype", "int32");
    std::vector<OpCase> cases;
    for (const Shape& s : {Shape{side + 1, 5}, Shape{4 * int64_t{side} + 5}})
      cases.push_back({"cast", {s}, attrs, {{-4.0f, 4.0f}}});
    return cases;
  };
}

}  // namespace texel::cases
