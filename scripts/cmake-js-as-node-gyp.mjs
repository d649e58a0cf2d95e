#!/usr/bin/env node
// prebuildify drives node-gyp (`<this> rebuild --target=… --arch=… …`); it has no cmake-js
// mode. This wrapper translates that call into a cmake-js build and leaves the addon where
// prebuildify looks for it (build/Release/*.node). prebuildify copies only the .node, so
// libonnxruntime.so.1 is copied into the prebuilds folder by scripts/finish-prebuild.mjs.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

// The prebuilt binary is the addon and what it loads: no test or bench executables.
const cmakeArgs = ['rebuild', '--CDSENTENCEKIT_NATIVE_TESTS=OFF'];
const arch = option('arch');
if (arch) cmakeArgs.push('--arch', arch);
if (args.includes('--debug')) cmakeArgs.push('--debug');

const result = spawnSync(process.execPath, [join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), ...cmakeArgs], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
