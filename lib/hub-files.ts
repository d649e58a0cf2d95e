/**
 * Which files of a repository a load needs, decided the same way whether they are about to
 * be downloaded or looked for in a snapshot someone else (Python, or another sentencekit
 * version) wrote.
 * Internal: not exported from the package entry point.
 */
import { relative, sep } from 'node:path';

import { clipModuleDir } from './clip-model.js';
import { SentenceKitError } from './errors.js';
import { clipModuleFiles } from './hub-clip-files.js';
import { kindOf, readModules } from './model-folder.js';
import { routerFolders, staticEmbeddingFolders, transformerFolders } from './transformer-folders.js';

const EXPORT_FOLDERS = ['onnx', 'openvino', 'coreml'];
// Weights of the framework checkpoints the ONNX path never reads, in a transformer's folder or
// at the top; other module folders (2_Dense/…) keep theirs.
const TORCH_WEIGHTS = /^(model\.safetensors|pytorch_model\.bin|tf_model\.h5|flax_model\.msgpack|rust_model\.ot|model-\d+-of-\d+\.safetensors|model\.safetensors\.index\.json)$/;

function inFolder(folder: string, path: string): string | null {
  if (folder === '') return path;
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : null;
}

/**
 * Whether a repository file belongs to what a sentence-transformers model needs, given the
 * folders that hold its transformer modules ('' for the root, see transformer-folders.ts) and
 * the weights file each of them runs (`onnxFile`: an ONNX export, or model.safetensors for
 * sentencekit's own engines): each one's chosen file and external data, but not its other
 * exports or torch weights; every other module's files (2_Dense/ weights, a
 * SparseStaticEmbedding's idf weights) as is.
 */
export function wantedFile(path: string, onnxFile: string, transformerDirs: readonly string[] = ['']): boolean {
  if (path.endsWith('.md') || path.split('/').some((part) => part.startsWith('.'))) return false;
  for (const dir of transformerDirs) {
    const inner = inFolder(dir, path);
    if (inner === onnxFile || inner === `${onnxFile}_data` || inner === `${onnxFile}.data`) return true;
  }
  if (!path.includes('/') && (TORCH_WEIGHTS.test(path) || path.endsWith('.pt') || path.endsWith('.ckpt'))) return false;
  for (const dir of transformerDirs) {
    const inner = inFolder(dir, path);
    if (inner === null) continue;
    if (EXPORT_FOLDERS.includes(inner.split('/')[0] as string) || (!inner.includes('/') && TORCH_WEIGHTS.test(inner))) return false;
  }
  // ONNX files elsewhere are other variants (or other modules' exports we do not run).
  if (/\.onnx(_data|\.data)?$/.test(path)) return false;
  return !EXPORT_FOLDERS.includes(path.split('/')[0] as string);
}

/**
 * Where the files come from: the Hub (each call downloads what the snapshot lacks) or the
 * snapshot alone (offline: each call only says whether the files are there).
 */
export interface FileSource {
  /** Makes `path` present, or says whether it is; false: missing, and cannot be had. */
  one(path: string): Promise<boolean>;
  /** The same for many at once; the first missing path, or undefined. */
  all(paths: string[]): Promise<string | undefined>;
}

/** What the load needs, or the first file it needs that is missing. */
export type Needs = { files: string[] } | { missing: string };

/**
 * The files the load of `onnxFile` needs from the snapshot at `snapshot`, had from `source`
 * in the order that reveals them: modules.json and any Router's config first (they
 * say which folders hold transformers), then everything else. `listing` is the commit's file
 * list when known (the Hub's, or trees/<commit>.json); without it (a snapshot written file by
 * file, offline) the transformers' weights files are what can be checked, and the loader
 * reports anything else missing by name.
 */
export async function neededFiles(repo: string, snapshot: string, listing: readonly string[] | undefined, onnxFile: string, source: FileSource): Promise<Needs> {
  const listed = listing === undefined ? undefined : new Set(listing);
  if (listed === undefined || listed.has('modules.json')) {
    // Without a listing a missing modules.json is a bare transformer model, not a gap.
    if (!(await source.one('modules.json')) && listed !== undefined) return { missing: 'modules.json' };
  }
  for (const router of await routerFolders(snapshot)) {
    // router_config.json, or config.json where older (Asym-era) saves kept the same content.
    const names = ['router_config.json', 'config.json'].map((name) => (router ? `${router}/${name}` : name));
    let found = false;
    for (const path of names.filter((name) => listed === undefined || listed.has(name))) found = (await source.one(path)) || found;
    if (!found) return { missing: names[0] as string };
  }
  const clipDir = await clipFolder(snapshot, listed, source);
  if (clipDir !== null) return clipNeeds(repo, clipDir, listed, onnxFile, source);
  let transformerDirs = await transformerFolders(snapshot);
  const staticDirs = transformerDirs.length === 0 ? await staticEmbeddingFolders(snapshot) : [];
  if (staticDirs.length > 0) {
    // A StaticEmbedding model runs no transformer: its table (model.safetensors) is the weights
    // file, whatever ONNX file or engine the options named.
    transformerDirs = staticDirs;
    onnxFile = 'model.safetensors';
  }
  let onnxPaths = transformerDirs.map((dir) => (dir ? `${dir}/${onnxFile}` : onnxFile));
  if (onnxFile === 'model.safetensors' && staticDirs.length === 0 && transformerDirs.length > 0) {
    // The own CPU engine reads a pytorch_model.bin where a repository (saved before
    // safetensors) has no model.safetensors.
    const torchPaths = transformerDirs.map((dir) => (dir ? `${dir}/pytorch_model.bin` : 'pytorch_model.bin'));
    const lacks = listed === undefined ? (await source.all(onnxPaths)) !== undefined : !onnxPaths.every((path) => listed.has(path));
    if (lacks && (listed === undefined ? (await source.all(torchPaths)) === undefined : torchPaths.every((path) => listed.has(path)))) {
      onnxFile = 'pytorch_model.bin';
      onnxPaths = torchPaths;
    }
  }
  if (listed === undefined) {
    const missing = await source.all(onnxPaths);
    return missing === undefined ? { files: onnxPaths } : { missing };
  }
  if (!onnxPaths.some((path) => listed.has(path))) {
    const available = [...listed].filter((f) => f.endsWith('.onnx'));
    const onnxHint = `; its ONNX files are: ${available.length > 0 ? available.join(', ') : "none (export the model to ONNX first, or use cpuEngine: 'int8' or 'bf16x3')"}`;
    throw new SentenceKitError('ERR_MODEL_NOT_FOUND', `${repo} has no ${onnxPaths.join(' or ')}${onnxFile.endsWith('.onnx') ? onnxHint : ''}`);
  }
  const files = [...listed].filter((path) => wantedFile(path, onnxFile, transformerDirs));
  const missing = await source.all(files);
  return missing === undefined ? { files } : { missing };
}

/** The CLIP module's folder ('' for the root), once its config.json is had; null for other models. */
async function clipFolder(snapshot: string, listed: ReadonlySet<string> | undefined, source: FileSource): Promise<string | null> {
  const { entries } = await readModules(snapshot);
  const first = entries[0];
  if (first === undefined || !['CLIPModel', 'Transformer'].includes(kindOf(first))) return null;
  const config = first.path ? `${first.path}/config.json` : 'config.json';
  if (listed === undefined || listed.has(config)) await source.one(config);
  const dir = await clipModuleDir(snapshot);
  return dir === null ? null : relative(snapshot, dir).split(sep).join('/');
}

async function clipNeeds(repo: string, dir: string, listed: ReadonlySet<string> | undefined, onnxFile: string, source: FileSource): Promise<Needs> {
  const at = (name: string) => (dir ? `${dir}/${name}` : name);
  // Offline without a listing, what the cache holds is what there is.
  const present = new Set<string>();
  if (listed === undefined) {
    const probes = ['model.safetensors', 'pytorch_model.bin', onnxFile, 'onnx/text_model.onnx', 'onnx/vision_model.onnx',
      'onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx', 'onnx/model_quantized.onnx'];
    for (const name of probes) if (await source.one(at(name))) present.add(name);
  }
  const has = (name: string) => (listed === undefined ? present.has(name) : listed.has(at(name)));
  const chosen = clipModuleFiles(onnxFile, has).map(at);
  if (chosen.length === 0) {
    throw new SentenceKitError('ERR_MODEL_NOT_FOUND', `${repo} has no ${onnxFile.endsWith('.onnx') ? `${at(onnxFile)} (nor transformers.js's towers of it)` : `CLIP weights (${at('model.safetensors')} or ${at('pytorch_model.bin')})`}`);
  }
  if (listed === undefined) return { files: chosen };
  const wanted = new Set(chosen);
  const files = [...listed].filter((path) => wanted.has(path) || wantedFile(path, chosen[0] as string, [dir]));
  const missing = await source.all(files);
  return missing === undefined ? { files } : { missing };
}
