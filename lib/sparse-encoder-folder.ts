/**
 * Reads a SparseEncoder (SPLADE) folder: an MLMTransformer whose ONNX export gives masked-LM
 * logits, followed by SpladePooling.
 * @internal
 */
import { join } from 'node:path';

import { kindOf, loadError, readJsonFile, readModules, readTransformerFiles, type TransformerFiles, unsupportedModule } from './model-folder.js';

export interface SparseEncoderFolder extends TransformerFiles {
  root: string;
  prompts: Record<string, string>;
  similarityFnName: string;
}

export async function readSparseEncoderFolder(root: string, fileName: string | undefined): Promise<SparseEncoderFolder> {
  const { file: modulesFile, entries } = await readModules(root, 'MLMTransformer');
  let transformerDir: string | undefined;
  let pooled = false;
  for (const entry of entries) {
    const dir = join(root, entry.path);
    switch (kindOf(entry)) {
      case 'MLMTransformer':
        transformerDir = dir;
        break;
      case 'SpladePooling': {
        // The native pipeline runs max pooling of log1p(relu(logits)), the standard SPLADE.
        const file = join(dir, 'config.json');
        const config = await readJsonFile<Record<string, unknown>>(file, {});
        const strategy = config.pooling_strategy ?? 'max';
        const activation = config.activation_function ?? 'relu';
        if (strategy !== 'max' || activation !== 'relu') {
          throw loadError(`${file}: SpladePooling with pooling_strategy ${JSON.stringify(strategy)} and activation_function ${JSON.stringify(activation)} is not supported yet (only max + relu)`);
        }
        pooled = true;
        break;
      }
      default:
        throw unsupportedModule(modulesFile, entry);
    }
  }
  if (transformerDir === undefined) throw loadError(`${modulesFile} has no MLMTransformer module`);
  if (!pooled && entries.length > 1) throw loadError(`${modulesFile} has no SpladePooling module`);

  const modelConfigFile = join(root, 'config_sentence_transformers.json');
  const modelConfig = await readJsonFile<Record<string, unknown>>(modelConfigFile, {});
  const prompts = (modelConfig.prompts ?? {}) as Record<string, string>;
  return {
    root,
    ...(await readTransformerFiles(transformerDir, fileName)),
    prompts,
    similarityFnName: typeof modelConfig.similarity_fn_name === 'string' ? modelConfig.similarity_fn_name : 'dot',
  };
}
