/**
 * Which sentence-transformers class a model folder was saved by, so loading it with another
 * class fails at once with the right one named ("this folder is a CrossEncoder
 * (BertForSequenceClassification): use CrossEncoder.fromPretrained") instead of loading and
 * failing later on a tensor shape.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { exists, loadError, readJsonFile } from './json-files.js';
import { kindOf, readModules } from './model-folder.js';
import { transformerFolders } from './transformer-folders.js';

export type ModelClassName = 'SentenceTransformer' | 'CrossEncoder' | 'SparseEncoder';

const CLASSES: readonly ModelClassName[] = ['SentenceTransformer', 'CrossEncoder', 'SparseEncoder'];
// Module kinds only one class saves.
const SPARSE_MODULES = new Set(['MLMTransformer', 'SpladePooling', 'SparseStaticEmbedding', 'SparseAutoEncoder']);
const CROSS_ENCODER_MODULES = new Set(['CrossEncoderTransformer', 'LogitScore']);
const SENTENCE_MODULES = new Set(['Pooling', 'Dense', 'Normalize', 'StaticEmbedding', 'WordEmbeddings', 'CNN', 'LSTM']);

interface Detected {
  className: ModelClassName;
  /** What gave it away, for the message: the transformer's architecture, or the module. */
  evidence: string;
}

/** The first architecture a transformer folder's config.json names, or null. */
async function architecture(root: string): Promise<string | null> {
  let folders: string[] = [''];
  try {
    folders = [...(await transformerFolders(root)), ''];
  } catch {
    // An unreadable modules.json is the class's own loader's error to report.
  }
  for (const folder of folders) {
    const config = await readJsonFile<Record<string, unknown>>(join(root, folder, 'config.json'), {}).catch(() => ({}) as Record<string, unknown>);
    const architectures = config.architectures;
    if (Array.isArray(architectures) && typeof architectures[0] === 'string') return architectures[0];
  }
  return null;
}

/**
 * The class that saved the folder at `root`: config_sentence_transformers.json's model_type
 * (sentence-transformers 5 and later write it), else a module only one class uses, else, for a
 * bare Hugging Face folder, a sequence-classification architecture (a CrossEncoder). Null
 * when nothing says.
 */
export async function detectModelClass(root: string): Promise<Detected | null> {
  if (!(await exists(root))) return null;
  const stConfig = await readJsonFile<Record<string, unknown>>(join(root, 'config_sentence_transformers.json'), {}).catch(() => ({}) as Record<string, unknown>);
  const arch = await architecture(root);
  if (typeof stConfig.model_type === 'string' && CLASSES.includes(stConfig.model_type as ModelClassName)) {
    return { className: stConfig.model_type as ModelClassName, evidence: arch ?? `model_type in ${join(root, 'config_sentence_transformers.json')}` };
  }
  let kinds: string[] = [];
  let hasModules = false;
  try {
    hasModules = await exists(join(root, 'modules.json'));
    kinds = (await readModules(root)).entries.map(kindOf);
  } catch {
    return null;
  }
  const found = (set: Set<string>): string | undefined => kinds.find((kind) => set.has(kind));
  const sparse = found(SPARSE_MODULES);
  if (sparse !== undefined) return { className: 'SparseEncoder', evidence: arch ?? `a ${sparse} module` };
  const cross = found(CROSS_ENCODER_MODULES);
  if (cross !== undefined) return { className: 'CrossEncoder', evidence: arch ?? `a ${cross} module` };
  const sentence = found(SENTENCE_MODULES);
  if (sentence !== undefined) return { className: 'SentenceTransformer', evidence: arch ?? `a ${sentence} module` };
  if (!hasModules && arch !== null && arch.endsWith('ForSequenceClassification')) return { className: 'CrossEncoder', evidence: arch };
  return null;
}

/** Throws ERR_MODEL_LOAD naming the right class when `root` was saved by another. */
export async function expectModelClass(root: string, wanted: ModelClassName): Promise<void> {
  const detected = await detectModelClass(root);
  if (detected === null || detected.className === wanted) return;
  throw loadError(`${root}: this folder is a ${detected.className} (${detected.evidence}): use ${detected.className}.fromPretrained`);
}
