/**
 * Reads a sentence-transformers Dense module folder (config.json + model.safetensors, or the
 * pytorch_model.bin of sentence-transformers < 3) into the weights the native pipeline applies
 * after pooling.
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { parseActivationPath } from './activations.js';
import { loadError, readJsonObject } from './json-files.js';
import { readModuleWeights } from './module-weights.js';

export interface DenseLayerWeights {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias?: Float32Array;
  activation: string;
  useResidual: boolean;
  residualWeight?: Float32Array;
}

const NATIVE_ACTIVATIONS = new Set(['identity', 'tanh', 'sigmoid', 'relu', 'gelu']);

export async function readDenseModule(dir: string): Promise<DenseLayerWeights> {
  const configFile = join(dir, 'config.json');
  const config = await readJsonObject(configFile);
  const inFeatures = config.in_features;
  const outFeatures = config.out_features;
  if (typeof inFeatures !== 'number' || typeof outFeatures !== 'number' || inFeatures <= 0 || outFeatures <= 0) {
    throw loadError(`${configFile}: in_features and out_features must be positive integers`);
  }
  // The Dense default is Tanh when the config names none.
  const activationPath = typeof config.activation_function === 'string' ? config.activation_function : 'torch.nn.modules.activation.Tanh';
  const activation = activationPath.endsWith('GELU') ? 'gelu' : parseActivationPath(activationPath, configFile);
  if (!NATIVE_ACTIVATIONS.has(activation)) throw loadError(`${configFile}: activation ${activationPath} is not supported in Dense`);

  const { file: weightsFile, tensors } = await readModuleWeights(dir, 'Dense');
  const weight = tensors.get('linear.weight');
  if (!weight || weight.shape.length !== 2 || weight.shape[0] !== outFeatures || weight.shape[1] !== inFeatures) {
    throw loadError(`${weightsFile}: linear.weight must be [${outFeatures}, ${inFeatures}] but is ${weight ? `[${weight.shape.join(', ')}]` : 'missing'}`);
  }
  const layer: DenseLayerWeights = { inFeatures, outFeatures, weight: weight.data, activation, useResidual: config.use_residual === true };
  const bias = tensors.get('linear.bias');
  if (config.bias !== false && bias) {
    if (bias.data.length !== outFeatures) throw loadError(`${weightsFile}: linear.bias must have ${outFeatures} values`);
    layer.bias = bias.data;
  }
  if (layer.useResidual && inFeatures !== outFeatures) {
    const residual = tensors.get('residual.weight');
    if (!residual || residual.data.length !== inFeatures * outFeatures) throw loadError(`${weightsFile}: residual.weight missing or mis-shaped`);
    layer.residualWeight = residual.data;
  }
  return layer;
}
