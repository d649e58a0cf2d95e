# PCRE2 compiled from its own sources (Debian's pcre2_10.42.orig.tar.gz, laid out in
# deps/pcre2-src by scripts/fetch-pcre2-source.sh) with the build's toolchain, for the
# cross-compiled platform packages: Debian ships libpcre2-8.a only for glibc, and none for
# musl, macOS or Windows. Only what the tokenizer's regex.cc uses is built: the 8-bit library
# with Unicode and the JIT. Defines the target sentencekit_pcre2 and PCRE2_INCLUDE_DIR.
set(PCRE2_SRC "${SENTENCEKIT_PCRE2_SOURCE}/src")
if(NOT EXISTS "${PCRE2_SRC}/pcre2.h.generic")
  message(FATAL_ERROR "no PCRE2 sources in ${SENTENCEKIT_PCRE2_SOURCE}: run scripts/fetch-pcre2-source.sh")
endif()
set(PCRE2_GENERATED "${CMAKE_CURRENT_BINARY_DIR}/pcre2-generated")
configure_file("${PCRE2_SRC}/pcre2.h.generic" "${PCRE2_GENERATED}/pcre2.h" COPYONLY)
configure_file("${PCRE2_SRC}/config.h.generic" "${PCRE2_GENERATED}/config.h" COPYONLY)
configure_file("${PCRE2_SRC}/pcre2_chartables.c.dist" "${PCRE2_GENERATED}/pcre2_chartables.c" COPYONLY)
set(PCRE2_INCLUDE_DIR "${PCRE2_GENERATED}")

set(PCRE2_LIBRARY_SOURCES auto_possess compile config context convert dfa_match error extuni
  find_bracket jit_compile maketables match match_data newline ord2utf pattern_info script_run
  serialize string_utils study substitute substring tables ucd valid_utf xclass)
list(TRANSFORM PCRE2_LIBRARY_SOURCES REPLACE "(.+)" "${PCRE2_SRC}/pcre2_\\1.c")
add_library(sentencekit_pcre2 STATIC ${PCRE2_LIBRARY_SOURCES} "${PCRE2_GENERATED}/pcre2_chartables.c")
target_include_directories(sentencekit_pcre2 PRIVATE "${PCRE2_GENERATED}" "${PCRE2_SRC}")
# config.h.generic leaves the features off; these are the ones a Debian build turns on that the
# tokenizer relies on (\p{L} needs Unicode; regex.cc calls pcre2_jit_compile).
target_compile_definitions(sentencekit_pcre2 PRIVATE HAVE_CONFIG_H PCRE2_STATIC PCRE2_CODE_UNIT_WIDTH=8
  SUPPORT_PCRE2_8 SUPPORT_UNICODE SUPPORT_JIT HAVE_MEMMOVE HAVE_STDINT_H HAVE_INTTYPES_H)
target_compile_options(sentencekit_pcre2 PRIVATE -O2 -w -fvisibility=hidden)
set(PCRE2_STATIC sentencekit_pcre2)
