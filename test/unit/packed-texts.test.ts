// cpu-level-independent: the levels stage does not run this file again.
// Texts reach native as one UTF-8 buffer plus offsets (lib/packed-texts.ts): the packing must
// give the bytes Buffer.from gives, text by text, for every kind of string, slice large inputs
// across event-loop turns, and the binding must still take plain string[] and refuse packed
// texts whose offsets do not describe the buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { NativeSentenceEncoder } from '../../lib/binding.js';
import { packTexts } from '../../lib/packed-texts.js';
import { loadTinyBertNative, maxAbsDiff, tinyBertReference } from '../helpers/fixtures.js';

const reference = tinyBertReference();
const options = { batchSize: 8, normalize: false, truncateDim: 0, promptTokens: 0, maxBatchTokens: 0, maxPadding: 1 };

function unpack(packed: { bytes: Uint8Array; offsets: Uint32Array }): Buffer[] {
  return Array.from({ length: packed.offsets.length - 1 }, (_, i) =>
    Buffer.from(packed.bytes.subarray(packed.offsets[i] as number, packed.offsets[i + 1] as number)));
}

test('packs every text to the bytes Buffer.from gives', async () => {
  const texts = ['', 'hello', 'naïve café', '東京タワー', 'emoji 🙂🙂 pairs', 'lone \ud800 high', 'lone \udc00 low', 'tail \ud83d', '', 'x'.repeat(1000)];
  const packed = await packTexts(texts);
  assert.is(packed.offsets.length, texts.length + 1);
  assert.is(packed.offsets[0], 0);
  unpack(packed).forEach((bytes, i) => assert.ok(bytes.equals(Buffer.from(texts[i] as string)), `text ${i}`));
  const empty = await packTexts([]);
  assert.is(empty.offsets.length, 1);
  assert.is(empty.bytes.length, 0);
});

test('grows past an all-ASCII estimate and lets the event loop through on large inputs', async () => {
  // 3 bytes per unit for most of these: the first buffer (one byte per unit) must grow.
  const texts = Array.from({ length: 3000 }, (_, i) => `${i} ${'日本語のテキスト'.repeat(20)}`);
  let turns = 0;
  const ticker = setInterval(() => { turns += 1; }, 0);
  const packed = await packTexts(texts);
  clearInterval(ticker);
  unpack(packed).forEach((bytes, i) => assert.ok(bytes.equals(Buffer.from(texts[i] as string)), `text ${i}`));
  assert.ok(turns > 0, 'timers ran while packing 500k units');
});

test('the binding takes packed texts and string[] alike, and refuses bad offsets', async () => {
  const native: NativeSentenceEncoder = await loadTinyBertNative();
  const texts = reference.texts;
  const fromStrings = await native.encode(texts, options);
  const fromPacked = await native.encode(await packTexts(texts), options);
  assert.is(maxAbsDiff(fromStrings, fromPacked), 0);
  const bytes = new Uint8Array(4);
  for (const offsets of [new Uint32Array([1, 2]), new Uint32Array([0, 3, 2]), new Uint32Array([0, 5]), new Uint32Array(0)]) {
    assert.throws(() => native.encode({ bytes, offsets }, options), (e: unknown) => e instanceof TypeError, `offsets ${Array.from(offsets).join(',')}`);
  }
  assert.throws(() => native.encode({ bytes: new Int8Array(4), offsets: new Uint32Array([0]) } as never, options), (e: unknown) => e instanceof TypeError);
  // Still usable after the refusals.
  assert.is(maxAbsDiff(await native.encode(await packTexts(texts), options), fromStrings), 0);
  await native.dispose();
});

test.run();
