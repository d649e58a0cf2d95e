// The package's install script. Uses the prebuilt addon (prebuilds/<platform>-<arch>) or a
// previous build (build/Release) when one loads on this machine; otherwise builds from source.
// (node-gyp-build's own install command would also run node-gyp afterwards, which this
// CMake-built package must not do.)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function loadsHere() {
  try {
    require(require('node-gyp-build').path(root));
    return true;
  } catch {
    return false;
  }
}

if (!loadsHere()) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-from-source.mjs')], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
