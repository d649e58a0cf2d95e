// The SentenceTransformer API and its handling of bad input, on the committed tiny-bert.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { copyFixture, maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const reference = tinyBertReference();

async function rejects(promise: Promise<unknown>, check: (error: unknown) => boolean, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(check(error), `${what}: unexpected error ${String(error)}`);
    return;
  }
  assert.unreachable(`${what}: expected a rejection`);
}

test('loads a folder and reports its shape', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  assert.is(model.dimension, 32);
  assert.is(model.maxSeqLength, reference.max_seq_length);
  assert.is(model.similarityFnName, 'cosine');
  await model.dispose();
});

test('a single string gives one row; an array gives rows in order', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const one = await model.encode('hello world');
  assert.equal(one.shape, [1, 32]);
  const many = await model.encode(['a longer text about cats and dogs', 'hello world', 'x']);
  assert.equal(many.shape, [3, 32]);
  assert.ok(maxAbsDiff(many.row(1), one.row(0)) <= 1e-6, 'row order restored after length sorting');
  await model.dispose();
});

test('empty array gives an empty result; the empty string gives a valid embedding', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const none = await model.encode([]);
  assert.equal(none.shape, [0, 32]);
  const empty = await model.encode('');
  assert.equal(empty.shape, [1, 32]);
  assert.ok(Array.from(empty.data).every(Number.isFinite));
  await model.dispose();
});

test('non-string entries are TypeErrors naming the index', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  for (const [input, index] of [[['a', 3], 1], [['a', 'b', undefined], 2], [[null], 0]] as const) {
    await rejects(
      model.encode(input as unknown as string[]),
      (error) => error instanceof TypeError && error.message.includes(`texts[${index}]`),
      `index ${index}`,
    );
  }
  await rejects(model.encode(42 as unknown as string), (e) => e instanceof TypeError && /received the number 42/.test((e as Error).message), 'number');
  await rejects(model.encode(undefined as unknown as string), (e) => e instanceof TypeError, 'undefined');
  await rejects(model.encode(['a'], { batchSize: 0 }), (e) => e instanceof RangeError, 'batchSize 0');
  await rejects(model.encode(['a'], { batchSize: 1.5 }), (e) => e instanceof TypeError, 'batchSize 1.5');
  // The model still works after bad calls.
  assert.equal((await model.encode('still fine')).shape, [1, 32]);
  await model.dispose();
});

test('over-long text is truncated to maxSeqLength, not rejected', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const long = 'word '.repeat(5000);
  const a = await model.encode(long);
  const b = await model.encode(long + ' and more words at the end');
  assert.ok(maxAbsDiff(a.data, b.data) <= 1e-6, 'only the first maxSeqLength tokens count');
  await model.dispose();
});

test('encode after dispose rejects with ERR_DISPOSED; in-flight runs finish', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const inflight = model.encode(reference.texts);
  const disposing = model.dispose();
  const result = await inflight;
  assert.equal(result.shape, [reference.texts.length, 32]);
  await disposing;
  await rejects(model.encode('x'), (e) => e instanceof SentenceKitError && e.code === 'ERR_DISPOSED', 'after dispose');
  await model.dispose();
});

test('a corrupt .onnx rejects with ERR_MODEL_LOAD naming the file, and the process survives', async () => {
  const fixture = copyFixture();
  const onnx = join(fixture.dir, 'onnx', 'model.onnx');
  writeFileSync(onnx, 'this is not an onnx protobuf');
  await rejects(
    SentenceTransformer.fromPretrained(fixture.dir),
    (e) => e instanceof SentenceKitError && e.code === 'ERR_MODEL_LOAD' && e.message.includes(onnx),
    'corrupt onnx',
  );
  fixture.cleanup();
});

test('missing and corrupt config files are ERR_MODEL_LOAD naming the file', async () => {
  const fixture = copyFixture();
  const pooling = join(fixture.dir, '1_Pooling', 'config.json');
  writeFileSync(pooling, '{ not json');
  await rejects(
    SentenceTransformer.fromPretrained(fixture.dir),
    (e) => e instanceof SentenceKitError && e.code === 'ERR_MODEL_LOAD' && e.message.includes(pooling),
    'corrupt pooling config',
  );
  const tokenizer = join(fixture.dir, 'tokenizer.json');
  writeFileSync(pooling, JSON.stringify({ pooling_mode: 'mean', embedding_dimension: 32 }));
  writeFileSync(tokenizer, '{"model": 1');
  await rejects(
    SentenceTransformer.fromPretrained(fixture.dir),
    (e) => e instanceof SentenceKitError && e.code === 'ERR_TOKENIZER' && e.message.includes(tokenizer),
    'corrupt tokenizer.json',
  );
  await rejects(
    SentenceTransformer.fromPretrained(join(fixture.dir, 'nope')),
    (e) => e instanceof SentenceKitError && e.code === 'ERR_MODEL_LOAD',
    'missing folder',
  );
  await rejects(
    SentenceTransformer.fromPretrained(fixture.dir, { fileName: 'onnx/model_qint8_avx512_vnni.onnx' }),
    (e) => e instanceof SentenceKitError && e.code === 'ERR_MODEL_LOAD' && e.message.includes('model_qint8_avx512_vnni.onnx'),
    'missing onnx variant',
  );
  fixture.cleanup();
});

test('quantized: true picks the int8 variant this CPU runs best, else says what is missing', async () => {
  const fixture = copyFixture();
  try {
    await rejects(
      SentenceTransformer.fromPretrained(fixture.dir, { quantized: true }),
      (e) => e instanceof SentenceKitError && e.code === 'ERR_MODEL_LOAD' && e.message.includes('model_quantized.onnx'),
      'no int8 variant',
    );
    // Stand-in variant: the fp32 file under the generic int8 name.
    copyFileSync(join(fixture.dir, 'onnx', 'model.onnx'), join(fixture.dir, 'onnx', 'model_quantized.onnx'));
    const model = await SentenceTransformer.fromPretrained(fixture.dir, { quantized: true });
    assert.equal((await model.encode('int8 please')).shape, [1, 32]);
    await model.dispose();
  } finally {
    fixture.cleanup();
  }
});

test('concurrent encode calls each get their own rows', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const sequential: Embeddings[] = [];
  for (const text of reference.texts.slice(0, 12)) sequential.push(await model.encode(text));
  const concurrent = await Promise.all(reference.texts.slice(0, 12).map((text) => model.encode(text)));
  concurrent.forEach((result, i) => assert.ok(maxAbsDiff(result.data, sequential[i]!.data) <= 1e-6, `call ${i}`));
  await model.dispose();
});

test.run();
