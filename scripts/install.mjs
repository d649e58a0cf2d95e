// The package's install script. Uses the prebuilt addon (prebuilds/<platform>-<arch>) or a
// previous build (build/Release) when one loads on this machine; otherwise builds from source
// (the addon and what it loads, no test or bench executables: scripts/build-from-source.mjs).
// (node-gyp-build's own install command would also run node-gyp afterwards, which this
// CMake-built package must not do.)
//
// In sentencekit's own checkout (`npm ci` or `npm install` run in the repository itself, as
// scripts/bootstrap.sh does) it builds nothing: there `npm run build` follows, which builds the
// addon with the native tests, and building here too would compile everything twice. npm runs a
// root project's scripts with npm_config_local_prefix set to that project; when sentencekit is
// installed as a dependency it names the consumer's folder instead. (Rather than `npm ci
// --ignore-scripts` in bootstrap, which would also skip the dependencies' own install scripts,
// and would leave `npm install && npm run build` in a clone building twice.)
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function samePath(a, b) {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function loadsHere() {
  try {
    require(require('node-gyp-build').path(root));
    return true;
  } catch {
    return false;
  }
}

if (process.env.npm_config_local_prefix && samePath(process.env.npm_config_local_prefix, root)) {
  if (!loadsHere()) console.log('sentencekit: the repository\'s own install; no native build now: run `npm run build` (scripts/bootstrap.sh does)');
} else if (!loadsHere()) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-from-source.mjs')], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
