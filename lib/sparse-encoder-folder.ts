/**
 * Reads a SparseEncoder folder into its routes. A plain SPLADE model is one route: an
 * MLMTransformer whose ONNX export gives masked-LM logits, then SpladePooling. A Router model
 * (inference-free SPLADE) has named routes, e.g. "query" = SparseStaticEmbedding (idf weights,
 * no transformer) and "document" = MLMTransformer + SpladePooling.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { kindOf, loadError, type ModuleEntry, readJsonFile, readModules, readTransformerFiles, resolveTokenizer, type TransformerFiles, unsupportedModule } from './model-folder.js';
import { readModuleWeights } from './module-weights.js';
import { readRouterConfig, type RouterConfig } from './sparse-router.js';

export interface SpladeRoute {
  kind: 'splade';
  files: TransformerFiles;
  /** SpladePooling's activation_function: log1p(relu(x)), or log1p of that ('log1p_relu'). */
  activation: 'relu' | 'log1p_relu';
}

export interface StaticRoute {
  kind: 'static';
  tokenizerPath: string;
  /** The tokenizer converted from the folder's older files, when it has no tokenizer.json. */
  tokenizerJson?: string;
  /** The tokenizer's model_max_length (no special tokens are added); 0 = no truncation. */
  maxLength: number;
  weights: Float32Array;
}

export type SparseRoute = SpladeRoute | StaticRoute;

export interface SparseEncoderFolder {
  root: string;
  /** The routes in router_config.json's order; one unnamed ('') route without a Router. */
  routes: Map<string, SparseRoute>;
  router: RouterConfig | null;
  maxSeqLength: number;
  prompts: Record<string, string>;
  similarityFnName: string;
}

// transformers' "no limit" model_max_length is 1e30; anything this large truncates nothing.
const NO_LIMIT = 2 ** 31;

/** Transformer with transformer_task "fill-mask" is how sentence-transformers 6 names an MLMTransformer. */
async function isFillMaskTransformer(dir: string): Promise<boolean> {
  const config = await readJsonFile<Record<string, unknown>>(join(dir, 'sentence_bert_config.json'), {});
  return config.transformer_task === 'fill-mask';
}

async function readSpladePooling(dir: string): Promise<SpladeRoute['activation']> {
  // The native pipeline runs max pooling of log1p(relu(logits)) (twice log1p for log1p_relu).
  const file = join(dir, 'config.json');
  const config = await readJsonFile<Record<string, unknown>>(file, {});
  const strategy = config.pooling_strategy ?? 'max';
  const activation = config.activation_function ?? 'relu';
  if (strategy !== 'max' || (activation !== 'relu' && activation !== 'log1p_relu')) {
    throw loadError(`${file}: SpladePooling with pooling_strategy ${JSON.stringify(strategy)} and activation_function ${JSON.stringify(activation)} is not supported yet (only max with relu or log1p_relu)`);
  }
  return activation;
}

/** SparseStaticEmbedding: config.json ({frozen}), the tokenizer files and a 1-D `weight`. */
async function readStaticRoute(dir: string): Promise<StaticRoute> {
  const configFile = join(dir, 'config.json');
  const config = await readJsonFile<Record<string, unknown>>(configFile, {});
  if (typeof config.path === 'string') {
    throw loadError(`${configFile}: SparseStaticEmbedding weights given as ${JSON.stringify(config.path)} (an idf.json path) are not supported yet; save the model with sentence-transformers so the weights are in model.safetensors`);
  }
  const tokenizer = await resolveTokenizer(dir);
  const { file: weightsFile, tensors } = await readModuleWeights(dir, 'SparseStaticEmbedding');
  const weight = tensors.get('weight');
  if (!weight || weight.shape.length !== 1 || weight.data.length === 0) {
    throw loadError(`${weightsFile}: weight must be a 1-D tensor of one weight per token but is ${weight ? `[${weight.shape.join(', ')}]` : 'missing'}`);
  }
  const tokenizerConfig = await readJsonFile<Record<string, unknown>>(join(dir, 'tokenizer_config.json'), {});
  const limit = tokenizerConfig.model_max_length;
  const maxLength = typeof limit === 'number' && Number.isInteger(limit) && limit > 0 && limit < NO_LIMIT ? limit : 0;
  return { kind: 'static', ...tokenizer, maxLength, weights: weight.data };
}

/** One route's modules (or a whole plain model's) into what the native side runs. */
async function readRoute(root: string, modulesFile: string, entries: ModuleEntry[], fileName: string | undefined): Promise<SparseRoute> {
  const first = entries[0];
  if (first && kindOf(first) === 'SparseStaticEmbedding') {
    if (entries.length > 1) throw unsupportedModule(modulesFile, entries[1] as ModuleEntry);
    return readStaticRoute(join(root, first.path));
  }
  let transformerDir: string | undefined;
  let activation: SpladeRoute['activation'] | undefined;
  for (const entry of entries) {
    const dir = join(root, entry.path);
    const kind = kindOf(entry);
    if (kind === 'MLMTransformer' || (kind === 'Transformer' && (await isFillMaskTransformer(dir)))) {
      if (transformerDir !== undefined) throw loadError(`${modulesFile}: more than one masked-LM transformer in one route`);
      transformerDir = dir;
    } else if (kind === 'SpladePooling') {
      activation = await readSpladePooling(dir);
    } else {
      throw unsupportedModule(modulesFile, entry);
    }
  }
  if (transformerDir === undefined) throw loadError(`${modulesFile} has no MLMTransformer module`);
  if (activation === undefined && entries.length > 1) throw loadError(`${modulesFile} has no SpladePooling module`);
  return { kind: 'splade', files: await readTransformerFiles(transformerDir, fileName), activation: activation ?? 'relu' };
}

function routeMaxSeqLength(route: SparseRoute): number {
  return route.kind === 'splade' ? route.files.maxSeqLength : route.maxLength;
}

export async function readSparseEncoderFolder(root: string, fileName: string | undefined): Promise<SparseEncoderFolder> {
  const { file: modulesFile, entries } = await readModules(root, 'MLMTransformer');
  const routes = new Map<string, SparseRoute>();
  let router: RouterConfig | null = null;
  const routerEntry = entries.find((entry) => kindOf(entry) === 'Router' || kindOf(entry) === 'Asym');
  if (routerEntry !== undefined) {
    if (entries.length > 1) throw unsupportedModule(modulesFile, entries.find((entry) => entry !== routerEntry) as ModuleEntry);
    router = await readRouterConfig(join(root, routerEntry.path), routerEntry.path);
    const routerFile = join(root, routerEntry.path, 'router_config.json');
    for (const [name, routeEntries] of router.routes) routes.set(name, await readRoute(root, routerFile, routeEntries, fileName));
  } else {
    routes.set('', await readRoute(root, modulesFile, entries, fileName));
  }

  const modelConfigFile = join(root, 'config_sentence_transformers.json');
  const modelConfig = await readJsonFile<Record<string, unknown>>(modelConfigFile, {});
  const prompts = (modelConfig.prompts ?? {}) as Record<string, string>;
  // Router.max_seq_length: the largest limit among the routes' input modules.
  const limits = [...routes.values()].map(routeMaxSeqLength).filter((limit) => limit > 0);
  return {
    root,
    routes,
    router,
    maxSeqLength: limits.length > 0 ? Math.max(...limits) : 0,
    prompts,
    similarityFnName: typeof modelConfig.similarity_fn_name === 'string' ? modelConfig.similarity_fn_name : 'dot',
  };
}
