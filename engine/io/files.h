#pragma once
// Whole-file reads and crash-safe writes shared by the model formats.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace texel {

// The file's bytes, or texel::Error naming `context` and the path.
std::vector<uint8_t> readFileBytes(const std::string& path, const std::string& context);
// Writes a temporary file beside `path`, then renames it over `path`: an interrupted write
// leaves the old file (or none), never a half-written one.
void writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes,
                         const std::string& context);

}  // namespace texel
