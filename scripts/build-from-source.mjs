// Fallback of the package's install script (scripts/install.mjs), run only when no prebuilt
// binary in prebuilds/ (or a previous build in build/) loads on this machine. A user's build:
// the addon and what it loads (libonnxruntime beside it, the CUDA engine where nvcc is here),
// never the native tests or the benches (SENTENCEKIT_NATIVE_TESTS=OFF; `npm run build` turns
// them on for development).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (!existsSync(join(root, 'CMakeLists.txt'))) {
  console.error(
    `sentencekit: no prebuilt binary for ${process.platform}-${process.arch} (Node ABI ${process.versions.modules}) ` +
      'and this package ships no sources to build one.\n' +
      'Prebuilt binaries exist for linux-x64. To build from source: git clone the repository, ' +
      'then `npm install && npm run build` (needs cmake >= 3.20, a C++17 compiler and libpcre2-dev).',
  );
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, [join(root, 'scripts', 'prepare-ort.mjs')]);
run(process.execPath, [join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile', '--CDSENTENCEKIT_NATIVE_TESTS=OFF']);
