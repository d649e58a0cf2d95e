/**
 * Reads a cross-encoder folder: a Hugging Face sequence-classification model (config.json with
 * its labels and the activation sentence-transformers applies) with an ONNX export.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { type ActivationName, parseActivationPath } from './activations.js';
import { readJsonObject } from './json-files.js';
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

// Far more than any classification head has; id2label's keys are bounded by the file's size.
const MAX_LABELS = 1 << 20;

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
  const config = await readJsonObject(configFile);
  const id2label = (typeof config.id2label === 'object' && config.id2label !== null ? config.id2label : {}) as Record<string, unknown>;
  const numLabels = config.num_labels === undefined || config.num_labels === null ? Math.max(1, Object.keys(id2label).length) : config.num_labels;
  // A label name is made per id: a hostile count (1e9) must not allocate them, nor a fraction
  // or a negative count give a head with no labels.
  if (typeof numLabels !== 'number' || !Number.isInteger(numLabels) || numLabels < 1 || numLabels > MAX_LABELS) {
    throw loadError(`${configFile}: num_labels must be an integer from 1 to ${MAX_LABELS} but is ${JSON.stringify(numLabels)}`);
  }
  const labels = Array.from({ length: numLabels }, (_, i) => String(id2label[String(i)] ?? `LABEL_${i}`));

  // Where the activation is stored: config_sentence_transformers.json (sentence-transformers 6),
  // config.json's sentence_transformers section (4 and 5), sbert_ce_default_activation_function
  // (older). Default: sigmoid for one label, identity otherwise.
  const stConfigFile = join(root, 'config_sentence_transformers.json');
  const stConfig = await readJsonFile<Record<string, unknown>>(stConfigFile, {});
  const stSection = (config.sentence_transformers ?? {}) as Record<string, unknown>;
  const [activationPath, activationFile] =
    stConfig.activation_fn != null ? [stConfig.activation_fn, stConfigFile]
      : stSection.activation_fn != null ? [stSection.activation_fn, configFile]
        : [config.sbert_ce_default_activation_function, configFile];
  let activation: ActivationName = numLabels === 1 ? 'sigmoid' : 'identity';
  if (activationPath !== undefined && activationPath !== null) {
    if (typeof activationPath !== 'string') throw loadError(`${activationFile}: activation_fn must be a string`);
    activation = parseActivationPath(activationPath, activationFile);
  }
  return { root, ...files, numLabels, labels, activation };
}
