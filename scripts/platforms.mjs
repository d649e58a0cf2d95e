// The platform packages, one table for the build (prebuild.mjs), the checks (check-binary.mjs)
// and the packing (pack-all.mjs). Each package is named @sentencekit/<process.platform>-<process.arch>
// plus the C library on Linux (gnu / musl), so the loader (lib/platform-package.ts) computes the
// name from what Node reports, with no table of its own; the libc suffix follows napi-rs'
// packages, since glibc and musl binaries cannot load each other (sharp's "linuxmusl" says the
// same in another spelling).
//
// ort: the ONNX Runtime files onnxruntime-node ships for that platform
// (node_modules/onnxruntime-node/bin/napi-v6/<os>/<arch>); null where it has none (musl,
// darwin-x64 since ONNX Runtime 1.24): there the own CPU engine runs BERT/RoBERTa/MPNet.
export const platforms = [
  { name: 'linux-x64-gnu', zig: 'x86_64-linux-gnu.2.28', os: 'linux', cpu: 'x64', libc: 'glibc',
    ort: { dir: 'linux/x64', files: ['libonnxruntime.so.1'] } },
  { name: 'linux-arm64-gnu', zig: 'aarch64-linux-gnu.2.28', os: 'linux', cpu: 'arm64', libc: 'glibc',
    ort: { dir: 'linux/arm64', files: ['libonnxruntime.so.1'] } },
  { name: 'linux-x64-musl', zig: 'x86_64-linux-musl', os: 'linux', cpu: 'x64', libc: 'musl', ort: null },
  { name: 'linux-arm64-musl', zig: 'aarch64-linux-musl', os: 'linux', cpu: 'arm64', libc: 'musl', ort: null },
  { name: 'darwin-arm64', zig: 'aarch64-macos.11.0', os: 'darwin', cpu: 'arm64',
    ort: { dir: 'darwin/arm64', files: ['libonnxruntime.1.dylib'] } },
  { name: 'darwin-x64', zig: 'x86_64-macos.11.0', os: 'darwin', cpu: 'x64', ort: null },
  { name: 'win32-x64', zig: 'x86_64-windows-gnu', os: 'win32', cpu: 'x64',
    ort: { dir: 'win32/x64', files: ['onnxruntime.dll'] } },
];

/** The CUDA engine's opt-in package: libsentencekit_cuda.so from the native build (nvcc). */
export const cudaPackage = { name: 'linux-x64-gnu-cuda', os: 'linux', cpu: 'x64', libc: 'glibc' };

export function platformByName(name) {
  const found = platforms.find((p) => p.name === name);
  if (!found) throw new Error(`unknown platform ${name}; one of: ${platforms.map((p) => p.name).join(', ')}`);
  return found;
}
