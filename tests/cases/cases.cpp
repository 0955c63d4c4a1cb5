#include "tests/cases/cases.h"

namespace texel::cases {

OpCases& CaseTable::op(std::string_view name) {
  auto it = ops_.find(name);
  if (it == ops_.end()) it = ops_.emplace(std::string(name), OpCases{}).first;
  return it->second;
}

const OpCases* CaseTable::find(std::string_view name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

const CaseTable& table() {
  static const CaseTable all = [] {
    CaseTable t;
    addAllCases(t);
    return t;
  }();
  return all;
}

const std::vector<Shape>& awkwardShapes() {
  static const std::vector<Shape> shapes = {{},     {1},    {3},       {5},
                                            {4097}, {2, 3}, {3, 5, 7}, {2, 1, 4, 9}};
  return shapes;
}

}  // namespace texel::cases
