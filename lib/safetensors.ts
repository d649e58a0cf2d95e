/**
 * Reads tensors from a .safetensors file (8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets}}, then the raw data) as Float32Arrays.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

import { SentenceKitError } from './errors.js';

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** IEEE half-precision bits as a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * All tensors of a .safetensors file's bytes, converted to float32 (F32, F16 and BF16 are
 * read); `path` only names the file in errors. The header is checked as the safetensors
 * library checks it (every entry an object with a dtype, a shape of non-negative integers and
 * offsets inside the data whose span is the shape's byte size), so a hostile header fails with
 * ERR_MODEL_LOAD before anything is allocated from it.
 */
export function parseSafetensors(bytes: Buffer, path: string): Map<string, Tensor> {
  const fail = (why: string): SentenceKitError => new SentenceKitError('ERR_MODEL_LOAD', `${path}: ${why}`);
  if (bytes.length < 8) throw fail('too short to be a safetensors file');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > bytes.length) throw fail('invalid safetensors header length');
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (error) {
    throw fail(`invalid safetensors header: ${(error as Error).message}`);
  }
  if (!isRecord(header)) throw fail('the safetensors header is not a JSON object');
  const base = 8 + headerLength;
  const dataLength = bytes.length - base;
  const tensors = new Map<string, Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isRecord(info)) throw fail(`tensor ${name} has no {dtype, shape, data_offsets} entry`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') throw fail(`tensor ${name} has no dtype`);
    if (!Array.isArray(shape) || !shape.every((dim): dim is number => Number.isSafeInteger(dim) && (dim as number) >= 0)) {
      throw fail(`tensor ${name} has a shape that is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((at) => Number.isSafeInteger(at))) {
      throw fail(`tensor ${name} has data_offsets that are not two integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (!(begin >= 0 && end >= begin && end <= dataLength)) throw fail(`tensor ${name} lies outside the file`);
    // Products past 2^53 lose precision but stay past any real span, so they still fail here.
    const count = shape.reduce((a, b) => a * b, 1);
    const width = DTYPE_BYTES[dtype];
    if (width !== undefined && count * width !== end - begin) {
      throw fail(`tensor ${name} has ${end - begin} bytes, not the ${count} × ${width} its ${dtype} shape [${shape.join(', ')}] needs`);
    }
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') throw fail(`tensor ${name} has unsupported dtype ${dtype}`);
    const raw = bytes.subarray(base + begin, base + end);
    const data = new Float32Array(count);
    if (dtype === 'F32') {
      for (let i = 0; i < count; i += 1) data[i] = raw.readFloatLE(i * 4);
    } else if (dtype === 'F16') {
      for (let i = 0; i < count; i += 1) data[i] = halfToFloat(raw.readUInt16LE(i * 2));
    } else {
      const word = new Uint32Array(1);
      const asFloat = new Float32Array(word.buffer);
      for (let i = 0; i < count; i += 1) {
        word[0] = raw.readUInt16LE(i * 2) << 16;
        data[i] = asFloat[0] as number;
      }
    }
    tensors.set(name, { shape: [...shape], data });
  }
  return tensors;
}

/** All tensors of the file, converted to float32 (F32, F16 and BF16 are read). */
export async function readSafetensors(path: string): Promise<Map<string, Tensor>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseSafetensors(bytes, path);
}
