#include "engine/io/files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "engine/core/error.h"

namespace texel {

std::vector<uint8_t> readFileBytes(const std::string& path, const std::string& context) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(context, ": cannot open '", path, "': ", std::strerror(errno));
  auto size = static_cast<size_t>(in.tellg());
  std::vector<uint8_t> bytes(size);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) fail(context, ": reading '", path, "' failed");
  return bytes;
}

void writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes,
                         const std::string& context) {
  std::random_device random;
  std::string temp = path + ".tmp-" + std::to_string(random());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) fail(context, ": cannot create '", temp, "': ", std::strerror(errno));
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::remove(temp.c_str());
      fail(context, ": writing '", temp, "' failed (disk full?); '", path, "' is unchanged");
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::remove(temp.c_str());
    fail(context, ": cannot rename '", temp, "' to '", path, "': ", error.message());
  }
}

}  // namespace texel
