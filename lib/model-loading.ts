/**
 * The part of fromPretrained() every model class shares: options checked, the folder found
 * locally or fetched from the Hub, and the native options for its transformer files.
 * @internal
 */
import type { NativeModelOptions } from './binding.js';
import { resolveModelFolder, type HubOptions } from './hub.js';
import type { TransformerFiles } from './model-folder.js';
import { describeValue, validateBoolean, validateOptionsObject, validatePositiveInteger } from './validate.js';

/** Options every fromPretrained() takes. */
export interface LoadOptions extends Omit<HubOptions, 'onnxFile'> {
  /** ONNX file inside the model folder, e.g. 'onnx/model_qint8_avx512_vnni.onnx'. Default 'onnx/model.onnx'. */
  fileName?: string;
  /** ONNX Runtime intra-op threads for one run; default one per CPU core. */
  intraOpThreads?: number;
  /** Let ONNX Runtime's threads spin between parallel sections (lower latency, busier idle cores). Default true. */
  allowSpinning?: boolean;
}

export interface ResolvedLoad<T extends LoadOptions> {
  root: string;
  fileName: string;
  options: Partial<T>;
  runtime: { intraOpThreads: number; allowSpinning: boolean };
}

export async function resolveLoad<T extends LoadOptions>(pathOrId: unknown, options: unknown): Promise<ResolvedLoad<T>> {
  if (typeof pathOrId !== 'string' || pathOrId.length === 0) {
    throw new TypeError(`expected pathOrId to be a non-empty string but received ${describeValue(pathOrId)}`);
  }
  const opts = validateOptionsObject<T>(options, 'options');
  if (opts.fileName !== undefined && typeof opts.fileName !== 'string') {
    throw new TypeError(`expected options.fileName to be a string but received ${describeValue(opts.fileName)}`);
  }
  const runtime = {
    intraOpThreads: opts.intraOpThreads === undefined ? 0 : validatePositiveInteger(opts.intraOpThreads, 'options.intraOpThreads'),
    allowSpinning: opts.allowSpinning === undefined ? true : validateBoolean(opts.allowSpinning, 'options.allowSpinning'),
  };
  const fileName = opts.fileName ?? 'onnx/model.onnx';
  const root = await resolveModelFolder(pathOrId, { ...opts, onnxFile: fileName });
  return { root, fileName, options: opts, runtime };
}

export function nativeModelOptions(files: TransformerFiles, runtime: ResolvedLoad<LoadOptions>['runtime']): NativeModelOptions {
  return { modelPath: files.onnxPath, tokenizerPath: files.tokenizerPath, maxLength: files.maxSeqLength, ...runtime };
}
