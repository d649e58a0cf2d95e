/**
 * Reads a cross-encoder folder: a Hugging Face sequence-classification model (config.json with
 * its labels and the activation sentence-transformers applies) with an ONNX export.
 * @internal
 */
import { join } from 'node:path';

import { type ActivationName, parseActivationPath } from './activations.js';
import { kindOf, loadError, readJsonFile, readModules, readTransformerFiles, type TransformerFiles, unsupportedModule } from './model-folder.js';

export { ACTIVATIONS, type ActivationName } from './activations.js';

export interface CrossEncoderFolder extends TransformerFiles {
  root: string;
  numLabels: number;
  /** Label names by index, from config.json's id2label. */
  labels: string[];
  /** The activation predict() applies by default. */
  activation: ActivationName;
}

export async function readCrossEncoderFolder(root: string, fileName: string | undefined): Promise<CrossEncoderFolder> {
  const { file: modulesFile, entries } = await readModules(root);
  let transformerDir: string | undefined;
  for (const entry of entries) {
    const kind = kindOf(entry);
    if (kind === 'Transformer' || kind === 'CrossEncoderTransformer') transformerDir ??= join(root, entry.path);
    // A logit-score head is the classifier itself, already inside the ONNX graph.
    else if (kind !== 'LogitScore') throw unsupportedModule(modulesFile, entry);
  }
  const files = await readTransformerFiles(transformerDir ?? root, fileName);

  const configFile = join(files.transformerDir, 'config.json');
  const config = await readJsonFile<Record<string, unknown>>(configFile);
  const id2label = (config.id2label ?? {}) as Record<string, unknown>;
  const numLabels = typeof config.num_labels === 'number' ? config.num_labels : Math.max(1, Object.keys(id2label).length);
  const labels = Array.from({ length: numLabels }, (_, i) => String(id2label[String(i)] ?? `LABEL_${i}`));

  // sentence-transformers 4+ stores config.sentence_transformers.activation_fn; older
  // versions sbert_ce_default_activation_function. Default: sigmoid for one label.
  const stSection = (config.sentence_transformers ?? {}) as Record<string, unknown>;
  const activationPath = stSection.activation_fn ?? config.sbert_ce_default_activation_function;
  let activation: ActivationName = numLabels === 1 ? 'sigmoid' : 'identity';
  if (activationPath !== undefined && activationPath !== null) {
    if (typeof activationPath !== 'string') throw loadError(`${configFile}: activation_fn must be a string`);
    activation = parseActivationPath(activationPath, configFile);
  }
  return { root, ...files, numLabels, labels, activation };
}
