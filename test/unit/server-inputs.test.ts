// cpu-level-independent: the levels stage does not run this file again.
/**
 * The server's token-id inputs (/embed, /v1/embeddings, /embed_all, /embed_sparse),
 * truncation_direction "Left" and single-text /predict, on every engine that serves tiny-bert
 * (ONNX Runtime, the own CPU engine int8 and bf16x3), against in-process encode() and Python
 * references: Python sentence-transformers' left truncation (length-limits.reference.json) and
 * transformers' sequence classification of single texts (predict-single.reference.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import type { CpuEngine } from '../../lib/device.js';
import { loadModels } from '../../lib/server/load.js';
import { EmbeddingServer } from '../../lib/server/server.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';

const TEXTS = ['The cat sits outside', 'A man is playing guitar', 'hello'];
const ENGINES: CpuEngine[] = ['onnxruntime', 'int8', 'bf16x3'];
const TOLERANCE = 1e-5;

interface Served {
  base: string;
  server: EmbeddingServer;
}

async function serve(engine: CpuEngine, reranker: string | null = null): Promise<Served> {
  const server = new EmbeddingServer({ modelId: 'tiny-bert', rerankerId: 'tiny-ce' });
  server.setModels(await loadModels({ model: TINY_BERT, reranker, sparseModel: null, load: { cpuEngine: engine }, maxBatchTokens: 16384 }));
  const { port } = await server.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, server };
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

function assertClose(actual: number[][], expected: ArrayLike<number>[], what: string, tolerance = 1e-6): void {
  assert.is(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, i) => {
    const diff = maxAbsDiff(row, expected[i] as ArrayLike<number>);
    assert.ok(diff <= tolerance, `${what}: row ${i} max |diff| ${diff}`);
  });
}

/** Each text's ids as /tokenize answers them (special tokens included unless asked not to). */
async function tokenIds(base: string, texts: string[], addSpecialTokens = true): Promise<number[][]> {
  const { status, json } = await post(base, '/tokenize', { inputs: texts, add_special_tokens: addSpecialTokens });
  assert.is(status, 200);
  return json.map((tokens: Array<{ id: number }>) => tokens.map((t) => t.id));
}

for (const engine of ENGINES) {
  test(`${engine}: ids from /tokenize fed back to /embed and /v1/embeddings give the text's vectors`, async () => {
    const { base, server } = await serve(engine);
    try {
      const ids = await tokenIds(base, TEXTS);
      const text = await post(base, '/embed', { inputs: TEXTS });
      assert.is(text.status, 200);
      const fromIds = await post(base, '/embed', { inputs: ids });
      assert.is(fromIds.status, 200, JSON.stringify(fromIds.json));
      assertClose(fromIds.json, text.json, 'batch of id lists');
      const single = await post(base, '/embed', { inputs: ids[0] });
      assertClose(single.json, [text.json[0]], 'one id list');
      const mixed = await post(base, '/embed', { inputs: [ids[0], TEXTS[1], ids[2]] });
      assertClose(mixed.json, text.json, 'ids and texts mixed');
      // With a prompt TEI decodes the ids (special tokens skipped) and embeds prompt + text with
      // special tokens, even for tiny-bert's empty "query" prompt: ids without [CLS] / [SEP]
      // then give the text's vector, and without a prompt they are the whole input.
      const bare = await tokenIds(base, TEXTS, false);
      const prompted = await post(base, '/embed', { inputs: bare, prompt_name: 'query' });
      const promptedText = await post(base, '/embed', { inputs: TEXTS.map((t) => t.toLowerCase()), prompt_name: 'query' });
      assertClose(prompted.json, promptedText.json, 'ids with prompt_name');
      const unprompted = await post(base, '/embed', { inputs: bare });
      assert.ok(maxAbsDiff(unprompted.json[0], text.json[0]) > 1e-3, 'ids without [CLS] / [SEP] and no prompt are not the text');

      const openai = await post(base, '/v1/embeddings', { input: ids, model: 'x' });
      assert.is(openai.status, 200, JSON.stringify(openai.json));
      assertClose(openai.json.data.map((d: { embedding: number[] }) => d.embedding), text.json, '/v1/embeddings ids');
      const count = ids.reduce((n, row) => n + row.length, 0);
      assert.equal(openai.json.usage, { prompt_tokens: count, total_tokens: count });
      const one = await post(base, '/v1/embeddings', { input: ids[1] });
      assertClose(one.json.data.map((d: { embedding: number[] }) => d.embedding), [text.json[1]], '/v1/embeddings one id list');

      // /embed_all: each id list's token matrix is its text's, alone, mixed, and with a prompt.
      const allText = await post(base, '/embed_all', { inputs: TEXTS });
      const allIds = await post(base, '/embed_all', { inputs: ids });
      assert.is(allIds.status, 200, JSON.stringify(allIds.json));
      allText.json.forEach((matrix: number[][], i: number) => assertClose(allIds.json[i], matrix, `/embed_all ids ${i}`));
      const allOne = await post(base, '/embed_all', { inputs: ids[2] });
      assertClose(allOne.json[0], allText.json[2], '/embed_all one id list');
      const allMixed = await post(base, '/embed_all', { inputs: [TEXTS[0], ids[1], TEXTS[2]] });
      allText.json.forEach((matrix: number[][], i: number) => assertClose(allMixed.json[i], matrix, `/embed_all mixed ${i}`));
      const allPrompted = await post(base, '/embed_all', { inputs: bare, prompt_name: 'query' });
      const allPromptedText = await post(base, '/embed_all', { inputs: TEXTS.map((t) => t.toLowerCase()), prompt_name: 'query' });
      allPromptedText.json.forEach((matrix: number[][], i: number) => assertClose(allPrompted.json[i], matrix, `/embed_all ids with prompt_name ${i}`));
    } finally {
      await server.shutdown();
    }
  });
}

test('token ids: outside the vocabulary 422 naming it; past max_seq_length 413 unless truncate, then cut on the asked side', async () => {
  const { base, server } = await serve('onnxruntime');
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const vocab = JSON.parse(readFileSync(join(TINY_BERT, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
    const size = Object.keys(vocab).length;
    const outside = await post(base, '/embed', { inputs: [[101, size, 102]] });
    assert.is(outside.status, 422);
    assert.match(outside.json.error, new RegExp(`0 to ${size - 1}\\) but received ${size}`));
    const fraction = await post(base, '/embed', { inputs: [[101, 1.5]] });
    assert.is(fraction.status, 422);
    await rejectsError(model.encodeTokenIds([[101, -1]]), RangeError, /0 to \d+\) but received -1$/, 'a negative id');
    await rejectsError(model.encodeTokenIds([[]]), RangeError, /at least one token id/, 'an empty row');
    await rejectsError(model.encodeTokenIds([101, 'x'] as never), TypeError, /ids\[1\]/, 'a string id');

    const max = model.maxSeqLength;
    const long = Array.from({ length: max + 30 }, (_, i) => 1000 + i);
    const refused = await post(base, '/embed', { inputs: [long] });
    assert.is(refused.status, 413);
    assert.is(refused.json.error, `\`inputs\` must have less than ${max} tokens. Given: ${max + 30}`);
    const right = await post(base, '/embed', { inputs: [long], truncate: true });
    assertClose(right.json, [(await model.encodeTokenIds(long.slice(0, max), { normalizeEmbeddings: true })).row(0)], 'Right keeps the first ids');
    const left = await post(base, '/embed', { inputs: [long], truncate: true, truncation_direction: 'Left' });
    assertClose(left.json, [(await model.encodeTokenIds(long.slice(-max), { normalizeEmbeddings: true })).row(0)], 'Left keeps the last ids');
    const usage = await post(base, '/v1/embeddings', { input: [long] });
    assert.is(usage.status, 413);
  } finally {
    await Promise.all([server.shutdown(), model.dispose()]);
  }
});

test('token ids on /embed_all: 422 outside the vocabulary, 413 past max_seq_length unless truncate, then cut on the asked side', async () => {
  const { base, server } = await serve('onnxruntime');
  try {
    const max = JSON.parse(readFileSync(join(TINY_BERT, 'sentence_bert_config.json'), 'utf8')).max_seq_length as number;
    const size = Object.keys(JSON.parse(readFileSync(join(TINY_BERT, 'tokenizer.json'), 'utf8')).model.vocab).length;
    const outside = await post(base, '/embed_all', { inputs: [[101, size, 102]] });
    assert.is(outside.status, 422);
    assert.match(outside.json.error, new RegExp(`0 to ${size - 1}\\) but received ${size}`));
    const long = Array.from({ length: max + 30 }, (_, i) => 1000 + i);
    const refused = await post(base, '/embed_all', { inputs: [long] });
    assert.is(refused.status, 413);
    const right = await post(base, '/embed_all', { inputs: [long], truncate: true });
    const first = await post(base, '/embed_all', { inputs: [long.slice(0, max)] });
    assertClose(right.json[0], first.json[0], '/embed_all Right keeps the first ids');
    const left = await post(base, '/embed_all', { inputs: [long], truncate: true, truncation_direction: 'Left' });
    const last = await post(base, '/embed_all', { inputs: [long.slice(-max)] });
    assert.is(left.json[0].length, max);
    assertClose(left.json[0], last.json[0], '/embed_all Left keeps the last ids');
  } finally {
    await server.shutdown();
  }
});

test('/embed_sparse: ids from /tokenize give the text\'s sparse rows, alone, mixed and with a prompt', async () => {
  // tiny-splade's tokenizer is tiny-bert's (one vocabulary, normalizer, pre-tokenizer and
  // post-processor), so /tokenize (the --model's tokenizer) gives the sparse model's ids.
  const tokenizer = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name, 'tokenizer.json'), 'utf8'));
  const [bert, splade] = [tokenizer('tiny-bert'), tokenizer('tiny-splade')];
  for (const part of ['model', 'normalizer', 'pre_tokenizer', 'post_processor']) assert.equal(splade[part], bert[part], part);
  const server = new EmbeddingServer({ modelId: 'tiny-bert' });
  server.setModels(await loadModels({ model: TINY_BERT, reranker: null, sparseModel: join(FIXTURES, 'tiny-splade'), load: {}, maxBatchTokens: 16384 }));
  const base = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
  try {
    const ids = await tokenIds(base, TEXTS);
    const text = await post(base, '/embed_sparse', { inputs: TEXTS });
    assert.is(text.status, 200, JSON.stringify(text.json));
    assert.ok(text.json.every((row: unknown[]) => row.length > 0), 'every text has active dimensions');
    const fromIds = await post(base, '/embed_sparse', { inputs: ids });
    assert.is(fromIds.status, 200, JSON.stringify(fromIds.json));
    type Entries = Array<Array<{ index: number; value: number }>>;
    const same = (actual: Entries, what: string, expected: Entries = text.json) => actual.forEach((row, i) => {
      const want = expected[i] as Entries[number];
      assert.equal(row.map((e) => e.index), want.map((e) => e.index), `${what} ${i}: indices`);
      assertClose([row.map((e) => e.value)], [want.map((e) => e.value)], `${what} ${i}: values`);
    });
    same(fromIds.json, 'ids');
    same((await post(base, '/embed_sparse', { inputs: ids[1] })).json, 'one id list', [text.json[1]]);
    const mixed = await post(base, '/embed_sparse', { inputs: [ids[0], TEXTS[1], ids[2]] });
    same(mixed.json, 'mixed');
    // With a prompt (tiny-splade's "query" is empty) the ids are decoded and embedded as
    // prompt + text, special tokens added.
    const prompted = await post(base, '/embed_sparse', { inputs: await tokenIds(base, TEXTS, false), prompt_name: 'query' });
    assert.is(prompted.status, 200, JSON.stringify(prompted.json));
    const promptedText = await post(base, '/embed_sparse', { inputs: TEXTS.map((t) => t.toLowerCase()), prompt_name: 'query' });
    same(prompted.json, 'ids with prompt_name', promptedText.json);
    const size = Object.keys(splade.model.vocab).length;
    const outside = await post(base, '/embed_sparse', { inputs: [[101, size, 102]] });
    assert.is(outside.status, 422);
    assert.match(outside.json.error, new RegExp(`0 to ${size - 1}\\) but received ${size}`));
  } finally {
    await server.shutdown();
  }
});

test('SparseEncoder.encodeTokenIds() on both routes of a Router: the idf (query) route and SPLADE give the texts\' rows', async () => {
  // Both routes' tokenizers are tiny-bert's, so its untruncatedTokens() gives their ids.
  const bert = await SentenceTransformer.fromPretrained(TINY_BERT);
  const router = await SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-sparse-router'));
  try {
    for (const [task, addSpecialTokens] of [['query', false], ['document', true]] as const) {
      const ids = (await bert.untruncatedTokens(TEXTS, { addSpecialTokens })).map((row) => Array.from(row.ids));
      const text = await router.encode(TEXTS, { task });
      const fromIds = await router.encodeTokenIds(ids, { task });
      assert.equal(Array.from(fromIds.offsets), Array.from(text.offsets), `${task}: offsets`);
      assert.equal(Array.from(fromIds.indices), Array.from(text.indices), `${task}: indices`);
      assert.ok(maxAbsDiff(fromIds.values, text.values) <= 1e-6, `${task}: values`);
    }
    await rejectsError(router.encodeTokenIds([[101, -1]], { task: 'query' }), RangeError, /but received -1$/, 'a negative id');
  } finally {
    await Promise.all([bert.dispose(), router.dispose()]);
  }
});

test('truncation_direction "Left" (/embed, /embed_all) and encode()\'s truncationSide equal Python\'s truncation_side "left"', async () => {
  const reference = JSON.parse(readFileSync(join(FIXTURES, 'length-limits.reference.json'), 'utf8')) as {
    texts: string[];
    sentence_transformer: { truncation_left: { embeddings: number[][] } };
  };
  const expected = reference.sentence_transformer.truncation_left.embeddings;
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const { base, server } = await serve('onnxruntime');
  try {
    const embeddings = await model.encode(reference.texts, { truncationSide: 'left', batchSize: 3 });
    assertClose(Array.from({ length: embeddings.rows }, (_, i) => Array.from(embeddings.row(i))), expected, 'encode() truncationSide left', TOLERANCE);
    const served = await post(base, '/embed', { inputs: reference.texts, truncate: true, truncation_direction: 'Left', normalize: false });
    assert.is(served.status, 200, JSON.stringify(served.json));
    assertClose(served.json, expected, '/embed Left', TOLERANCE);
    // /embed_all on the left: each text's kept tokens, whose mean (tiny-bert pools by mean, then
    // normalizes) is /embed's "Left" vector, so Python's too.
    const all = await post(base, '/embed_all', { inputs: reference.texts, truncate: true, truncation_direction: 'Left' });
    assert.is(all.status, 200, JSON.stringify(all.json));
    const tokens = await model.encodeTokenEmbeddings(reference.texts, { truncationSide: 'left' });
    const means = all.json.map((matrix: number[][], i: number) => {
      assertClose(matrix, Array.from({ length: (tokens[i] as { rows: number }).rows }, (_, r) => (tokens[i] as { row(r: number): Float32Array }).row(r)), `/embed_all Left text ${i}`);
      const mean = (matrix[0] as number[]).map((_, d) => matrix.reduce((sum, row) => sum + (row[d] as number), 0) / matrix.length);
      const norm = Math.hypot(...mean);
      return mean.map((v) => v / norm);
    });
    assertClose(means, expected, '/embed_all Left pooled', TOLERANCE);
    const right = await model.encode(reference.texts, { truncationSide: 'right' });
    assert.ok(maxAbsDiff(right.data, embeddings.data) > 1e-3, 'the long texts differ between the sides');
    await rejectsError(model.encode('x', { truncationSide: 'up' as never }), TypeError, /truncationSide/, 'an unknown side');
  } finally {
    await Promise.all([server.shutdown(), model.dispose()]);
  }
});

test('single-text /predict and predictTexts(): transformers\' logits of each text alone, on ONNX Runtime and bf16x3', async () => {
  // logits: transformers on int8-engine/tiny-ce-3label's weights; onnx_logits: Python
  // onnxruntime on tiny-ce-3label's export (other weights); both on Python tokenizers' ids.
  const reference = JSON.parse(readFileSync(join(FIXTURES, 'predict-single.reference.json'), 'utf8')) as { texts: string[]; logits: number[][]; onnx_logits: number[][] };
  const onnx = await CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-3label'));
  const engine = await CrossEncoder.fromPretrained(join(FIXTURES, 'int8-engine', 'tiny-ce-3label'), { cpuEngine: 'bf16x3' });
  const { base, server } = await serve('onnxruntime', join(FIXTURES, 'tiny-ce-3label'));
  try {
    // bf16x3's bar for logits is test/parity/engine-checks.ts' (2e-4).
    for (const [name, model, expected, tolerance] of [['ONNX Runtime', onnx, reference.onnx_logits, TOLERANCE], ['bf16x3', engine, reference.logits, 2e-4]] as const) {
      const logits = await model.predictTexts(reference.texts, { activation: 'identity' });
      const rows = reference.texts.map((_, i) => Array.from(logits.subarray(i * 3, (i + 1) * 3)));
      assertClose(rows, expected, `${name} predictTexts`, tolerance);
    }
    const labels = onnx.labels;
    const single = await post(base, '/predict', { inputs: reference.texts[0], raw_scores: true });
    assert.is(single.status, 200, JSON.stringify(single.json));
    const expected = (reference.onnx_logits[0] as number[]).map((score, i) => ({ score, label: labels[i] })).sort((a, b) => b.score - a.score);
    assert.equal(single.json.map((p: { label: string }) => p.label), expected.map((p) => p.label), 'best first');
    single.json.forEach((p: { score: number }, i: number) => assert.ok(Math.abs(p.score - (expected[i] as { score: number }).score) <= TOLERANCE));
    // A batch of a single text and a pair answers a list of prediction lists, in order.
    const batch = await post(base, '/predict', { inputs: [[reference.texts[1]], ['a question', 'an answer']] });
    assert.is(batch.status, 200);
    assert.is(batch.json.length, 2);
    const softmax = await onnx.predictTexts([reference.texts[1] as string], { activation: 'identity', applySoftmax: true });
    const top = Math.max(...softmax);
    assert.ok(Math.abs(batch.json[0][0].score - top) <= TOLERANCE, 'softmax scores without raw_scores');
    const [pair] = [await onnx.predict([['a question', 'an answer']], { activation: 'identity', applySoftmax: true })];
    assert.ok(Math.abs(batch.json[1][0].score - Math.max(...(pair as Float32Array))) <= TOLERANCE, 'the pair');
  } finally {
    await Promise.all([server.shutdown(), onnx.dispose(), engine.dispose()]);
  }
});

test.run();
