// Fuzz target for native/tokenizer/precompiled.cc, SentencePiece's precompiled charsmap
// (tokenizer.json's Precompiled normalizer): a hostile double-array trie and its replacement
// strings must load or be refused, and a loaded one must normalize any text without reading
// outside the table. Input: text, a 0xFF 0xFE separator, then the charsmap blob (a leading
// 'b' byte makes it base64 text instead).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/utf8.h"
#include "fuzz_input.h"
#include "tokenizer/precompiled.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [text, blob] = skfuzz::SplitAt(std::string_view(reinterpret_cast<const char*>(data), size), "\xFF\xFE");
  sk::tok::PrecompiledCharsmap charsmap;
  const bool base64 = !blob.empty() && blob[0] == 'b';
  const sk::Status status = base64 ? charsmap.InitFromBase64(blob.substr(1)) : charsmap.Init(blob);
  if (!status.ok()) return 0;
  // Normalizers see decoded text (utf8::Decode yields neither surrogates nor values past U+10FFFF).
  // The charsmap is what is fuzzed; a few kilobytes of text reach every path of Normalize.
  std::u32string normalized;
  charsmap.Normalize(sk::utf8::Decode(text.substr(0, 4096)), &normalized);
  return 0;
}
