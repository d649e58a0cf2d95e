// package.json of each platform package (packages/<name>/), from the main package's version:
// os / cpu / libc so that npm, pnpm, Yarn and Bun install only the one that fits, no scripts,
// and the files it holds. The main package lists them all as optionalDependencies at the same
// version (package.json; test/package checks that the two agree).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

export function platformPackageName(name) {
  return `@sentencekit/${name}`;
}

function describe(platform) {
  const engine = platform.ort ? 'with ONNX Runtime' : 'without ONNX Runtime (none is built for it): the own CPU engine runs safetensors models';
  return `sentencekit's native addon for ${platform.name}, ${engine}. Installed by sentencekit itself.`;
}

export function platformPackageJson(platform, files) {
  const json = {
    name: platformPackageName(platform.name),
    version: main.version,
    description: platform.description ?? describe(platform),
    license: main.license,
    homepage: main.homepage,
    repository: main.repository,
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    files,
    // Yarn PnP must unpack it: a .node cannot be loaded from inside a zip.
    preferUnplugged: true,
  };
  return json;
}

export function writePlatformPackageJson(platform) {
  const files = platform.files ?? ['sentencekit.node', ...(platform.ort?.files ?? [])];
  const json = platformPackageJson(platform, files);
  writeFileSync(join(root, 'packages', platform.name, 'package.json'), `${JSON.stringify(json, null, 2)}\n`);
  return json;
}
