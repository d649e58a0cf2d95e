/**
 * sentence-transformers' StaticEmbedding models (static-retrieval-mrl-en-v1, static-similarity-
 * mrl-multilingual-v1, model2vec's potion models): a tokenizer and one embedding table, a text's
 * embedding the mean of its tokens' rows. Reads the folder in any of the layouts they ship (the
 * module at the root, at ".", or in 0_StaticEmbedding/; the table as "embedding.weight" or
 * model2vec's "embeddings", in model.safetensors or a torch.save pytorch_model.bin; Dense and
 * Normalize modules after it) and loads the native model, which runs no transformer.
 * Internal: SentenceTransformer.fromPretrained() loads these folders.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';

import { nativeBinding, type NativeSentenceEncoder, type NativeStaticEmbeddingOptions } from './binding.js';
import { readDenseModule } from './dense-module.js';
import { placeModel, type Device, type DevicePlacement } from './device.js';
import { exists, kindOf, loadError, readJsonFile, readModelConfig, readModules, type SentenceTransformerFolder, unsupportedModule } from './model-folder.js';
import { readTorchStateDict } from './torch-checkpoint.js';

/** Why a StaticEmbedding model never goes to the GPU: device 'cuda' is refused with it, 'auto' reports it. */
const CPU_ONLY = 'a StaticEmbedding model runs on the CPU (it runs no transformer; sentencekit has no CUDA path for it)';

export interface StaticEmbeddingFolder extends SentenceTransformerFolder {
  /** model.safetensors, or the pytorch_model.bin read in its place when there is none. */
  weightsPath: string;
  /** tokenizer.json's own truncation (Python's tokenizers keeps it; StaticEmbedding only turns padding off), 0: none. */
  tokenizerMaxLength: number;
  tokenizerTruncatesLeft: boolean;
}

/** Whether the folder's first module is a StaticEmbedding (modules.json read; nothing else). */
export async function isStaticEmbeddingFolder(root: string): Promise<boolean> {
  const { entries } = await readModules(root);
  return entries.length > 0 && kindOf(entries[0] as (typeof entries)[number]) === 'StaticEmbedding';
}

/**
 * tokenizer.json's "truncation" section. The tokenizers library writes it second, right after
 * "version", so the first kilobytes say; a multilingual tokenizer.json of tens of megabytes is
 * parsed whole only when they do not.
 */
async function readTruncation(tokenizerPath: string): Promise<{ maxLength: number; left: boolean }> {
  const file = await open(tokenizerPath, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
  const match = /^\s*\{\s*"version"\s*:\s*"[^"]*"\s*,\s*"truncation"\s*:\s*(null|\{[^{}]*\})/.exec(head);
  let truncation: unknown;
  if (match) {
    truncation = JSON.parse(match[1] as string);
  } else {
    const document = await readJsonFile<Record<string, unknown>>(tokenizerPath, {});
    truncation = document.truncation ?? null;
  }
  if (truncation === null || truncation === undefined) return { maxLength: 0, left: false };
  const section = truncation as Record<string, unknown>;
  const maxLength = section.max_length;
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 0) {
    throw loadError(`${tokenizerPath}: truncation.max_length must be a non-negative integer`);
  }
  return { maxLength, left: section.direction === 'Left' };
}

/** Reads a folder whose first module is a StaticEmbedding; Dense modules and then Normalize may follow it. */
export async function readStaticEmbeddingFolder(root: string): Promise<StaticEmbeddingFolder> {
  const { file: modulesFile, entries } = await readModules(root);
  const [first, ...rest] = entries;
  if (first === undefined || kindOf(first) !== 'StaticEmbedding') throw loadError(`${modulesFile} has no StaticEmbedding module first`);
  let normalize = false;
  const dense: StaticEmbeddingFolder['dense'] = [];
  for (const entry of rest) {
    const kind = kindOf(entry);
    if (kind !== 'Normalize' && kind !== 'Dense') throw unsupportedModule(modulesFile, entry);
    // The native model runs Normalize last: a module after it is refused rather than reordered.
    if (normalize) throw loadError(`${modulesFile}: module ${JSON.stringify(entry.type)} at ${JSON.stringify(entry.path)} follows Normalize; a StaticEmbedding model runs Normalize last`);
    if (kind === 'Dense') dense.push(await readDenseModule(join(root, entry.path)));
    else normalize = true;
  }
  const dir = join(root, first.path);
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!(await exists(tokenizerPath))) throw loadError(`${tokenizerPath} not found (a StaticEmbedding module loads its tokenizer from tokenizer.json)`);
  // StaticEmbedding.load reads model.safetensors, else pytorch_model.bin.
  let weightsPath = join(dir, 'model.safetensors');
  if (!(await exists(weightsPath))) {
    const torchWeights = join(dir, 'pytorch_model.bin');
    if (!(await exists(torchWeights))) throw loadError(`${weightsPath} not found (the StaticEmbedding's embedding table)`);
    weightsPath = torchWeights;
  }
  const truncation = await readTruncation(tokenizerPath);
  return {
    root,
    ...(await readModelConfig(root)),
    transformerDir: dir,
    onnxPath: weightsPath,
    tokenizerPath,
    maxSeqLength: Infinity,
    doLowerCase: false,
    paddingSide: undefined,
    truncationSide: undefined,
    padToken: undefined,
    pooling: { modes: ['mean'], includePrompt: true, embeddingDimension: undefined },
    dense,
    normalize,
    weightsPath,
    tokenizerMaxLength: truncation.maxLength,
    tokenizerTruncatesLeft: truncation.left,
  };
}

/** A pytorch_model.bin's table ("embedding.weight", else model2vec's "embeddings"), as StaticEmbedding.load reads it. */
async function readTorchTable(path: string): Promise<NonNullable<NativeStaticEmbeddingOptions['table']>> {
  const tensors = await readTorchStateDict(path);
  const table = tensors.get('embedding.weight') ?? tensors.get('embeddings');
  if (table === undefined) throw loadError(`${path}: no tensor 'embedding.weight' or 'embeddings' (a StaticEmbedding table)`);
  const [rows, dimension] = table.shape;
  if (table.shape.length !== 2 || rows === undefined || dimension === undefined || rows <= 0 || dimension <= 0) {
    throw loadError(`${path}: the StaticEmbedding table must be a [vocabulary, dimension] matrix, not [${table.shape.join(', ')}]`);
  }
  return { data: table.data, rows, dimension };
}

/** Loads a StaticEmbedding folder natively, on the CPU wherever `device` asked. */
export async function loadStaticEmbedding(root: string, device: Device): Promise<{ native: NativeSentenceEncoder; folder: StaticEmbeddingFolder; placement: DevicePlacement }> {
  const placement = placeModel(device, CPU_ONLY);
  const folder = await readStaticEmbeddingFolder(root);
  const native = await nativeBinding().loadStaticEmbedding({
    tokenizerPath: folder.tokenizerPath,
    weightsPath: folder.weightsPath,
    ...(folder.weightsPath.endsWith('.bin') ? { table: await readTorchTable(folder.weightsPath) } : {}),
    maxLength: folder.tokenizerMaxLength,
    truncateLeft: folder.tokenizerTruncatesLeft,
    dense: folder.dense,
    normalizeModule: folder.normalize,
  });
  return { native, folder, placement };
}
