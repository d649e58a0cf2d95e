/**
 * A sentence-transformers module's own weights (Dense, SparseStaticEmbedding): model.safetensors
 * since sentence-transformers 3, pytorch_model.bin (torch.save) before.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { exists, loadError } from './json-files.js';
import { readSafetensors, type Tensor } from './safetensors.js';
import { readTorchStateDict } from './torch-checkpoint.js';

/** The tensors in `dir`'s weights file and that file's path; `what` names the module in errors. */
export async function readModuleWeights(dir: string, what: string): Promise<{ file: string; tensors: Map<string, Tensor> }> {
  const safetensorsFile = join(dir, 'model.safetensors');
  if (await exists(safetensorsFile)) return { file: safetensorsFile, tensors: await readSafetensors(safetensorsFile) };
  const legacyFile = join(dir, 'pytorch_model.bin');
  if (await exists(legacyFile)) return { file: legacyFile, tensors: await readTorchStateDict(legacyFile) };
  throw loadError(`${what} weights not found: ${safetensorsFile} (nor ${legacyFile})`);
}
