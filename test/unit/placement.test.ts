// cpu-level-independent: the levels stage does not run this file again.
// backend: sentence-transformers' name for what runs the transformer ('onnx'), plus
// sentencekit's own engine at a precision ('sentencekit-int8', 'sentencekit-bf16x3'). The older
// cpuEngine option stays an alias: both name the same placement, resolved once before anything
// loads, and the two may not disagree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceTransformer } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { TINY_BERT } from '../helpers/fixtures.js';

test("backend 'sentencekit-int8' is cpuEngine 'int8', 'onnx' is the default", async () => {
  const texts = ['the cat sits outside', 'a man plays the guitar'];
  const pairs: Array<[string, { backend?: 'onnx' | 'sentencekit-int8'; cpuEngine?: 'onnxruntime' | 'int8' }, { backend?: 'onnx' | 'sentencekit-int8'; cpuEngine?: 'onnxruntime' | 'int8' }]> = [
    ['own engine', { backend: 'sentencekit-int8' }, { cpuEngine: 'int8' }],
    ['onnx', { backend: 'onnx' }, {}],
  ];
  for (const [what, a, b] of pairs) {
    const first = await SentenceTransformer.fromPretrained(TINY_BERT, a);
    const second = await SentenceTransformer.fromPretrained(TINY_BERT, b);
    try {
      const x = await first.encode(texts);
      const y = await second.encode(texts);
      assert.equal(Array.from(x.data), Array.from(y.data), what);
    } finally {
      await first.dispose();
      await second.dispose();
    }
  }
});

test('backend is checked before anything loads, and may not disagree with cpuEngine', async () => {
  await rejectsError(() => SentenceTransformer.fromPretrained(TINY_BERT, { backend: 'torch' } as never), TypeError,
    /expected options\.backend to be 'onnx', 'sentencekit-int8' or 'sentencekit-bf16x3' but received a string \("torch"\)/);
  await rejectsError(() => SentenceTransformer.fromPretrained(TINY_BERT, { backend: 'onnx', cpuEngine: 'int8' }), TypeError,
    /options\.backend 'onnx' and options\.cpuEngine 'int8' disagree/);
  await rejectsError(() => CrossEncoder.fromPretrained('/nonexistent', { backend: 'sentencekit-bf16x3', fileName: 'onnx/model.onnx' }), TypeError,
    /cpuEngine 'bf16x3' reads model\.safetensors/);
  // The same engine under both names is no conflict.
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { backend: 'sentencekit-int8', cpuEngine: 'int8' });
  await model.dispose();
});

test.run();
