#include "engine/io/model_file.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/core/half.h"
#include "engine/io/files.h"

namespace texel {

namespace {

constexpr char kMagic[8] = {'T', 'E', 'X', 'E', 'L', 'M', 'D', 'L'};
constexpr uint32_t kTopologyTag = 0x4F504F54;  // "TOPO" little-endian
constexpr uint32_t kWeightsTag = 0x54484757;   // "WGHT"
constexpr int kMaxRank = 8;

enum class AttrType : uint8_t { Int = 0, Float = 1, Bool = 2, String = 3, Ints = 4 };

class Writer {
 public:
  void bytes(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + size);
  }
  template <typename T>
  void value(T v) {  // the host is little-endian (x86, wasm, ARM as configured)
    bytes(&v, sizeof v);
  }
  void string(const std::string& s) {
    value<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  void shape(const Shape& s) {
    value<uint32_t>(static_cast<uint32_t>(s.rank()));
    for (int64_t d : s.dims()) value<int64_t>(d);
  }
  std::vector<uint8_t> out;
};

class Reader {
 public:
  Reader(std::span<const uint8_t> data, std::string what) : data_(data), what_(std::move(what)) {}
  size_t left() const { return data_.size() - pos_; }
  void need(size_t size, const char* field) const {
    if (size > left())
      fail("loadModel: ", what_, " is truncated: ", field, " needs ", size, " bytes, ", left(),
           " left");
  }
  std::span<const uint8_t> bytes(size_t size, const char* field) {
    need(size, field);
    auto result = data_.subspan(pos_, size);
    pos_ += size;
    return result;
  }
  template <typename T>
  T value(const char* field) {
    T v;
    std::memcpy(&v, bytes(sizeof v, field).data(), sizeof v);
    return v;
  }
  std::string string(const char* field) {
    auto size = value<uint32_t>(field);
    auto b = bytes(size, field);
    return std::string(b.begin(), b.end());
  }
  // A count of items that each take at least `minBytes`: bounded by what is left.
  uint32_t count(const char* field, size_t minBytes) {
    auto n = value<uint32_t>(field);
    if (static_cast<uint64_t>(n) * minBytes > left())
      fail("loadModel: ", what_, " is corrupted: ", field, " says ", n, " but only ", left(),
           " bytes are left");
    return n;
  }
  Shape shape(const char* field, bool allowUnknown) {
    auto rank = value<uint32_t>(field);
    if (rank > kMaxRank) fail("loadModel: ", what_, ": ", field, " has rank ", rank, " (max 8)");
    std::vector<int64_t> dims;
    for (uint32_t d = 0; d < rank; ++d) {
      auto v = value<int64_t>(field);
      if (v < (allowUnknown ? -1 : 0) || v > (int64_t{1} << 31))
        fail("loadModel: ", what_, ": ", field, " has an invalid dimension ", v);
      dims.push_back(v);
    }
    return Shape(dims);
  }
  const std::string& what() const { return what_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::string what_;
};

void writeAttrs(Writer& w, const Attrs& attrs) {
  w.value<uint32_t>(static_cast<uint32_t>(attrs.entries().size()));
  for (const auto& [key, value] : attrs.entries()) {
    w.string(key);
    if (const auto* i = std::get_if<int64_t>(&value)) {
      w.value(AttrType::Int);
      w.value<int64_t>(*i);
    } else if (const auto* f = std::get_if<double>(&value)) {
      w.value(AttrType::Float);
      w.value<double>(*f);
    } else if (const auto* b = std::get_if<bool>(&value)) {
      w.value(AttrType::Bool);
      w.value<uint8_t>(*b ? 1 : 0);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      w.value(AttrType::String);
      w.string(*s);
    } else {
      const auto& ints = std::get<std::vector<int64_t>>(value);
      w.value(AttrType::Ints);
      w.value<uint32_t>(static_cast<uint32_t>(ints.size()));
      for (int64_t v : ints) w.value<int64_t>(v);
    }
  }
}

Attrs readAttrs(Reader& r) {
  Attrs attrs;
  uint32_t n = r.count("configuration entry count", 5);
  for (uint32_t i = 0; i < n; ++i) {
    std::string key = r.string("configuration key");
    auto type = r.value<uint8_t>("configuration type");
    switch (static_cast<AttrType>(type)) {
      case AttrType::Int:
        attrs.setInt(key, r.value<int64_t>("integer"));
        break;
      case AttrType::Float:
        attrs.setFloat(key, r.value<double>("float"));
        break;
      case AttrType::Bool:
        attrs.setBool(key, r.value<uint8_t>("bool") != 0);
        break;
      case AttrType::String:
        attrs.setString(key, r.string("string"));
        break;
      case AttrType::Ints: {
        uint32_t count = r.count("integer list length", 8);
        std::vector<int64_t> ints(count);
        for (int64_t& v : ints) v = r.value<int64_t>("integer list");
        attrs.setInts(key, std::move(ints));
        break;
      }
      default:
        fail("loadModel: ", r.what(), " is corrupted: configuration '", key, "' has unknown type ",
             static_cast<int>(type));
    }
  }
  return attrs;
}

void section(Writer& file, uint32_t tag, const std::vector<uint8_t>& payload) {
  file.value<uint32_t>(tag);
  file.value<uint64_t>(payload.size());
  file.bytes(payload.data(), payload.size());
  file.value<uint32_t>(crc32(payload));
}

std::string tagName(uint32_t tag) {
  std::string s(4, ' ');
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((tag >> (8 * i)) & 0xFF);
    s[static_cast<size_t>(i)] = (c >= 32 && c < 127) ? c : '?';
  }
  return s;
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::vector<uint8_t> serializeModel(Model& model, const SaveOptions& options) {
  Writer topology;
  const auto& nodes = model.nodes();
  topology.value<uint32_t>(static_cast<uint32_t>(nodes.size()));
  for (const Model::Node& n : nodes) {
    topology.value<uint8_t>(n.layer ? 1 : 0);
    if (!n.layer) {
      topology.string(n.inputName);
      topology.shape(n.shape);
      continue;
    }
    topology.string(n.layer->className());
    writeAttrs(topology, n.layer->config());
    topology.value<uint32_t>(static_cast<uint32_t>(n.inbound.size()));
    for (int in : n.inbound) topology.value<uint32_t>(static_cast<uint32_t>(in));
  }
  Writer weights;
  weights.value<uint8_t>(options.float16 ? 1 : 0);
  std::vector<Variable*> vars = model.allVariables();
  weights.value<uint32_t>(static_cast<uint32_t>(vars.size()));
  for (Variable* v : vars) {
    weights.string(v->name());
    weights.shape(v->value().shape());
    std::vector<float> values = v->value().data();
    if (options.float16) {
      for (float x : values) weights.value<uint16_t>(floatToHalf(x));
    } else {
      weights.bytes(values.data(), values.size() * sizeof(float));
    }
  }
  Writer file;
  file.bytes(kMagic, sizeof kMagic);
  file.value<uint32_t>(kModelFormatVersion);
  file.value<uint32_t>(2);
  section(file, kTopologyTag, topology.out);
  section(file, kWeightsTag, weights.out);
  return std::move(file.out);
}

void saveModel(Model& model, const std::string& path, const SaveOptions& options) {
  writeFileAtomically(path, serializeModel(model, options), "saveModel");
}

Model loadModel(Backend& backend, std::span<const uint8_t> bytes) {
  Reader file(bytes, "the model file");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail("loadModel: not a texel model file (the first 8 bytes are not \"TEXELMDL\")");
  file.bytes(sizeof kMagic, "magic");
  auto version = file.value<uint32_t>("format version");
  if (version != kModelFormatVersion)
    fail("loadModel: format version ", version, " is not supported (this build reads version ",
         kModelFormatVersion, ")");
  auto sections = file.value<uint32_t>("section count");
  std::span<const uint8_t> topologyBytes, weightBytes;
  bool haveTopology = false, haveWeights = false;
  for (uint32_t s = 0; s < sections; ++s) {
    auto tag = file.value<uint32_t>("section tag");
    auto length = file.value<uint64_t>("section length");
    if (length > file.left())
      fail("loadModel: the model file is truncated: section ", tagName(tag), " says ", length,
           " bytes, ", file.left(), " are left");
    auto payload = file.bytes(static_cast<size_t>(length), "section payload");
    auto stored = file.value<uint32_t>("section CRC");
    if (crc32(payload) != stored)
      fail("loadModel: the model file is corrupted: section ", tagName(tag),
           " fails its CRC32 check");
    if (tag == kTopologyTag) {
      topologyBytes = payload;
      haveTopology = true;
    } else if (tag == kWeightsTag) {
      weightBytes = payload;
      haveWeights = true;
    }  // unknown sections are skipped (newer writers may add some)
  }
  if (!haveTopology || !haveWeights)
    fail("loadModel: the model file lacks its ", haveTopology ? "WGHT" : "TOPO", " section");
  if (file.left() != 0)
    fail("loadModel: ", file.left(), " unexpected bytes after the last section");

  Reader topo(topologyBytes, "the TOPO section");
  uint32_t nodeCount = topo.count("node count", 5);
  std::vector<Model::Node> nodes;
  for (uint32_t i = 0; i < nodeCount; ++i) {
    auto kind = topo.value<uint8_t>("node kind");
    Model::Node node;
    if (kind == 0) {
      node.inputName = topo.string("input name");
      node.shape = topo.shape("input shape", true);
    } else if (kind == 1) {
      std::string className = topo.string("layer class");
      Attrs config = readAttrs(topo);
      node.layer = makeLayer(className, config);
      uint32_t inbound = topo.count("inbound count", 4);
      for (uint32_t k = 0; k < inbound; ++k) {
        auto from = topo.value<uint32_t>("inbound node");
        if (from >= i)
          fail("loadModel: the TOPO section is corrupted: node ", i, " reads node ", from);
        node.inbound.push_back(static_cast<int>(from));
      }
    } else {
      fail("loadModel: the TOPO section is corrupted: node ", i, " has kind ", int{kind});
    }
    nodes.push_back(std::move(node));
  }

  Reader w(weightBytes, "the WGHT section");
  auto dtype = w.value<uint8_t>("weight dtype");
  if (dtype > 1) fail("loadModel: the WGHT section has unknown dtype ", int{dtype});
  size_t elementBytes = dtype == 1 ? 2 : 4;
  uint32_t count = w.count("weight count", 8);
  std::vector<Tensor> weights;
  for (uint32_t i = 0; i < count; ++i) {
    std::string name = w.string("weight name");
    Shape shape = w.shape("weight shape", false);
    uint64_t elements = 1;
    for (int64_t d : shape.dims()) {
      elements *= static_cast<uint64_t>(d);
      if (elements > w.left()) break;
    }
    if (elements * elementBytes > w.left())
      fail("loadModel: the WGHT section is truncated: weight '", name, "' ", shape, " needs ",
           elements * elementBytes, " bytes, ", w.left(), " are left");
    auto data = w.bytes(static_cast<size_t>(elements * elementBytes), "weight values");
    std::vector<float> values(static_cast<size_t>(elements));
    if (dtype == 1) {
      for (size_t k = 0; k < values.size(); ++k) {
        uint16_t h;
        std::memcpy(&h, data.data() + 2 * k, 2);
        values[k] = halfToFloat(h);
      }
    } else {
      if (!data.empty()) std::memcpy(values.data(), data.data(), data.size());
    }
    weights.push_back(tensor(backend, shape, values));
  }
  if (w.left() != 0) fail("loadModel: ", w.left(), " unexpected bytes after the last weight");
  return Model(backend, std::move(nodes), weights);
}

Model loadModelFile(Backend& backend, const std::string& path) {
  return loadModel(backend, readFileBytes(path, "loadModelFile"));
}

}  // namespace texel
