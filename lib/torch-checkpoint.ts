/**
 * Reads a state dict saved by torch.save (the zip format of PyTorch ≥ 1.6: <stem>/data.pkl
 * plus one raw little-endian storage per <stem>/data/<key>, stored uncompressed) into float32
 * tensors, as sentence-transformers < 3 wrote Dense modules' pytorch_model.bin. Our own zip
 * reader and a restricted pickle machine: nothing in the file is executed. Float32, float16
 * and bfloat16 storages are read; tensors must be contiguous views of their storage.
 * @internal
 */
import { readFile } from 'node:fs/promises';

import { SentenceKitError } from './errors.js';
import { halfToFloat, type Tensor } from './safetensors.js';
import { PickleFormatError, readStateDictPickle, type StorageDtype, type TensorRef } from './torch-pickle.js';
import { readStoredZip, ZipFormatError } from './zip-stored.js';

const ELEMENT_BYTES: Record<StorageDtype, number> = { float32: 4, float16: 2, bfloat16: 2 };

function contiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    // A dimension of size 1 may carry any stride.
    if ((shape[d] as number) !== 1 && stride[d] !== expected) return false;
    expected *= shape[d] as number;
  }
  return true;
}

function toFloat32(raw: Buffer, dtype: StorageDtype, begin: number, count: number): Float32Array {
  const data = new Float32Array(count);
  if (dtype === 'float32') {
    for (let i = 0; i < count; i += 1) data[i] = raw.readFloatLE((begin + i) * 4);
  } else if (dtype === 'float16') {
    for (let i = 0; i < count; i += 1) data[i] = halfToFloat(raw.readUInt16LE((begin + i) * 2));
  } else {
    const word = new Uint32Array(1);
    const asFloat = new Float32Array(word.buffer);
    for (let i = 0; i < count; i += 1) {
      word[0] = raw.readUInt16LE((begin + i) * 2) << 16;
      data[i] = asFloat[0] as number;
    }
  }
  return data;
}

/** Parses the bytes of a torch.save'd state dict; `path` only names the file in errors. */
export function parseTorchStateDict(bytes: Buffer, path: string): Map<string, Tensor> {
  const fail = (why: string, cause?: unknown): SentenceKitError =>
    new SentenceKitError('ERR_MODEL_LOAD', `${path}: ${why}`, cause === undefined ? undefined : { cause });
  let entries: Map<string, Buffer>;
  let refs: Map<string, TensorRef>;
  let prefix: string;
  try {
    entries = readStoredZip(bytes);
    // Every record sits under one folder named after the file's stem ("archive/" in newer torch).
    const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
    if (pickleName === undefined) throw new ZipFormatError('no <name>/data.pkl record: not a torch.save zip (a pre-1.6 legacy pickle is not supported)');
    prefix = pickleName.slice(0, -'data.pkl'.length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder !== undefined && byteorder.toString('latin1') !== 'little') throw new ZipFormatError('big-endian storages are not supported');
    refs = readStateDictPickle(entries.get(pickleName) as Buffer);
  } catch (error) {
    if (error instanceof ZipFormatError) throw fail(`not a readable PyTorch checkpoint: ${error.message}`, error);
    if (error instanceof PickleFormatError) throw fail(`data.pkl: ${error.message}`, error);
    throw error;
  }

  const tensors = new Map<string, Tensor>();
  for (const [name, ref] of refs) {
    const { storage, offset, shape, stride } = ref;
    const raw = entries.get(`${prefix}data/${storage.key}`);
    if (raw === undefined) throw fail(`tensor ${name}: storage ${storage.key} is missing from the archive`);
    if (raw.length !== storage.numel * ELEMENT_BYTES[storage.dtype]) throw fail(`tensor ${name}: storage ${storage.key} has ${raw.length} bytes, not ${storage.numel} ${storage.dtype} values`);
    if (!contiguous(shape, stride)) throw fail(`tensor ${name} is not contiguous (stride ${JSON.stringify(stride)} for size ${JSON.stringify(shape)})`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (offset + count > storage.numel) throw fail(`tensor ${name} lies outside its storage`);
    tensors.set(name, { shape, data: toFloat32(raw, storage.dtype, offset, count) });
  }
  return tensors;
}

/** All tensors of a pytorch_model.bin state dict, as float32. */
export async function readTorchStateDict(path: string): Promise<Map<string, Tensor>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseTorchStateDict(bytes, path);
}
