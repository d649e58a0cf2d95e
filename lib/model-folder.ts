/**
 * Reads a model folder in the sentence-transformers layout (modules.json and each module's
 * config) into one plain description the model classes hand to native code. Every missing
 * or corrupt file is an ERR_MODEL_LOAD that names the file.
 * The PoolingMode and SimilarityFunctionName types are exported; the rest is internal.
 */
import { join } from 'node:path';

import { readDenseModule, type DenseLayerWeights } from './dense-module.js';
import { SentenceKitError } from './errors.js';
import { exists, loadError, readJsonFile } from './json-files.js';
import { convertLegacyTokenizer } from './legacy-tokenizer.js';
import { torchSafetensorsTable } from './torch-checkpoint.js';

export { exists, loadError, readJsonFile } from './json-files.js';

/** sentence-transformers' pooling modes (1_Pooling/config.json). */
export type PoolingMode = 'cls' | 'max' | 'mean' | 'mean_sqrt_len_tokens' | 'weightedmean' | 'lasttoken';
/** The similarity functions by the names sentence-transformers' configs use (similarity_fn_name). */
export type SimilarityFunctionName = 'cosine' | 'dot' | 'euclidean' | 'manhattan';

const POOLING_MODES: readonly PoolingMode[] = ['cls', 'max', 'mean', 'mean_sqrt_len_tokens', 'weightedmean', 'lasttoken'];
const SIMILARITY_FUNCTIONS: readonly SimilarityFunctionName[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

// The boolean keys of the pooling config before sentence-transformers 5.4, in the order their
// outputs were concatenated.
const LEGACY_POOLING_KEYS: ReadonlyArray<[string, PoolingMode]> = [
  ['pooling_mode_cls_token', 'cls'],
  ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_mean_tokens', 'mean'],
  ['pooling_mode_mean_sqrt_len_tokens', 'mean_sqrt_len_tokens'],
  ['pooling_mode_weightedmean_tokens', 'weightedmean'],
  ['pooling_mode_lasttoken', 'lasttoken'],
];

export interface PoolingConfig {
  modes: PoolingMode[];
  includePrompt: boolean;
  /** Token embedding width the pooling module was saved with, when the config says. */
  embeddingDimension: number | undefined;
}

export interface SentenceTransformerFolder extends TransformerFiles {
  root: string;
  pooling: PoolingConfig;
  /** Dense modules after pooling, in order. */
  dense: DenseLayerWeights[];
  /** A Normalize module ends the model. */
  normalize: boolean;
  prompts: Record<string, string>;
  defaultPromptName: string | null;
  similarityFnName: SimilarityFunctionName;
  /** config_sentence_transformers.json's truncate_dim (what Python loads with when given none), or null. */
  truncateDim: number | null;
}

export interface ModuleEntry {
  idx: number;
  name: string;
  path: string;
  type: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The module's class name, whatever package path sentence-transformers wrote. */
function moduleKind(type: string): string {
  return type.split('.').pop() ?? type;
}

/** Both pooling config schemas: `pooling_mode` (5.4+) and the older booleans. */
export function parsePoolingConfig(config: unknown, file: string): PoolingConfig {
  if (!isObject(config)) throw loadError(`${file} must hold a JSON object`);
  const includePrompt = config.include_prompt === undefined ? true : config.include_prompt;
  if (typeof includePrompt !== 'boolean') throw loadError(`${file}: include_prompt must be a boolean`);
  const dimension = config.embedding_dimension ?? config.word_embedding_dimension;
  if (dimension !== undefined && (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension <= 0)) {
    throw loadError(`${file}: embedding_dimension must be a positive integer`);
  }

  let modes: PoolingMode[];
  if (config.pooling_mode !== undefined) {
    const raw = Array.isArray(config.pooling_mode) ? config.pooling_mode : [config.pooling_mode];
    modes = raw.map((mode) => {
      if (typeof mode !== 'string' || !POOLING_MODES.includes(mode as PoolingMode)) {
        throw loadError(`${file}: unknown pooling_mode ${JSON.stringify(mode)} (expected one of ${POOLING_MODES.join(', ')})`);
      }
      return mode as PoolingMode;
    });
    if (modes.length === 0) throw loadError(`${file}: pooling_mode is empty`);
  } else {
    modes = LEGACY_POOLING_KEYS.filter(([key]) => config[key] === true).map(([, mode]) => mode);
    // sentence-transformers falls back to mean when no boolean is set.
    if (modes.length === 0) modes = ['mean'];
  }
  if (new Set(modes).size !== modes.length) throw loadError(`${file}: pooling_mode lists a mode twice`);
  return { modes, includePrompt, embeddingDimension: dimension as number | undefined };
}

function parseSimilarity(value: unknown, file: string): SimilarityFunctionName {
  if (value === undefined || value === null) return 'cosine';
  if (typeof value !== 'string' || !SIMILARITY_FUNCTIONS.includes(value as SimilarityFunctionName)) {
    throw loadError(`${file}: unknown similarity_fn_name ${JSON.stringify(value)} (expected one of ${SIMILARITY_FUNCTIONS.join(', ')})`);
  }
  return value as SimilarityFunctionName;
}

function parsePrompts(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((prompt) => typeof prompt !== 'string')) {
    throw loadError(`${file}: prompts must map names to strings`);
  }
  return value as Record<string, string>;
}

/**
 * The maximum sequence length as sentence-transformers decides it: sentence_bert_config.json's
 * max_seq_length, else the smaller of the model's position limit and the tokenizer's limit.
 */
async function resolveMaxSeqLength(transformerDir: string, configured: unknown, file: string): Promise<number> {
  if (configured !== undefined && configured !== null) {
    if (typeof configured !== 'number' || !Number.isInteger(configured) || configured <= 0) {
      throw loadError(`${file}: max_seq_length must be a positive integer`);
    }
    return configured;
  }
  const modelConfig = await readJsonFile<Record<string, unknown>>(join(transformerDir, 'config.json'), {});
  const tokenizerConfig = await readJsonFile<Record<string, unknown>>(join(transformerDir, 'tokenizer_config.json'), {});
  const limits = [modelConfig.max_position_embeddings, tokenizerConfig.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  return limits.length > 0 ? Math.min(...limits) : 512;
}

/**
 * The folder's tokenizer.json, or, for a folder with only the older files (vocab.txt, vocab.json
 * + merges.txt, a SentencePiece model), the document transformers would build from them.
 */
export async function resolveTokenizer(dir: string): Promise<Pick<TransformerFiles, 'tokenizerPath' | 'tokenizerJson'>> {
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (await exists(tokenizerPath)) return { tokenizerPath };
  return { tokenizerPath: dir, tokenizerJson: await convertLegacyTokenizer(dir) };
}

/** The files of the transformer module every model class runs. */
export interface TransformerFiles {
  transformerDir: string;
  /** The weights file the model runs: the ONNX export, or model.safetensors (else pytorch_model.bin) with cpuEngine 'int8' / 'bf16x3'. */
  onnxPath: string;
  /** With onnxPath a pytorch_model.bin: the safetensors header locating its tensors (torch-checkpoint.ts). */
  weightsTable?: string;
  /** tokenizer.json; without one, the folder whose older tokenizer files tokenizerJson was built from. */
  tokenizerPath: string;
  /** The tokenizer.json document converted from vocab.txt, vocab.json + merges.txt or a SentencePiece model, when the folder has no tokenizer.json. */
  tokenizerJson?: string;
  maxSeqLength: number;
  doLowerCase: boolean;
  /** tokenizer_config.json's padding_side; undefined leaves tokenizer.json's padding direction. */
  paddingSide: 'left' | 'right' | undefined;
  /** tokenizer_config.json's truncation_side; undefined leaves tokenizer.json's truncation direction. */
  truncationSide: 'left' | 'right' | undefined;
  /** The pad token transformers pads with (tokenizer_config.json, special_tokens_map.json); undefined: the tokenizer's own. */
  padToken: string | undefined;
}

/** modules.json sorted by idx; a folder without one is a bare Hugging Face model. */
export async function readModules(root: string, transformerKind = 'Transformer'): Promise<{ file: string; entries: ModuleEntry[] }> {
  if (!(await exists(root))) throw loadError(`model folder not found: ${root}`);
  const file = join(root, 'modules.json');
  const modules = await readJsonFile<ModuleEntry[] | null>(file, null);
  if (modules !== null && !Array.isArray(modules)) throw loadError(`${file} must hold a JSON array`);
  const entries = modules ?? [{ idx: 0, name: '0', path: '', type: `sentence_transformers.models.${transformerKind}` }];
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.type !== 'string' || typeof entry.path !== 'string') {
      throw loadError(`${file}: every module needs a "type" and a "path"`);
    }
  }
  return { file, entries: [...entries].sort((a, b) => a.idx - b.idx) };
}

/** The class name of a module entry, whatever package path sentence-transformers wrote. */
export function kindOf(entry: ModuleEntry): string {
  return moduleKind(entry.type);
}

/** The ONNX file, tokenizer and length limit of the transformer module in `transformerDir`. */
export async function readTransformerFiles(transformerDir: string, fileName: string | undefined): Promise<TransformerFiles> {
  const stConfigFile = join(transformerDir, 'sentence_bert_config.json');
  const stConfig = await readJsonFile<Record<string, unknown>>(stConfigFile, {});
  let onnxPath = join(transformerDir, fileName ?? join('onnx', 'model.onnx'));
  let weightsTable: string | undefined;
  if (fileName === 'model.safetensors' && !(await exists(onnxPath)) && (await exists(join(transformerDir, 'pytorch_model.bin')))) {
    // The own engines read a pytorch_model.bin (models saved before safetensors) through the
    // table of its tensors: the native side reads the file itself, nothing converted on disk.
    onnxPath = join(transformerDir, 'pytorch_model.bin');
    weightsTable = await torchSafetensorsTable(onnxPath);
  }
  if (!(await exists(onnxPath))) {
    throw loadError(onnxPath.endsWith('.onnx')
      ? `ONNX model not found: ${onnxPath} (export the model to ONNX, pass fileName to choose another file, or use cpuEngine: 'int8' or 'bf16x3')`
      : `model file not found: ${onnxPath}`);
  }
  const tokenizer = await resolveTokenizer(transformerDir);
  const doLowerCase = stConfig.do_lower_case ?? false;
  if (typeof doLowerCase !== 'boolean') throw loadError(`${stConfigFile}: do_lower_case must be a boolean`);
  return {
    transformerDir,
    onnxPath,
    ...(weightsTable === undefined ? {} : { weightsTable }),
    ...tokenizer,
    maxSeqLength: await resolveMaxSeqLength(transformerDir, stConfig.max_seq_length, stConfigFile),
    doLowerCase,
    ...(await readPadding(transformerDir)),
  };
}

/** A special token as transformers saves it: a string, or an AddedToken object with `content`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * How transformers pads and truncates this tokenizer's inputs: on tokenizer_config.json's
 * padding_side and truncation_side when it has them, whatever tokenizer.json says (decoder
 * embedding models such as Qwen3-Embedding pad "left"), with its pad_token (else
 * special_tokens_map.json's).
 */
export async function readPadding(transformerDir: string): Promise<Pick<TransformerFiles, 'paddingSide' | 'truncationSide' | 'padToken'>> {
  const file = join(transformerDir, 'tokenizer_config.json');
  const config = await readJsonFile<Record<string, unknown>>(file, {});
  const side = (key: string): 'left' | 'right' | undefined => {
    const value = config[key];
    if (value === undefined || value === null) return undefined;
    if (value !== 'left' && value !== 'right') throw loadError(`${file}: ${key} must be "left" or "right"`);
    return value;
  };
  const specialTokens = await readJsonFile<Record<string, unknown>>(join(transformerDir, 'special_tokens_map.json'), {});
  return {
    paddingSide: side('padding_side'),
    truncationSide: side('truncation_side'),
    padToken: tokenContent(config.pad_token) ?? tokenContent(specialTokens.pad_token),
  };
}

/** config_sentence_transformers.json's truncate_dim: a positive integer or null. */
function parseTruncateDim(value: unknown, file: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw loadError(`${file}: truncate_dim must be a positive integer or null`);
  return value;
}

export interface ReadFolderOptions {
  /** ONNX file relative to the Transformer module folder; default onnx/model.onnx. */
  fileName?: string | undefined;
}

/** Reads a sentence-transformers bi-encoder folder. */
export async function readSentenceTransformerFolder(root: string, options: ReadFolderOptions = {}): Promise<SentenceTransformerFolder> {
  const { file: modulesFile, entries } = await readModules(root);
  let transformerDir: string | undefined;
  let pooling: PoolingConfig | undefined;
  let normalize = false;
  const dense: DenseLayerWeights[] = [];
  for (const entry of entries) {
    const dir = join(root, entry.path);
    switch (kindOf(entry)) {
      case 'Transformer':
        if (transformerDir !== undefined) throw loadError(`${modulesFile}: more than one Transformer module`);
        transformerDir = dir;
        break;
      case 'Pooling': {
        const file = join(dir, 'config.json');
        pooling = parsePoolingConfig(await readJsonFile(file), file);
        break;
      }
      case 'Dense':
        dense.push(await readDenseModule(dir));
        break;
      case 'Normalize':
        normalize = true;
        break;
      default:
        throw unsupportedModule(modulesFile, entry);
    }
  }
  if (transformerDir === undefined) throw loadError(`${modulesFile} has no Transformer module`);
  return {
    root,
    ...(await readTransformerFiles(transformerDir, options.fileName)),
    pooling: pooling ?? { modes: ['mean'], includePrompt: true, embeddingDimension: undefined },
    dense,
    normalize,
    ...(await readModelConfig(root)),
  };
}

/** config_sentence_transformers.json's prompts, default prompt, similarity function and truncate_dim. */
export async function readModelConfig(root: string): Promise<Pick<SentenceTransformerFolder, 'prompts' | 'defaultPromptName' | 'similarityFnName' | 'truncateDim'>> {
  const modelConfigFile = join(root, 'config_sentence_transformers.json');
  const modelConfig = await readJsonFile<Record<string, unknown>>(modelConfigFile, {});
  const defaultPromptName = modelConfig.default_prompt_name ?? null;
  if (defaultPromptName !== null && typeof defaultPromptName !== 'string') {
    throw loadError(`${modelConfigFile}: default_prompt_name must be a string or null`);
  }
  return {
    prompts: parsePrompts(modelConfig.prompts, modelConfigFile),
    defaultPromptName,
    similarityFnName: parseSimilarity(modelConfig.similarity_fn_name, modelConfigFile),
    truncateDim: parseTruncateDim(modelConfig.truncate_dim, modelConfigFile),
  };
}

/** Refuses a module we do not run rather than return vectors that differ from Python. */
export function unsupportedModule(modulesFile: string, entry: ModuleEntry): SentenceKitError {
  return loadError(
    `${modulesFile}: module ${JSON.stringify(entry.type)} at ${JSON.stringify(entry.path)} is not supported yet; ` +
      'refusing to load rather than return vectors that differ from sentence-transformers',
  );
}
