// Lays out ONNX Runtime for the native build in deps/onnxruntime/{include,lib}:
// the C API headers from the Android archive in com.github.asus4.onnxruntime (the only npm
// package that ships them) and libonnxruntime.so.1 from onnxruntime-node (installed with
// ONNXRUNTIME_NODE_INSTALL=skip: its own postinstall would try to download). Idempotent, and
// a file already there with the same bytes is left untouched: a new timestamp on the headers
// would make the next build recompile every source that includes them.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'deps', 'onnxruntime');

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

function writeIfChanged(path, bytes) {
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  writeFileSync(path, bytes);
}

function fail(message) {
  console.error(`prepare-ort: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  fail(`no ONNX Runtime layout for ${process.platform}-${process.arch} yet (linux-x64 only)`);
}

mkdirSync(join(out, 'include'), { recursive: true });
mkdirSync(join(out, 'lib'), { recursive: true });

const aar = join(packageDir('com.github.asus4.onnxruntime'), 'Plugins', 'Android', 'onnxruntime.aar');
if (!existsSync(aar)) fail(`missing ${aar}`);
let headers = 0;
for (const entry of new AdmZip(aar).getEntries()) {
  if (entry.isDirectory || !entry.entryName.startsWith('headers/')) continue;
  writeIfChanged(join(out, 'include', entry.entryName.slice('headers/'.length)), entry.getData());
  headers += 1;
}
if (headers === 0) fail(`no headers/ inside ${aar}`);

const lib = join(packageDir('onnxruntime-node'), 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime.so.1');
if (!existsSync(lib)) fail(`missing ${lib}`);
writeIfChanged(join(out, 'lib', 'libonnxruntime.so.1'), readFileSync(lib));
console.log(`prepare-ort: ${headers} headers and libonnxruntime.so.1 in ${out}`);
