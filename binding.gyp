# The native build is CMake (cmake-js; see CMakeLists.txt). This stub exists so that npm
# sees a package with its own "install" script and never runs node-gyp on its own.
{ "targets": [] }
