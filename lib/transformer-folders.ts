/**
 * Where a model folder keeps its transformer modules, the folders whose onnx/ files run: the
 * root for a bare Hugging Face model or a sentence-transformers model saved with path "", a
 * module folder such as 0_Transformer/ otherwise, and each route's folder under a Router
 * (an inference-free SPLADE model keeps its MLMTransformer in document_0_MLMTransformer/).
 * The Hub download and the int8-variant search both need this before a model class reads
 * the folder in full.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { kindOf, type ModuleEntry, readModules } from './model-folder.js';
import { readRouterConfig } from './sparse-router.js';

function isTransformer(entry: ModuleEntry): boolean {
  return kindOf(entry).endsWith('Transformer');
}

function isRouter(entry: ModuleEntry): boolean {
  return kindOf(entry) === 'Router' || kindOf(entry) === 'Asym';
}

/** Whether `root` needs router_config.json (or an Asym config.json) read to find its transformers. */
export async function routerFolders(root: string): Promise<string[]> {
  const { entries } = await readModules(root);
  return entries.filter(isRouter).map((entry) => entry.path);
}

/**
 * The folders of a model's StaticEmbedding modules ('' for the root, as "." or "" in
 * modules.json): they hold no transformer but a tokenizer and model.safetensors, its table.
 */
export async function staticEmbeddingFolders(root: string): Promise<string[]> {
  const { entries } = await readModules(root);
  return entries.filter((entry) => kindOf(entry) === 'StaticEmbedding').map((entry) => (entry.path === '.' ? '' : entry.path.replace(/^\.\//, '')));
}

/**
 * The transformer folders of the model at `root`, relative to it ('' is the root itself),
 * in module order without repeats. Needs modules.json and any Router's config on disk.
 */
export async function transformerFolders(root: string): Promise<string[]> {
  const { entries } = await readModules(root);
  const folders: string[] = [];
  for (const entry of entries) {
    if (isTransformer(entry)) folders.push(entry.path);
    if (!isRouter(entry)) continue;
    const router = await readRouterConfig(join(root, entry.path), entry.path);
    for (const route of router.routes.values()) folders.push(...route.filter(isTransformer).map((module) => module.path));
  }
  return [...new Set(folders)];
}
