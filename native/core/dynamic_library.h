// Shared libraries opened at run time (ONNX Runtime, the CUDA engine) and the folder of the
// module holding an address: dlopen / dladdr on Linux and macOS, LoadLibrary /
// GetModuleFileName on Windows, so the callers name no platform.
#pragma once

#include <string>

namespace sk::core {

// nullptr on failure, with the system's reason in *error.
void* OpenLibrary(const std::string& path, std::string* error);
void* LibrarySymbol(void* library, const char* name);
void CloseLibrary(void* library);

// The folder of the shared library (or executable) that contains `address`; "." if unknown.
std::string ModuleDirectory(const void* address);

}  // namespace sk::core
