// cpu-level-independent: the levels stage does not run this file again.
// Image inputs (issue 23, items 2 and 5): how inputs are told from texts and checked, image
// processor configs in both CLIP folder layouts, and bad images: each fails alone with a typed
// error naming its index while the rest of the batch comes back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError } from '../../lib/errors.js';
import { ImageInputError } from '../../lib/image-errors.js';
import { imageSource, isImageInput, type ImageInput } from '../../lib/image-input.js';
import { loadImageProcessorConfig, parseImageProcessorConfig } from '../../lib/image-processor-config.js';
import { preprocessImages } from '../../lib/image-preprocess.js';
import { rejectsError, throwsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';

const IMAGES = join(FIXTURES, 'images');
const PHOTO = readFileSync(join(IMAGES, 'files', 'photo-420.jpg'));
const PNG = readFileSync(join(IMAGES, 'files', 'rgb-odd.png'));
const config = parseImageProcessorConfig({ size: 24, crop_size: 20 }, 'test');

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(kind: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A valid PNG header declaring width x height RGB pixels, followed by one tiny IDAT. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3 > 4096 ? 4096 : 1 + width * 3))), chunk('IEND', new Uint8Array(0))]);
}

test('isImageInput: strings are texts; Uint8Arrays and { path } / { data } / { pixels } objects are images', () => {
  assert.is(isImageInput('cat.jpg'), false);
  assert.is(isImageInput(['a']), false);
  assert.is(isImageInput(null), false);
  assert.is(isImageInput(PHOTO), true);
  assert.is(isImageInput({ path: 'cat.jpg' }), true);
  assert.is(isImageInput({ data: PHOTO }), true);
  assert.is(isImageInput({ pixels: new Uint8Array(3), width: 1, height: 1 }), true);
});

test('raw pixels: channels are inferred from the length; a mismatch is a RangeError naming the index, bad types a TypeError', () => {
  const source = imageSource({ pixels: new Uint8Array(2 * 3 * 4), width: 2, height: 3 }, 0);
  assert.is(source.kind === 'raw' && source.channels, 4);
  throwsError(() => imageSource({ pixels: new Uint8Array(7), width: 2, height: 3 }, 5), RangeError, /image input 5: 7 bytes/);
  throwsError(() => imageSource({ pixels: new Uint8Array(18), width: 2, height: 3, channels: 4 }, 2), RangeError, /image input 2: 18 bytes do not match 2 x 3 x 4/);
  throwsError(() => imageSource({ pixels: new Uint8Array(6), width: 0, height: 3 }, 1), RangeError, /width/);
  throwsError(() => imageSource({ pixels: [1, 2, 3], width: 1, height: 1 }, 1), TypeError, /pixels/);
  throwsError(() => imageSource({ path: 42 }, 3), TypeError, /image input 3: path/);
  throwsError(() => imageSource({ path: new URL('https://example.com/a.jpg') }, 3), TypeError, /file: URLs/);
  try {
    imageSource({ pixels: new Uint8Array(7), width: 2, height: 3 }, 9);
  } catch (error) {
    assert.is((error as { index?: number }).index, 9);
  }
});

test('configs: the Hub layout (integer size and crop_size) and sentence-transformers 6 (processor_config.json image_processor)', async () => {
  const hub = await loadImageProcessorConfig(join(IMAGES, 'hub-224'));
  assert.equal(hub.size, { shortestEdge: 224 });
  assert.equal(hub.cropSize, { height: 224, width: 224 });
  assert.is(hub.resample, 3);
  const st6 = await loadImageProcessorConfig(join(IMAGES, 'odd-crop'));
  assert.equal(st6.size, { shortestEdge: 35 });
  assert.equal(st6.cropSize, { height: 37, width: 33 });
  assert.equal(parseImageProcessorConfig({}, 'defaults').imageMean, [0.48145466, 0.4578275, 0.40821073]);
  // Every filter PIL numbers; the parity test runs each against CLIPImageProcessor.
  for (const resample of [0, 1, 2, 3, 4, 5]) assert.is(parseImageProcessorConfig({ resample }, 'filters').resample, resample);
  throwsError(() => parseImageProcessorConfig({ resample: 6 }, 'unknown'), SentenceKitError, /resample 6 is not one of PIL's filters/);
  throwsError(() => parseImageProcessorConfig({ size: { shortest_edge: 224, longest_edge: 300 } }, 'longest'), SentenceKitError, /not supported/);
  throwsError(() => parseImageProcessorConfig({ do_center_crop: false }, 'uncropped'), SentenceKitError, /cannot be batched/);
  const empty = mkdtempSync(join(tmpdir(), 'sk-image-config-'));
  try {
    await rejectsError(loadImageProcessorConfig(empty), SentenceKitError, /no image processor config/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('bad images fail alone, each with a typed error naming its index; the good ones still come back', async () => {
  const missing = join(tmpdir(), 'sentencekit-no-such-image.png');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
  const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
  const inputs: ImageInput[] = [
    PHOTO,                                            // 0 good
    new Uint8Array(0),                                // 1 empty
    Buffer.from('not an image at all, just text'),   // 2 corrupt
    PHOTO.subarray(0, PHOTO.length >> 1),             // 3 truncated JPEG
    PNG.subarray(0, PNG.length - 40),                 // 4 truncated PNG
    svg,                                              // 5 a format PIL does not open
    bmp,                                              // 6 a format sharp does not decode
    pngHeader(100_000, 100_000),                      // 7 decompression bomb
    { path: missing },                                // 8 no such file
    { pixels: new Uint8Array(5), width: 2, height: 2 }, // 9 raw length mismatch
    { path: join(IMAGES, 'files', 'rgb-odd.png') },   // 10 good
    { pixels: new Uint8Array(20_000 * 3), width: 1, height: 20_000 }, // 11 resizes to 24 x 480,000
    { pixels: new Uint8Array(3_000_000 * 3), width: 1, height: 3_000_000 }, // 12 resizes past PIL's limit
  ];
  const indexes = inputs.map((_, i) => 100 + i);
  const rss = process.memoryUsage().rss;
  const { batch, errors } = await preprocessImages(inputs, config, { inputIndexes: indexes });
  assert.ok(process.memoryUsage().rss - rss < 512 * 1024 * 1024, 'the bomb was not decoded');
  const expectCode = (i: number, code: string, message: RegExp) => {
    const error = errors[i];
    assert.instance(error, ImageInputError, `input ${i}: ${String(error)}`);
    assert.is((error as ImageInputError).code, code, `input ${i}`);
    assert.is((error as ImageInputError).index, 100 + i);
    assert.match((error as Error).message, message, `input ${i}`);
  };
  assert.is(errors[0], undefined);
  assert.is(errors[10], undefined);
  expectCode(1, 'ERR_IMAGE_DECODE', /empty \(0 bytes\)/);
  expectCode(2, 'ERR_IMAGE_DECODE', /image input 102/);
  expectCode(3, 'ERR_IMAGE_DECODE', /decode/);
  expectCode(4, 'ERR_IMAGE_DECODE', /decode/);
  expectCode(5, 'ERR_IMAGE_DECODE', /unsupported image format svg/);
  expectCode(6, 'ERR_IMAGE_DECODE', /image input 106/);
  expectCode(7, 'ERR_IMAGE_TOO_LARGE', /100000 x 100000/);
  expectCode(8, 'ERR_IMAGE_DECODE', /cannot read the file/);
  assert.is(errors[11], undefined);
  expectCode(12, 'ERR_IMAGE_TOO_LARGE', /resizes to 24 x 72000000/);
  assert.instance(errors[9], RangeError);
  assert.is((errors[9] as RangeError & { index: number }).index, 109);
  // The good images are exactly what they are alone; the failed ones' rows are zeros.
  const alone = await preprocessImages([PHOTO, { path: join(IMAGES, 'files', 'rgb-odd.png') }], config);
  const size = 3 * batch.height * batch.width;
  assert.equal(Array.from(batch.pixels.subarray(0, size)), Array.from(alone.batch.pixels.subarray(0, size)));
  assert.equal(Array.from(batch.pixels.subarray(10 * size, 11 * size)), Array.from(alone.batch.pixels.subarray(size, 2 * size)));
  assert.ok(batch.pixels.subarray(size, 2 * size).every((value) => value === 0));
});

test('EXIF orientation: { path } and file: URLs apply it, bare bytes do not, { data, applyExifOrientation: true } does', async () => {
  const file = join(IMAGES, 'files', 'exif-6.jpg');
  const bytes = readFileSync(file);
  const odd = await loadImageProcessorConfig(join(IMAGES, 'odd-crop'));
  const { batch, errors } = await preprocessImages(
    [{ path: file }, { path: pathToFileURL(file) }, bytes, { data: bytes }, { data: bytes, applyExifOrientation: true }], odd);
  assert.equal(errors, [undefined, undefined, undefined, undefined, undefined]);
  const size = 3 * batch.height * batch.width;
  const row = (i: number) => Array.from(batch.pixels.subarray(i * size, (i + 1) * size));
  assert.equal(row(1), row(0));
  assert.equal(row(4), row(0));
  assert.equal(row(3), row(2));
  assert.not.equal(row(2), row(0));
});

test('an aborted signal rejects the call', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await rejectsError(preprocessImages([PHOTO], config, { signal: controller.signal }), Error, /stop/);
  const later = new AbortController();
  const pending = preprocessImages(Array.from({ length: 64 }, () => PHOTO), config, { signal: later.signal });
  later.abort(new Error('stopped midway'));
  await rejectsError(pending, Error, /stopped midway/);
});

test('without sharp installed, decoding fails with ERR_IMAGE_DECODER_MISSING naming npm install sharp; raw pixels still work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sk-no-sharp-'));
  const script = join(dir, 'probe.ts');
  writeFileSync(script, `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request: string, ...rest: unknown[]) {
      if (request === 'sharp') throw Object.assign(new Error("Cannot find module 'sharp'"), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };
    const { preprocessImages } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'image-preprocess.ts'))});
    const { parseImageProcessorConfig } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'image-processor-config.ts'))});
    preprocessImages([Buffer.from([1, 2, 3]), { pixels: new Uint8Array(12), width: 2, height: 2 }], parseImageProcessorConfig({ size: 8, crop_size: 8 }, 'probe'))
      .then(({ errors }: { errors: (Error & { code?: string })[] }) => console.log(JSON.stringify([errors[0]?.code, errors[0]?.message, errors[1] ?? null])));
  `);
  try {
    const output = execFileSync(process.execPath, ['-r', 'tsx/cjs', script], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const [code, message, second] = JSON.parse(output) as [string, string, unknown];
    assert.is(code, 'ERR_IMAGE_DECODER_MISSING');
    assert.match(message, /npm install sharp/);
    assert.is(second, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
