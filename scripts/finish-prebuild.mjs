// After prebuildify: put libonnxruntime.so.1 beside each prebuilt addon (prebuildify copies
// only the .node, which finds the library next to itself at run time).
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const library = join(root, 'deps', 'onnxruntime', 'lib', 'libonnxruntime.so.1');
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`);

if (!existsSync(library)) throw new Error(`missing ${library}: run node scripts/prepare-ort.mjs`);
if (!existsSync(target) || !readdirSync(target).some((f) => f.endsWith('.node'))) {
  throw new Error(`no prebuilt addon in ${target}: prebuildify did not run`);
}
copyFileSync(library, join(target, 'libonnxruntime.so.1'));
// The CUDA engine, when it was built, ships as its own file beside the addon; the addon opens it
// only when a model asks for device 'cuda' or 'auto', so the CPU package works without it.
const cudaEngine = join(root, 'build', 'Release', 'libsentencekit_cuda.so');
if (existsSync(cudaEngine)) copyFileSync(cudaEngine, join(target, 'libsentencekit_cuda.so'));
console.log(`finish-prebuild: ${readdirSync(target).join(', ')} in ${target}`);
