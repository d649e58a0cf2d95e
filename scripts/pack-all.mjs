#!/usr/bin/env node
// Packs the main package and every platform package that has been built (scripts/prebuild.mjs;
// the CUDA package from the native build's libsentencekit_cuda.so) into one folder, and prints
// each tarball's packed and unpacked size. `npm run pack:all [-- --out <dir>]`; default packs/.
// The main package's dist/ comes from `npm run build:ts`, run here first.
//
// The main package is packed from a staging copy whose package.json gains optionalDependencies
// on every platform package at its own version (as napi-rs' prepublish does): the repository's
// package.json cannot list them, since `npm ci` needs each in package-lock.json and they are
// not on the registry until published.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { platformPackageName, writePlatformPackageJson } from './package-json.mjs';
import { cudaPackage, platforms } from './platforms.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function pack(dir, out) {
  const [result] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }));
  return { name: result.name, file: join(out, result.filename), packed: result.size, unpacked: result.unpackedSize };
}

/** The CUDA engine's package, from the native build (nvcc is not a zig target). */
export function layOutCudaPackage() {
  const library = join(root, 'build', 'Release', 'libsentencekit_cuda.so');
  if (!existsSync(library)) return false;
  const dir = join(root, 'packages', cudaPackage.name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(library, join(dir, 'libsentencekit_cuda.so'));
  writePlatformPackageJson({
    ...cudaPackage,
    files: ['libsentencekit_cuda.so'],
    description: "sentencekit's CUDA engine (device: 'cuda') for linux-x64-gnu: install it beside sentencekit to use NVIDIA GPUs.",
  });
  return true;
}

/** The main package as published: package.json with its optionalDependencies, dist/ and README. */
export function stageMainPackage(stage) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const json = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  json.optionalDependencies = Object.fromEntries(platforms.map((p) => [platformPackageName(p.name), json.version]));
  delete json.devDependencies;
  delete json.scripts; // development commands; the published package has no lifecycle script
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(json, null, 2)}\n`);
  for (const entry of json.files) cpSync(join(root, entry), join(stage, entry), { recursive: true });
  return stage;
}

export function packAll(out) {
  mkdirSync(out, { recursive: true });
  execFileSync('npm', ['run', 'build:ts'], { cwd: root, stdio: 'inherit' });
  const results = [pack(stageMainPackage(join(out, 'stage', 'sentencekit')), out)];
  const skipped = [];
  for (const platform of platforms) {
    const dir = join(root, 'packages', platform.name);
    if (!existsSync(join(dir, 'sentencekit.node'))) {
      skipped.push(platform.name);
      continue;
    }
    writePlatformPackageJson(platform);
    results.push(pack(dir, out));
  }
  if (layOutCudaPackage()) results.push(pack(join(root, 'packages', cudaPackage.name), out));
  else skipped.push(cudaPackage.name);
  return { results, skipped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const out = resolve(at > 0 ? process.argv[at + 1] : join(root, 'packs'));
  const { results, skipped } = packAll(out);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(results));
    process.exit(0);
  }
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  for (const r of results) console.log(`${r.name.padEnd(34)} packed ${mb(r.packed).padStart(8)}  unpacked ${mb(r.unpacked).padStart(8)}  ${r.file}`);
  if (skipped.length > 0) console.log(`not built (npm run prebuild -- <name>): ${skipped.join(', ')}`);
}
