// Sorting gather's indices together with their positions, for its gradient
// (glsl/gather_grad.glsl). The keys tensor is [P, 2], P a power of two >= indexCount:
// row i holds (index, position), ordered by index, then position.
// SORT_INIT: row i < indexCount gets (indices[i], i); an index outside [0, axisSize) and
// the rows past indexCount get the key axisSize, which no table row searches for.
// Otherwise one step of a bitonic sort: row i and row i ^ stride are compared, and row i
// keeps the earlier of the two when i is the lower row of an ascending block (or the upper
// row of a descending one), the later otherwise. Blocks of blockSize rows alternate
// ascending and descending.
// Uniforms (declared by the pass from C++): SORT_INIT: int axisSize, int indexCount;
// otherwise: int blockSize, int stride.

#if SORT_INIT
vec4 texelValue(int row, int slice) {
  float key = float(axisSize);
  if (row < indexCount) {
    int index = int(floor(IDX_flat(row) + 0.5));
    if (index >= 0 && index < axisSize) key = float(index);
  }
  return vec4(key, float(row), 0.0, 0.0);
}
#else
bool sortsBefore(vec2 a, vec2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); }

vec4 texelValue(int row, int slice) {
  int partner = row ^ stride;
  vec4 mine = KEYS_texel(row, 0);
  vec4 other = KEYS_texel(partner, 0);
  bool ascending = (row & blockSize) == 0;
  bool keepEarlier = (row < partner) == ascending;
  return sortsBefore(other.xy, mine.xy) == keepEarlier ? other : mine;
}
#endif
