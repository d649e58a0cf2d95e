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

/** All tensors of the file, converted to float32 (F32, F16 and BF16 are read). */
export async function readSafetensors(path: string): Promise<Map<string, Tensor>> {
  const fail = (why: string): SentenceKitError => new SentenceKitError('ERR_MODEL_LOAD', `${path}: ${why}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length < 8) throw fail('too short to be a safetensors file');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > bytes.length) throw fail('invalid safetensors header length');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as typeof header;
  } catch (error) {
    throw fail(`invalid safetensors header: ${(error as Error).message}`);
  }
  const base = 8 + headerLength;
  const tensors = new Map<string, Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    if (!(begin >= 0 && end >= begin && base + end <= bytes.length)) throw fail(`tensor ${name} lies outside the file`);
    const raw = bytes.subarray(base + begin, base + end);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    if (info.dtype === 'F32' && raw.length === count * 4) {
      for (let i = 0; i < count; i += 1) data[i] = raw.readFloatLE(i * 4);
    } else if (info.dtype === 'F16' && raw.length === count * 2) {
      for (let i = 0; i < count; i += 1) data[i] = halfToFloat(raw.readUInt16LE(i * 2));
    } else if (info.dtype === 'BF16' && raw.length === count * 2) {
      const word = new Uint32Array(1);
      const asFloat = new Float32Array(word.buffer);
      for (let i = 0; i < count; i += 1) {
        word[0] = raw.readUInt16LE(i * 2) << 16;
        data[i] = asFloat[0] as number;
      }
    } else {
      throw fail(`tensor ${name} has unsupported dtype ${info.dtype} or a size that does not match its shape`);
    }
    tensors.set(name, { shape: info.shape, data });
  }
  return tensors;
}
