/**
 * Reads a state dict saved by torch.save into float32 tensors, as sentence-transformers < 3
 * wrote Dense modules' pytorch_model.bin. Both formats: the zip of PyTorch ≥ 1.6
 * (<stem>/data.pkl plus one raw little-endian storage per <stem>/data/<key>, stored
 * uncompressed) and the older stream (magic, protocol and sys_info pickles, the state dict
 * pickle, the list of storage keys, then each storage as an 8-byte element count and its
 * bytes). Our own zip reader and a restricted pickle machine: nothing in the file is executed.
 * Float32, float16 and bfloat16 storages are read (int64 ones located, for buffers such as
 * position_ids that the engines skip); tensors must be contiguous views.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

import { SentenceKitError } from './errors.js';
import { halfToFloat, type Tensor } from './safetensors.js';
import { asDict, asStateDict, asStringList, PickleFormatError, readStateDictPickle, runPickle, type StorageDtype, type TensorRef } from './torch-pickle.js';
import { readCheckpointSkeleton } from './torch-checkpoint-skeleton.js';
import { readStoredZip, ZipFormatError } from './zip-stored.js';

const ELEMENT_BYTES: Record<StorageDtype, number> = { float32: 4, float16: 2, bfloat16: 2, int64: 8 };

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

// torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, as pickle's LONG1 stores it.
const LEGACY_MAGIC = '6cfc9c46f9206aa85019';
const LEGACY_PROTOCOL = 1001;

/** The pre-1.6 stream: its tensors, and its storages keyed like the zip's <stem>/data/<key>. */
function readLegacyStream(bytes: Buffer): { refs: Map<string, TensorRef>; storages: Map<string, Buffer> } {
  let next = runPickle(bytes, 0);
  if (typeof next.value !== 'object' || next.value === null || !('kind' in next.value) || next.value.kind !== 'long' || next.value.hex !== LEGACY_MAGIC) {
    throw new PickleFormatError('not a torch.save file (wrong magic number)');
  }
  next = runPickle(bytes, next.end);
  if (next.value !== LEGACY_PROTOCOL) throw new PickleFormatError(`unsupported legacy protocol ${typeof next.value === 'number' ? next.value : `(a ${typeof next.value})`}`);
  next = runPickle(bytes, next.end);
  if (asDict(next.value).get('little_endian') !== true) throw new ZipFormatError('big-endian storages are not supported');
  next = runPickle(bytes, next.end);
  const refs = asStateDict(next.value);
  next = runPickle(bytes, next.end);
  const keys = asStringList(next.value);

  const dtypes = new Map<string, StorageDtype>();
  for (const { storage } of refs.values()) dtypes.set(storage.key, storage.dtype);
  const storages = new Map<string, Buffer>();
  let at = next.end;
  for (const key of keys) {
    const dtype = dtypes.get(key);
    if (dtype === undefined) throw new PickleFormatError(`storage ${key} belongs to no tensor`);
    if (at + 8 > bytes.length) throw new PickleFormatError(`storage ${key} is missing (truncated?)`);
    const count = Number(bytes.readBigUInt64LE(at));
    const end = at + 8 + count * ELEMENT_BYTES[dtype];
    if (!Number.isSafeInteger(end) || end > bytes.length) throw new PickleFormatError(`storage ${key} lies outside the file (truncated?)`);
    storages.set(key, bytes.subarray(at + 8, end));
    at = end;
  }
  return { refs, storages };
}

/** Where one tensor of a torch.save'd state dict lies in the file, unconverted. */
export interface TensorLocation {
  dtype: StorageDtype;
  shape: number[];
  /** Byte range in the file's bytes. */
  begin: number;
  end: number;
}

function loadFailure(path: string, why: string, cause?: unknown): SentenceKitError {
  return new SentenceKitError('ERR_MODEL_LOAD', `${path}: ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * Locates every tensor of a torch.save'd state dict in its bytes (each a contiguous run of one
 * storage, which both formats keep as a plain slice of the file); `path` only names the file in
 * errors.
 */
export function locateTorchTensors(bytes: Buffer, path: string): Map<string, TensorLocation> {
  const fail = (why: string, cause?: unknown): SentenceKitError => loadFailure(path, why, cause);
  let entries: Map<string, Buffer>;
  let refs: Map<string, TensorRef>;
  let prefix: string;
  try {
    if (bytes.length >= 3 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a) {
      // A pickle stream that opens with a long integer: the pre-1.6 format's magic number.
      const legacy = readLegacyStream(bytes);
      refs = legacy.refs;
      prefix = '';
      entries = new Map([...legacy.storages].map(([key, data]) => [`data/${key}`, data]));
    } else {
      entries = readStoredZip(bytes);
    // Every record sits under one folder named after the file's stem ("archive/" in newer torch).
      const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
      if (pickleName === undefined) throw new ZipFormatError('no <name>/data.pkl record: not a torch.save zip');
      prefix = pickleName.slice(0, -'data.pkl'.length);
      const byteorder = entries.get(`${prefix}byteorder`);
      if (byteorder !== undefined && byteorder.toString('latin1') !== 'little') throw new ZipFormatError('big-endian storages are not supported');
      refs = readStateDictPickle(entries.get(pickleName) as Buffer);
    }
  } catch (error) {
    if (error instanceof ZipFormatError) throw fail(`not a readable PyTorch checkpoint: ${error.message}`, error);
    if (error instanceof PickleFormatError) throw fail(`cannot read the pickled state dict: ${error.message}`, error);
    throw error;
  }

  const locations = new Map<string, TensorLocation>();
  for (const [name, ref] of refs) {
    const { storage, offset, shape, stride } = ref;
    const raw = entries.get(`${prefix}data/${storage.key}`);
    if (raw === undefined) throw fail(`tensor ${name}: storage ${storage.key} is missing from the archive`);
    const width = ELEMENT_BYTES[storage.dtype];
    if (raw.length !== storage.numel * width) throw fail(`tensor ${name}: storage ${storage.key} has ${raw.length} bytes, not ${storage.numel} ${storage.dtype} values`);
    if (!contiguous(shape, stride)) throw fail(`tensor ${name} is not contiguous (stride ${JSON.stringify(stride)} for size ${JSON.stringify(shape)})`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (offset + count > storage.numel) throw fail(`tensor ${name} lies outside its storage`);
    const begin = raw.byteOffset - bytes.byteOffset + offset * width;
    locations.set(name, { dtype: storage.dtype, shape, begin, end: begin + count * width });
  }
  return locations;
}

/** Parses the bytes of a torch.save'd state dict; `path` only names the file in errors. */
export function parseTorchStateDict(bytes: Buffer, path: string): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const [name, { dtype, shape, begin, end }] of locateTorchTensors(bytes, path)) {
    if (dtype === 'int64') throw loadFailure(path, `tensor ${name} holds integers (int64); only float32, float16 and bfloat16 weights are read`);
    tensors.set(name, { shape, data: toFloat32(bytes.subarray(begin, end), dtype, 0, (end - begin) / ELEMENT_BYTES[dtype]) });
  }
  return tensors;
}

const SAFETENSORS_DTYPES: Record<StorageDtype, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64' };

/**
 * A pytorch_model.bin as the native engines read weights: a safetensors header whose
 * data_offsets count from the file's first byte (native model::SafetensorsFile::OpenWithTable),
 * so the native side reads the file itself, off the event loop, with no converted copy on disk;
 * this side reads only the archive's structure and pickle (torch-checkpoint-skeleton.ts).
 */
export async function torchSafetensorsTable(path: string): Promise<string> {
  const header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  let skeleton: Buffer;
  try {
    skeleton = await readCheckpointSkeleton(path);
  } catch (error) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  for (const [name, { dtype, shape, begin, end }] of locateTorchTensors(skeleton, path)) {
    header[name] = { dtype: SAFETENSORS_DTYPES[dtype], shape, data_offsets: [begin, end] };
  }
  return JSON.stringify(header);
}

async function readCheckpointBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** All tensors of a pytorch_model.bin state dict, as float32. */
export async function readTorchStateDict(path: string): Promise<Map<string, Tensor>> {
  return parseTorchStateDict(await readCheckpointBytes(path), path);
}
