// cpu-level-independent: the levels stage does not run this file again (the server is compared with the same model in-process, at whatever level both run).
// sentencekit serve (lib/server): every TEI route and the OpenAI route over real HTTP on an
// ephemeral port, with the tiny fixture models; each answer checked against TEI's request and
// response shapes (router/src/http/types.rs) and against the same model called in-process.
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { loadModels } from '../../lib/server/load.js';
import { EmbeddingServer } from '../../lib/server/server.js';
import { FIXTURES, TINY_BERT } from '../helpers/fixtures.js';

const TINY_CE = join(FIXTURES, 'tiny-ce-1label');
const TINY_SPLADE = join(FIXTURES, 'tiny-splade');
const TEXTS = ['The cat sits outside', 'A man is playing guitar', 'hello'];

let server: EmbeddingServer;
let base: string;
let model: SentenceTransformer;
let reranker: CrossEncoder;
let sparse: SparseEncoder;

test.before(async () => {
  server = new EmbeddingServer({ modelId: 'tiny-bert', rerankerId: 'tiny-ce', sparseModelId: 'tiny-splade' });
  server.setModels(await loadModels({ model: TINY_BERT, reranker: TINY_CE, sparseModel: TINY_SPLADE, load: {}, maxBatchTokens: 16384 }));
  const { port } = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  model = await SentenceTransformer.fromPretrained(TINY_BERT);
  reranker = await CrossEncoder.fromPretrained(TINY_CE);
  sparse = await SparseEncoder.fromPretrained(TINY_SPLADE);
});

test.after(async () => {
  await server.shutdown();
  await Promise.all([model.dispose(), reranker.dispose(), sparse.dispose()]);
});

async function post(path: string, body: unknown, url = base): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text.length === 0 ? null : JSON.parse(text), headers: response.headers };
}

function rowsEqual(actual: number[][], expected: { rows: number; row(i: number): Float32Array }, what: string): void {
  assert.is(actual.length, expected.rows, `${what}: rows`);
  actual.forEach((row, i) => assert.equal(Float32Array.from(row), expected.row(i), `${what}: row ${i}`));
}

test('/embed: one string or a batch, normalized by default, equal to in-process encode', async () => {
  const single = await post('/embed', { inputs: TEXTS[0] });
  assert.is(single.status, 200);
  rowsEqual(single.json, await model.encode([TEXTS[0] as string], { normalizeEmbeddings: true }), 'single');
  const batch = await post('/embed', { inputs: TEXTS });
  assert.is(batch.status, 200);
  rowsEqual(batch.json, await model.encode(TEXTS, { normalizeEmbeddings: true }), 'batch');
  assert.is(batch.headers.get('content-type'), 'application/json');
  assert.ok(Number(batch.headers.get('x-compute-tokens')) > TEXTS.length);
});

test('/embed: normalize false and dimensions (Matryoshka truncation before normalizing)', async () => {
  const raw = await post('/embed', { inputs: TEXTS, normalize: false });
  rowsEqual(raw.json, await model.encode(TEXTS), 'normalize false');
  const cut = await post('/embed', { inputs: TEXTS, dimensions: 16 });
  assert.is(cut.json[0].length, 16);
  rowsEqual(cut.json, await model.encode(TEXTS, { truncateDim: 16, normalizeEmbeddings: true }), 'dimensions 16');
  const tooWide = await post('/embed', { inputs: 'x', dimensions: model.dimension + 1 });
  assert.is(tooWide.status, 413);
  assert.is(tooWide.json.error_type, 'Validation');
});

test('/embed: prompt_name must be one of the model\'s prompts (TEI: Validation, 413)', async () => {
  const known = await post('/embed', { inputs: TEXTS, prompt_name: 'query' });
  assert.is(known.status, 200);
  rowsEqual(known.json, await model.encode(TEXTS, { promptName: 'query', normalizeEmbeddings: true }), 'prompt query');
  const unknown = await post('/embed', { inputs: 'x', prompt_name: 'nope' });
  assert.is(unknown.status, 413);
  assert.equal(Object.keys(unknown.json).sort(), ['error', 'error_type']);
  assert.match(unknown.json.error, /prompt_name `nope` is not one of the model's prompts \(document, query\)/);
});

test('/embed: an over-long input is refused unless truncate (TEI\'s message), truncated like encode', async () => {
  const long = Array.from({ length: model.maxSeqLength + 20 }, (_, i) => `word${i % 7}`).join(' ');
  const refused = await post('/embed', { inputs: [long] });
  assert.is(refused.status, 413);
  assert.match(refused.json.error, new RegExp(`^\`inputs\` must have less than ${model.maxSeqLength} tokens\\. Given: \\d+$`));
  assert.is(refused.json.error_type, 'Validation');
  const truncated = await post('/embed', { inputs: [long], truncate: true });
  assert.is(truncated.status, 200);
  rowsEqual(truncated.json, await model.encode([long], { normalizeEmbeddings: true }), 'truncated');
  const left = await post('/embed', { inputs: [long], truncate: true, truncation_direction: 'Left' });
  assert.is(left.status, 200);
  rowsEqual(left.json, await model.encode([long], { normalizeEmbeddings: true, truncationSide: 'left' }), 'truncated on the left');
  const badDirection = await post('/embed', { inputs: 'x', truncation_direction: 'left' });
  assert.is(badDirection.status, 422);
});

test('/embed: empty batch 400 Empty, wrong types 422, broken JSON 400, unknown route 404', async () => {
  const empty = await post('/embed', { inputs: [] });
  assert.is(empty.status, 400);
  assert.equal(empty.json, { error: '`inputs` cannot be empty', error_type: 'Empty' });
  const wrong = await post('/embed', { inputs: 5 });
  assert.is(wrong.status, 422);
  assert.match(wrong.json.error, /`inputs`/);
  const notBool = await post('/embed', { inputs: 'x', normalize: 'yes' });
  assert.is(notBool.status, 422);
  const broken = await post('/embed', '{"inputs": ');
  assert.is(broken.status, 400);
  assert.is(broken.json.error_type, 'Validation');
  const ids = await post('/embed', { inputs: [[101, -1]] });
  assert.is(ids.status, 422);
  const missing = await post('/nope', {});
  assert.is(missing.status, 404);
  const get = await fetch(`${base}/embed`);
  assert.is(get.status, 405);
});

test('/embed_all: every token\'s embedding, equal to encodeTokenEmbeddings', async () => {
  const { status, json } = await post('/embed_all', { inputs: TEXTS });
  assert.is(status, 200);
  const expected = await model.encodeTokenEmbeddings(TEXTS);
  json.forEach((matrix: number[][], i: number) => rowsEqual(matrix, expected[i] as never, `text ${i}`));
});

test('/embed_sparse: [{index, value}] per text, equal to SparseEncoder.encode', async () => {
  const { status, json } = await post('/embed_sparse', { inputs: TEXTS });
  assert.is(status, 200);
  const expected = await sparse.encode(TEXTS);
  json.forEach((row: Array<{ index: number; value: number }>, i: number) => {
    const { indices, values } = expected.row(i);
    assert.ok(row.length > 0);
    assert.equal(row.map((v) => v.index), Array.from(indices));
    assert.equal(Float32Array.from(row.map((v) => v.value)), values);
    assert.equal(Object.keys(row[0] as object), ['index', 'value']);
  });
});

test('/similarity: cosine of source_sentence to each sentence', async () => {
  const { status, json } = await post('/similarity', { inputs: { source_sentence: TEXTS[0], sentences: TEXTS.slice(1) } });
  assert.is(status, 200);
  const embeddings = await model.encode(TEXTS, { normalizeEmbeddings: true });
  const expected = model.similarity(embeddings.row(0), embeddings).data.subarray(1);
  assert.is(json.length, 2);
  json.forEach((score: number, i: number) => assert.ok(Math.abs(score - (expected[i] as number)) < 1e-6, `${score} vs ${expected[i]}`));
  const empty = await post('/similarity', { inputs: { source_sentence: 'a', sentences: [] } });
  assert.is(empty.status, 400);
});

test('/rerank: best first, scores equal predict(), return_text, raw_scores', async () => {
  const query = 'who plays guitar';
  const scores = await reranker.predict(TEXTS.map((t) => [query, t] as [string, string]));
  const { status, json } = await post('/rerank', { query, texts: TEXTS });
  assert.is(status, 200);
  assert.is(json.length, TEXTS.length);
  const order = Array.from(scores, (score, index) => ({ index, score })).sort((a, b) => b.score - a.score);
  assert.equal(json.map((r: { index: number }) => r.index), order.map((r) => r.index));
  json.forEach((r: { index: number; score: number; text?: string }) => {
    assert.is(Math.fround(r.score), scores[r.index]);
    assert.is(r.text, undefined);
  });
  const withText = await post('/rerank', { query, texts: TEXTS, return_text: true, raw_scores: true });
  const logits = await reranker.predict(TEXTS.map((t) => [query, t] as [string, string]), { activation: 'identity' });
  withText.json.forEach((r: { index: number; score: number; text: string }) => {
    assert.is(r.text, TEXTS[r.index]);
    assert.is(Math.fround(r.score), logits[r.index]);
  });
});

test('/predict: a pair, a single text, or a batch of either, as [{score, label}]', async () => {
  const pair = await post('/predict', { inputs: ['a question', 'an answer'] });
  assert.is(pair.status, 200);
  const [expected] = await reranker.predict([['a question', 'an answer']]);
  assert.equal(Object.keys(pair.json[0]), ['score', 'label']);
  assert.is(Math.fround(pair.json[0].score), expected);
  assert.is(pair.json[0].label, reranker.labels[0]);
  const batch = await post('/predict', { inputs: [['a', 'b'], ['c', 'd']] });
  assert.is(batch.status, 200);
  assert.is(batch.json.length, 2);
  assert.is(batch.json[1].length, 1);
  const single = await post('/predict', { inputs: 'one text' });
  assert.is(single.status, 200);
  assert.is(Math.fround(single.json[0].score), (await reranker.predictTexts(['one text']))[0]);
});

test('/v1/rerank (Cohere / Jina): results with relevance_score, top_n, return_documents', async () => {
  const { status, json } = await post('/v1/rerank', { model: 'x', query: 'q', documents: [{ text: TEXTS[0] }, TEXTS[1], TEXTS[2]], top_n: 2, return_documents: true });
  assert.is(status, 200);
  assert.is(json.model, 'tiny-ce');
  assert.is(json.results.length, 2);
  const scores = await reranker.predict(TEXTS.map((t) => ['q', t] as [string, string]));
  for (const r of json.results) {
    assert.is(Math.fround(r.relevance_score), scores[r.index]);
    assert.equal(r.document, { text: TEXTS[r.index] });
  }
  assert.ok(json.results[0].relevance_score >= json.results[1].relevance_score);
});

test('/tokenize: ids equal the model\'s tokenizer, token strings and special flags', async () => {
  const { status, json } = await post('/tokenize', { inputs: ['hello world', 'The cat'] });
  assert.is(status, 200);
  const { inputIds, attentionMask, shape } = await model.tokenize(['hello world', 'The cat']);
  json.forEach((tokens: Array<{ id: number; text: string; special: boolean; start: null; stop: null }>, r: number) => {
    const ids = Array.from(inputIds.subarray(r * shape[1], (r + 1) * shape[1])).filter((_, c) => attentionMask[r * shape[1] + c] === 1);
    assert.equal(tokens.map((t) => t.id), ids);
    assert.equal(Object.keys(tokens[0] as object), ['id', 'text', 'special', 'start', 'stop']);
    assert.equal(tokens[0], { id: ids[0], text: '[CLS]', special: true, start: null, stop: null });
    assert.is(tokens.at(-1)?.text, '[SEP]');
    assert.is(tokens[1]?.special, false);
  });
  assert.is(json[0][1].text, 'hello');
});

test('/info, /health, /live, /ready and /metrics', async () => {
  const info = await (await fetch(`${base}/info`)).json() as Record<string, any>;
  assert.is(info.model_id, 'tiny-bert');
  assert.equal(info.model_type, { embedding: { pooling: 'mean' } });
  assert.is(info.max_input_length, model.maxSeqLength);
  assert.is(info.max_client_batch_size, 32);
  assert.is(info.max_concurrent_requests, 512);
  assert.is(info.max_batch_tokens, 16384);
  assert.is(info.auto_truncate, false);
  assert.equal(info.sentencekit.modalities, ['text']);
  const health = await fetch(`${base}/health`);
  assert.is(health.status, 200);
  assert.is(await health.text(), '');
  assert.is((await fetch(`${base}/live`)).status, 200);
  assert.is((await fetch(`${base}/ready`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /# TYPE te_request_count counter/);
  assert.match(metrics, /te_request_count\{method="embed"\} \d+/);
  assert.match(metrics, /te_request_failure\{method="embed",err="empty"\} 1/);
  assert.match(metrics, /te_request_duration_bucket\{method="embed",le="\+Inf"\} \d+/);
  assert.match(metrics, /te_request_batch_size_count\{method="embed"\} \d+/);
  assert.match(metrics, /te_request_tokens_total\{method="embed"\} \d+/);
  assert.match(metrics, /te_queue_size 0/);
});

function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

test('/metrics: the scheduler\'s merged runs, inputs per run and requests per run, add up to what was embedded', async () => {
  const read = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return {
      inputs: metricValue(text, 'te_batch_next_size_sum'),
      runs: metricValue(text, 'te_batch_next_size_count'),
      callers: metricValue(text, 'te_batch_next_callers_sum'),
      queued: /^te_batch_queue_inputs \d+$/m.test(text),
    };
  };
  const before = await read();
  // 24 concurrent requests of 2 inputs: each input goes through exactly one native run, each
  // request is one caller of one run, however the scheduler merged them.
  const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => post('/embed', { inputs: [`request ${i}`, 'hello'] })));
  assert.ok(answers.every((a) => a.status === 200));
  const after = await read();
  assert.is(after.inputs - before.inputs, 48);
  assert.is(after.callers - before.callers, 24);
  assert.ok(after.runs - before.runs >= 1 && after.runs - before.runs <= 24, `runs ${after.runs - before.runs}`);
  assert.ok(after.queued);
});

test.run();
