/**
 * Which files of a CLIP model's module folder a Hub download fetches. Its folder is not a
 * transformer's (0_CLIPModel/ in the Hub's layout) and its ONNX exports are not one file:
 * transformers.js ships onnx/text_model.onnx + onnx/vision_model.onnx (and *_quantized.onnx),
 * Optimum onnx/model.onnx. What runs is chosen on the snapshot (clip-model.ts:
 * chooseClipEngine), so the download fetches what that choice can take for the load's
 * `onnxFile`: the weights for the CPU engine; the named export (a tower with its sibling); and
 * for the default request both the weights and the export where the repository has both (which
 * one a default load runs depends on what is there; backend 'onnx' names the same file).
 * Internal: not exported from the package entry point.
 */
import { posix } from 'node:path';

/** The CPU engine's weights, best first. */
const WEIGHTS = ['model.safetensors', 'pytorch_model.bin'];
/** resolveLoad's request when nothing chose an ONNX file or an engine. */
const DEFAULT_ONNX = 'onnx/model.onnx';
const TOWERS = ['text_model', 'vision_model'] as const;

/** A graph's external data files, named as ONNX writes them. */
export function withExternalData(file: string, has: (name: string) => boolean): string[] {
  return [file, ...[`${file}_data`, `${file}.data`].filter(has)];
}

/**
 * The files (relative to the CLIP module's folder) the load of `onnxFile` needs there, given
 * what the folder holds (`has`); empty when it holds none of them.
 */
export function clipModuleFiles(onnxFile: string, has: (name: string) => boolean): string[] {
  const weights = WEIGHTS.find(has);
  if (!onnxFile.endsWith('.onnx')) return weights === undefined ? [] : [weights];
  const dir = posix.dirname(onnxFile);
  const base = posix.basename(onnxFile);
  const tower = TOWERS.find((name) => base.startsWith(name));
  let graphs: string[] = [];
  if (tower !== undefined) {
    const pair = TOWERS.map((name) => posix.join(dir, name + base.slice(tower.length)));
    if (pair.every(has)) graphs = pair;
  } else {
    // model.onnx / model_quantized.onnx: transformers.js's towers of that kind first, as the
    // local choice prefers them.
    const suffix = base === 'model.onnx' ? '' : base === 'model_quantized.onnx' ? '_quantized' : null;
    const pair = TOWERS.map((name) => posix.join(dir, `${name}${suffix ?? ''}.onnx`));
    if (suffix !== null && pair.every(has)) graphs = pair;
    else if (has(onnxFile)) graphs = [onnxFile];
  }
  const files = graphs.flatMap((graph) => withExternalData(graph, has));
  if (onnxFile === DEFAULT_ONNX && weights !== undefined) files.push(weights);
  return files;
}
