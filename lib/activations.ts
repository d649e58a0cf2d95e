/**
 * Activation functions as sentence-transformers names them (torch class paths in configs),
 * and the ones a CrossEncoder applies to its logits, in place, with torch's semantics.
 * Internal: not exported from the package entry point.
 */
import { loadError } from './json-files.js';

/** The activations predict() applies to a CrossEncoder's logits. */
export type ActivationName = 'sigmoid' | 'identity' | 'tanh' | 'relu' | 'softmax';

export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'identity', 'tanh', 'relu', 'softmax'];

// torch class paths sentence-transformers stores for the activation function.
const TORCH_ACTIVATIONS: Record<string, ActivationName> = {
  Sigmoid: 'sigmoid',
  Identity: 'identity',
  Tanh: 'tanh',
  ReLU: 'relu',
  Softmax: 'softmax',
};

export function parseActivationPath(path: string, file: string): ActivationName {
  const name = path.split('.').pop() ?? path;
  const activation = TORCH_ACTIVATIONS[name];
  if (!path.startsWith('torch.') || activation === undefined) {
    throw loadError(`${file}: unsupported activation function ${JSON.stringify(path)} (supported: ${Object.keys(TORCH_ACTIVATIONS).map((n) => `torch.nn.${n}`).join(', ')})`);
  }
  return activation;
}

/** Applies `activation` to every row of a [rows × width] matrix in place. */
export function applyActivation(data: Float32Array, width: number, activation: ActivationName): void {
  switch (activation) {
    case 'identity':
      return;
    case 'sigmoid':
      for (let i = 0; i < data.length; i += 1) data[i] = 1 / (1 + Math.exp(-(data[i] as number)));
      return;
    case 'tanh':
      for (let i = 0; i < data.length; i += 1) data[i] = Math.tanh(data[i] as number);
      return;
    case 'relu':
      for (let i = 0; i < data.length; i += 1) data[i] = Math.max(0, data[i] as number);
      return;
    case 'softmax':
      softmaxRows(data, width);
  }
}

/** Softmax over each row, shifted by the row max for stability (as torch does). */
export function softmaxRows(data: Float32Array, width: number): void {
  for (let start = 0; start < data.length; start += width) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = start; j < start + width; j += 1) max = Math.max(max, data[j] as number);
    let sum = 0;
    for (let j = start; j < start + width; j += 1) {
      const e = Math.exp((data[j] as number) - max);
      data[j] = e;
      sum += e;
    }
    for (let j = start; j < start + width; j += 1) data[j] = (data[j] as number) / sum;
  }
}
