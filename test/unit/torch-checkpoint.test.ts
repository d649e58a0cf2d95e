// cpu-level-independent: the levels stage does not run this file again.
// The pytorch_model.bin reader (our zip reader + restricted pickle machine): the committed
// legacy Dense weights, hand-built checkpoints, and bad input that must give ERR_MODEL_LOAD
// naming the file, never a crash or executed code.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readCheckpointSkeleton } from '../../lib/torch-checkpoint-skeleton.js';
import { locateTorchTensors, parseTorchStateDict, readTorchStateDict, torchSafetensorsTable } from '../../lib/torch-checkpoint.js';
import { readStoredZip, ZipFormatError } from '../../lib/zip-stored.js';
import { throwsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { checkpoint, floats, global, op, statePickle, storedZip, unicode } from '../helpers/torch-files.js';

const LEGACY = join(FIXTURES, 'tiny-bert-dense-legacy');
// float32 in the stream format of PyTorch < 1.6; float16 in the zip format.
const FLOAT32_BIN = join(LEGACY, '2_Dense', 'pytorch_model.bin');
const FLOAT16_BIN = join(LEGACY, '3_Dense', 'pytorch_model.bin');

function expectLoadError(bytes: Buffer, pattern: RegExp): void {
  try {
    parseTorchStateDict(bytes, '/models/x/pytorch_model.bin');
    assert.unreachable('must not parse');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD', String(error));
    assert.match((error as Error).message, '/models/x/pytorch_model.bin');
    assert.match((error as Error).message, pattern);
  }
}

test('reads the committed float32 (pre-1.6 stream) and float16 (zip) legacy Dense weights', async () => {
  const f32 = await readTorchStateDict(FLOAT32_BIN);
  assert.equal([...f32.keys()], ['linear.weight', 'linear.bias']);
  assert.equal(f32.get('linear.weight')?.shape, [12, 8]);
  assert.is(f32.get('linear.weight')?.data.length, 96);
  assert.equal(f32.get('linear.bias')?.shape, [12]);
  const f16 = await readTorchStateDict(FLOAT16_BIN);
  assert.equal(f16.get('linear.weight')?.shape, [6, 12]);
  assert.ok([...(f16.get('linear.weight')?.data ?? [])].every((v) => Number.isFinite(v) && v !== 0));
});

test('honours the storage offset and a size-1 dimension of any stride', () => {
  const storage = floats([9, 1, 2, 3, 4, 5, 6]);
  const parsed = parseTorchStateDict(checkpoint(statePickle({ numel: 7, offset: 1, size: [2, 1, 3], stride: [3, 99, 1] }), storage), 'x.bin');
  assert.equal(parsed.get('w')?.shape, [2, 1, 3]);
  assert.equal([...(parsed.get('w')?.data ?? [])], [1, 2, 3, 4, 5, 6]);
});

test('converts bfloat16 and float16 storages to float32', () => {
  const bf16 = Buffer.alloc(4);
  bf16.writeUInt16LE(0x3fc0, 0); // 1.5
  bf16.writeUInt16LE(0xc020, 2); // -2.5
  assert.equal([...(parseTorchStateDict(checkpoint(statePickle({ storageType: 'BFloat16Storage', numel: 2, offset: 0, size: [2], stride: [1] }), bf16), 'x.bin').get('w')?.data ?? [])], [1.5, -2.5]);
  const f16 = Buffer.alloc(4);
  f16.writeUInt16LE(0x3c00, 0); // 1
  f16.writeUInt16LE(0xb800, 2); // -0.5
  assert.equal([...(parseTorchStateDict(checkpoint(statePickle({ storageType: 'HalfStorage', numel: 2, offset: 0, size: [2], stride: [1] }), f16), 'x.bin').get('w')?.data ?? [])], [1, -0.5]);
});

test('the safetensors table of a checkpoint locates each tensor in the file, for both formats, as the float reader reads it', async () => {
  for (const file of [FLOAT32_BIN, FLOAT16_BIN]) {
    const bytes = readFileSync(file);
    const floats32 = parseTorchStateDict(bytes, file);
    const table = JSON.parse(await torchSafetensorsTable(file)) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    assert.equal(Object.keys(table), [...floats32.keys()]);
    for (const [name, entry] of Object.entries(table)) {
      assert.equal(entry.shape, floats32.get(name)?.shape);
      const [begin, end] = entry.data_offsets;
      const slice = bytes.subarray(begin, end);
      const values = entry.dtype === 'F32' ? [...new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.length))] : undefined;
      assert.ok(entry.dtype === 'F32' || entry.dtype === 'F16', entry.dtype);
      assert.is(end - begin, (floats32.get(name)?.data.length ?? 0) * (entry.dtype === 'F32' ? 4 : 2));
      if (values !== undefined) assert.equal(values, [...(floats32.get(name)?.data ?? [])]);
    }
  }
});

test("the table is built from the archive's structure alone: the same entries over a file whose storages are unread, and over the fixture CLIP", async () => {
  for (const file of [FLOAT32_BIN, FLOAT16_BIN, join(FIXTURES, 'tiny-clip-hub-bin', '0_CLIPModel', 'pytorch_model.bin')]) {
    const whole = readFileSync(file);
    const skeleton = await readCheckpointSkeleton(file);
    assert.is(skeleton.length, whole.length);
    assert.equal(locateTorchTensors(skeleton, file), locateTorchTensors(whole, file));
    if (file.includes('0_CLIPModel')) {
      // The zip's storages were not read (zeros) before the last 64 KiB (read whole for the end
      // record, which may sit behind a comment that long).
      const located = [...locateTorchTensors(whole, file).values()].filter(({ end }) => end < whole.length - 0xffff - 22);
      assert.ok(located.length > 10 && located.some(({ begin, end }) => whole.subarray(begin, end).some((byte) => byte !== 0)));
      assert.ok(located.every(({ begin, end }) => skeleton.subarray(begin, end).every((byte) => byte === 0)));
    }
  }
});

test('int64 storages (position_ids buffers) are located as I64 but refused as float weights', async () => {
  const ids = Buffer.from(new BigInt64Array([0n, 1n, 2n]).buffer);
  const bytes = checkpoint(statePickle({ storageType: 'LongStorage', numel: 3, offset: 1, size: [1, 2], stride: [2, 1], name: 'position_ids' }), ids);
  const location = locateTorchTensors(bytes, 'x.bin').get('position_ids');
  assert.equal(location?.dtype, 'int64');
  assert.equal(bytes.readBigInt64LE(location?.begin ?? 0), 1n);
  assert.is((location?.end ?? 0) - (location?.begin ?? 0), 16);
  expectLoadError(bytes, /tensor position_ids holds integers \(int64\)/);
});

test('a truncated archive is ERR_MODEL_LOAD', () => {
  const bytes = readFileSync(FLOAT16_BIN);
  for (const length of [0, 10, 200, bytes.length - 30, bytes.length - 1]) expectLoadError(bytes.subarray(0, length), /zip|truncated|central directory/);
  // Cut inside the data while keeping the directory: entries point past the end.
  const entries = readStoredZip(bytes);
  const pickle = [...entries.entries()].find(([name]) => name.endsWith('data.pkl'))?.[1] as Buffer;
  expectLoadError(checkpoint(pickle.subarray(0, pickle.length - 5), floats([1])), /ends early|underflow|truncated/);
});

test('an unknown global is refused by name, not imported', () => {
  const evil = Buffer.concat([op('\x80\x02'), global('os', 'system'), unicode('echo pwned'), op('\x85R.')]);
  expectLoadError(checkpoint(evil, floats([1])), /unknown global os\.system/);
  expectLoadError(checkpoint(statePickle({ storageType: 'IntStorage', numel: 1, offset: 0, size: [1], stride: [1] }), floats([1, 1])), /unknown global torch\.IntStorage/);
});

test('GLOBAL, REDUCE and BUILD of anything but the state dict machinery are refused, and nothing runs', () => {
  const marker = join(tmpdir(), `sentencekit-pickle-ran-${process.pid}`);
  rmSync(marker, { force: true });
  // What pickle.dumps writes for an object whose __reduce__ is (os.system, ('touch <marker>',)) on
  // Linux, and the same through builtins.eval, subprocess and a nested position in a valid dict.
  const command = unicode(`touch ${marker}`);
  for (const [module, name] of [['posix', 'system'], ['os', 'system'], ['builtins', 'eval'], ['builtins', 'exec'], ['subprocess', 'Popen'], ['__builtin__', 'getattr'], ['torch', 'load']]) {
    const evil = Buffer.concat([op('\x80\x02'), global(module as string, name as string), op('q\x00'), command, op('\x85q\x01Rq\x02.')]);
    expectLoadError(checkpoint(evil, floats([1])), new RegExp(`refusing unknown global ${module}\\.${name}`));
  }
  const nested = Buffer.concat([op('\x80\x02'), global('collections', 'OrderedDict'), op(')R'), op('('), unicode('w'), global('posix', 'system'), command, op('\x85R'), op('u.')]);
  expectLoadError(checkpoint(nested, floats([1])), /refusing unknown global posix\.system/);
  // An allowed global called as something it is not: a storage class is only a persistent id's tag.
  const calledStorage = Buffer.concat([op('\x80\x02'), global('torch', 'FloatStorage'), unicode('x'), op('\x85R.')]);
  expectLoadError(checkpoint(calledStorage, floats([1])), /REDUCE of something other than OrderedDict or _rebuild_tensor_v2/);
  const orderedDictWithArgs = Buffer.concat([op('\x80\x02'), global('collections', 'OrderedDict'), command, op('\x85R.')]);
  expectLoadError(checkpoint(orderedDictWithArgs, floats([1])), /OrderedDict called with arguments/);
  // BUILD sets state on an object: only a state dict's _metadata dict is accepted, and ignored.
  const buildOnList = Buffer.concat([op('\x80\x02]'), op('}'), op('b.')]);
  expectLoadError(checkpoint(buildOnList, floats([1])), /BUILD on something other than a state dict/);
  const buildWithString = Buffer.concat([op('\x80\x02'), global('collections', 'OrderedDict'), op(')R'), command, op('b.')]);
  expectLoadError(checkpoint(buildWithString, floats([1])), /BUILD on something other than a state dict/);
  assert.not.ok(existsSync(marker), 'a refused pickle ran its command');
});

test('zip entries named with .., absolute paths, drive letters or backslashes, or given twice, are refused', () => {
  const pickle = statePickle({ numel: 1, offset: 0, size: [1], stride: [1] });
  for (const [name, why] of [
    ['archive/../../etc/passwd', /'\.\.' segment/], ['../archive/data/0', /'\.\.' segment/], ['archive/data/..', /'\.\.' segment/],
    ['/archive/data/0', /absolute path/], ['C:/archive/data/0', /drive letter/], ['c:archive', /drive letter/],
    ['archive\\..\\data\\0', /backslash/], ['archive/data/0\0.txt', /NUL/], ['', /empty name/],
  ] as Array<[string, RegExp]>) {
    const bytes = storedZip([['archive/data.pkl', pickle], [name, floats([1])]]);
    throwsError(() => readStoredZip(bytes), ZipFormatError, why, JSON.stringify(name));
    expectLoadError(bytes, why);
  }
  const twice = storedZip([['archive/data.pkl', pickle], ['archive/data/0', floats([1])], ['archive/data/0', floats([2])]]);
  expectLoadError(twice, /"archive\/data\/0" appears twice/);
  // Names that only look odd stay readable: dots inside a name, a folder named like a file.
  const fine = storedZip([['archive/data.pkl', pickle], ['archive/data/0', floats([7])], ['archive/.data/x..y', Buffer.alloc(0)]]);
  assert.equal([...(parseTorchStateDict(fine, 'x.bin').get('w')?.data ?? [])], [7]);
});

test('an unknown opcode, a wrong protocol or a non-dict result is refused', () => {
  expectLoadError(checkpoint(Buffer.concat([op('\x80\x02'), op('i'), op('os\nsystem\n'), op('.')]), floats([1])), /unsupported pickle opcode 0x69/);
  expectLoadError(checkpoint(Buffer.concat([op('\x80\x04'), op('N.')]), floats([1])), /protocol 4/);
  expectLoadError(checkpoint(op('\x80\x02N.'), floats([1])), /does not hold a state dict/);
  expectLoadError(checkpoint(op('\x80\x02h\x05.'), floats([1])), /memo 5/);
});

test('compressed entries, missing or short storages and strided tensors are refused', () => {
  const pickle = statePickle({ numel: 6, offset: 0, size: [2, 3], stride: [3, 1] });
  expectLoadError(checkpoint(pickle, floats([1, 2, 3, 4, 5, 6]), 8), /compressed/);
  expectLoadError(storedZip([['archive/data.pkl', pickle]]), /storage 0 is missing/);
  expectLoadError(checkpoint(pickle, floats([1, 2, 3])), /has 12 bytes, not 6 float32/);
  expectLoadError(checkpoint(statePickle({ numel: 6, offset: 0, size: [3, 2], stride: [1, 3] }), floats([1, 2, 3, 4, 5, 6])), /not contiguous/);
  expectLoadError(checkpoint(statePickle({ numel: 6, offset: 2, size: [2, 3], stride: [3, 1] }), floats([1, 2, 3, 4, 5, 6])), /outside its storage/);
  expectLoadError(storedZip([['model/other.pkl', pickle]]), /no <name>\/data\.pkl/);
});

test('a truncated or altered pre-1.6 stream is ERR_MODEL_LOAD', () => {
  const bytes = readFileSync(FLOAT32_BIN);
  assert.is(bytes[0], 0x80, 'the fixture is in the stream format');
  for (const length of [3, 14, 100, bytes.length - 8 * 4 - 40, bytes.length - 1]) expectLoadError(bytes.subarray(0, length), /truncated|ends early|outside/);
  const wrongMagic = Buffer.from(bytes);
  wrongMagic[5] = (wrongMagic[5] as number) ^ 0xff;
  expectLoadError(wrongMagic, /magic number/);
  // A storage of more elements than the file holds.
  const oversized = Buffer.from(bytes);
  const firstStorage = bytes.length - (12 * 4 + 8) - (96 * 4 + 8);
  oversized.writeBigUInt64LE(10n ** 15n, firstStorage);
  expectLoadError(oversized, /outside the file/);
});

test('random corruption parses or fails with ERR_MODEL_LOAD, never another error', () => {
  for (const file of [FLOAT16_BIN, FLOAT32_BIN]) corrupt(readFileSync(file));
});

function corrupt(original: Buffer): void {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let failures = 0;
  for (let trial = 0; trial < 3000; trial += 1) {
    const bytes = Buffer.from(original);
    for (let flips = 1 + random(4); flips > 0; flips -= 1) bytes[random(bytes.length)] = random(256);
    try {
      parseTorchStateDict(trial % 7 === 0 ? bytes.subarray(0, random(bytes.length)) : bytes, 'x.bin');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD', `trial ${trial}: ${String(error)}`);
      failures += 1;
    }
  }
  assert.ok(failures > 0);
}

test('garbage bytes and a missing file are ERR_MODEL_LOAD', async () => {
  expectLoadError(Buffer.from('this is not a zip archive at all, just text'), /zip/);
  try {
    await readTorchStateDict(join(LEGACY, 'nope', 'pytorch_model.bin'));
    assert.unreachable('must not read');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD');
  }
});

test.run();
