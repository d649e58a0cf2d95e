// cpu-level-independent: the levels stage does not run this file again (the server is compared with the same model in-process, at whatever level both run).
// sentencekit serve's limits and clients: the official openai client against /v1/embeddings
// (float, base64, dimensions, usage), max client batch size (413, or auto-split), max
// concurrent requests (429), the payload limit (413), the API key (401, probes open), and the
// graceful drain (in-flight requests finish, new ones get 503).
import { connect } from 'node:net';

import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import type { ServeConfig } from '../../lib/server/config.js';
import { loadModels } from '../../lib/server/load.js';
import { EmbeddingServer } from '../../lib/server/server.js';
import { TINY_BERT } from '../helpers/fixtures.js';

const TEXTS = ['The cat sits outside', 'A man is playing guitar', 'hello'];
let model: SentenceTransformer;

test.before(async () => {
  model = await SentenceTransformer.fromPretrained(TINY_BERT);
});

test.after(async () => {
  await model.dispose();
});

async function start(config: Partial<ServeConfig>): Promise<{ server: EmbeddingServer; base: string; port: number }> {
  const server = new EmbeddingServer({ modelId: 'tiny-bert', ...config });
  server.setModels(await loadModels({ model: TINY_BERT, reranker: null, sparseModel: null, load: {}, maxBatchTokens: 16384 }));
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, base: `http://127.0.0.1:${port}`, port };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text.length === 0 ? null : JSON.parse(text) };
}

/** A request whose body is sent in two parts: it holds its permit until finish() is called. */
function slowRequest(port: number, path: string, body: string): { finish(): void; response: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`);
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { data += chunk; });
  const response = new Promise<string>((resolve) => socket.on('close', () => resolve(data)));
  return { finish: () => socket.write(body.slice(5)), response };
}

test('the openai client: float and base64 embeddings, dimensions, usage.prompt_tokens', async () => {
  const { server, base } = await start({});
  try {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${base}/v1` });
    const expected = await model.encode(TEXTS, { normalizeEmbeddings: true });
    const { attentionMask } = await model.tokenize(TEXTS);
    const tokens = attentionMask.reduce((a, b) => a + b, 0);
    for (const encoding_format of ['float', 'base64'] as const) {
      const result = await client.embeddings.create({ model: 'tiny-bert', input: TEXTS, encoding_format });
      assert.is(result.object, 'list');
      assert.is(result.model, 'tiny-bert');
      assert.is(result.usage.prompt_tokens, tokens);
      assert.is(result.usage.total_tokens, tokens);
      result.data.forEach((item, i) => {
        assert.is(item.index, i);
        assert.is(item.object, 'embedding');
        // Asked for explicitly, base64 comes back as the string: little-endian float32 bytes.
        const row = typeof item.embedding === 'string'
          ? new Float32Array(new Uint8Array(Buffer.from(item.embedding, 'base64')).buffer)
          : Float32Array.from(item.embedding);
        assert.is(typeof item.embedding === 'string', encoding_format === 'base64');
        assert.equal(row, expected.row(i), `${encoding_format} row ${i}`);
      });
    }
    // The client's default asks for base64 and decodes it.
    const one = await client.embeddings.create({ model: 'tiny-bert', input: TEXTS[0] as string, dimensions: 8 });
    assert.equal(Float32Array.from(one.data[0]?.embedding ?? []), (await model.encode([TEXTS[0] as string], { truncateDim: 8, normalizeEmbeddings: true })).row(0));
    const raw = await post(`${base}/v1/embeddings`, { input: 'x', encoding_format: 'base64' });
    assert.type(raw.json.data[0].embedding, 'string');
    const bad = await post(`${base}/v1/embeddings`, { input: 'x', encoding_format: 'hex' });
    assert.is(bad.status, 422);
    assert.equal(Object.keys(bad.json).sort(), ['code', 'message', 'type']);
    assert.is(bad.json.code, 422);
    const empty = await client.embeddings.create({ model: 'm', input: [] }).then(() => null, (error: unknown) => error as { status?: number; message?: string });
    assert.is(empty?.status, 400);
    // Token ids, as the client sends them (number[][]): the text's vector, usage counting the ids.
    const ids = (await model.untruncatedTokens(TEXTS)).map((row) => Array.from(row.ids));
    const fromIds = await client.embeddings.create({ model: 'tiny-bert', input: ids, encoding_format: 'float' });
    fromIds.data.forEach((item, i) => assert.equal(Float32Array.from(item.embedding), expected.row(i), `ids row ${i}`));
    assert.is(fromIds.usage.prompt_tokens, tokens);
  } finally {
    await server.shutdown();
  }
});

test('max client batch size: 413 with TEI\'s message, or auto-split into parts with the same rows', async () => {
  const strict = await start({ maxClientBatchSize: 2 });
  try {
    const { status, json } = await post(`${strict.base}/embed`, { inputs: TEXTS });
    assert.is(status, 413);
    assert.equal(json, { error: 'batch size 3 > maximum allowed batch size 2', error_type: 'Validation' });
  } finally {
    await strict.server.shutdown();
  }
  const split = await start({ maxClientBatchSize: 2, autoSplit: true });
  try {
    const { status, json } = await post(`${split.base}/embed`, { inputs: TEXTS });
    assert.is(status, 200);
    const expected = await model.encode(TEXTS, { normalizeEmbeddings: true });
    json.forEach((row: number[], i: number) => assert.equal(Float32Array.from(row), expected.row(i)));
  } finally {
    await split.server.shutdown();
  }
});

test('max concurrent requests: past the limit 429 Overloaded; the held request still answers', async () => {
  const { server, base, port } = await start({ maxConcurrentRequests: 1 });
  try {
    const held = slowRequest(port, '/embed', JSON.stringify({ inputs: 'held' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await post(`${base}/embed`, { inputs: 'x' });
    assert.is(refused.status, 429);
    assert.equal(refused.json, { error: 'Model is overloaded', error_type: 'Overloaded' });
    held.finish();
    assert.match(await held.response, /^HTTP\/1\.1 200/);
    assert.is((await post(`${base}/embed`, { inputs: 'x' })).status, 200);
  } finally {
    await server.shutdown();
  }
});

test('--auto-truncate: over-long inputs are truncated unless a request says truncate: false', async () => {
  const { server, base } = await start({ autoTruncate: true });
  try {
    const long = Array.from({ length: model.maxSeqLength + 20 }, (_, i) => `word${i % 7}`).join(' ');
    const expected = await model.encode([long], { normalizeEmbeddings: true });
    const truncated = await post(`${base}/embed`, { inputs: [long] });
    assert.is(truncated.status, 200);
    assert.equal(Float32Array.from(truncated.json[0]), expected.row(0));
    const refused = await post(`${base}/embed`, { inputs: [long], truncate: false });
    assert.is(refused.status, 413);
    assert.match(refused.json.error, /^`inputs` must have less than \d+ tokens\. Given: \d+$/);
    const openai = await post(`${base}/v1/embeddings`, { input: long });
    assert.is(openai.status, 200);
    assert.is(openai.json.usage.prompt_tokens, model.maxSeqLength);
    const info = await (await fetch(`${base}/info`)).json() as { auto_truncate: boolean };
    assert.is(info.auto_truncate, true);
  } finally {
    await server.shutdown();
  }
});

test('payload limit: a larger body is 413 before it is read', async () => {
  const { server, base } = await start({ payloadLimit: 1000 });
  try {
    const { status, json } = await post(`${base}/embed`, { inputs: 'x'.repeat(2000) });
    assert.is(status, 413);
    assert.equal(json, { error: 'request body larger than the payload limit of 1000 bytes', error_type: 'Validation' });
    assert.is((await post(`${base}/embed`, { inputs: 'small' })).status, 200);
  } finally {
    await server.shutdown();
  }
});

test('--api-key: 401 without or with a wrong key, 200 with it; probes need none', async () => {
  const { server, base } = await start({ apiKey: 'secret-key' });
  try {
    const none = await post(`${base}/embed`, { inputs: 'x' });
    assert.is(none.status, 401);
    assert.is(none.json.error_type, 'Unauthorized');
    assert.is((await post(`${base}/embed`, { inputs: 'x' }, { authorization: 'Bearer secret-kez' })).status, 401);
    assert.is((await post(`${base}/embed`, { inputs: 'x' }, { authorization: 'Bearer secret' })).status, 401);
    assert.is((await post(`${base}/embed`, { inputs: 'x' }, { authorization: 'Bearer secret-key' })).status, 200);
    assert.is((await fetch(`${base}/metrics`)).status, 401);
    assert.is((await fetch(`${base}/health`)).status, 200);
    assert.is((await fetch(`${base}/ready`)).status, 200);
    const client = new OpenAI({ apiKey: 'secret-key', baseURL: `${base}/v1` });
    assert.is((await client.embeddings.create({ model: 'm', input: 'x' })).data.length, 1);
  } finally {
    await server.shutdown();
  }
});

test('graceful shutdown: the request in flight finishes, a new one on an open connection gets 503', async () => {
  const { server, port } = await start({});
  const held = slowRequest(port, '/embed', JSON.stringify({ inputs: 'held' }));
  const idle = connect(port, '127.0.0.1');
  await new Promise((resolve) => idle.once('connect', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const done = server.shutdown();
  assert.is(server.ready, false);
  let late = '';
  idle.setEncoding('utf8');
  idle.on('data', (chunk: string) => { late += chunk; });
  const lateClosed = new Promise((resolve) => idle.on('close', resolve));
  idle.write('POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"inputs":"x"}');
  held.finish();
  const response = await held.response;
  assert.match(response, /^HTTP\/1\.1 200/);
  assert.match(response, /\[\[/);
  await done;
  await lateClosed;
  // The idle connection was closed by the drain, or answered 503 if its request got in first.
  assert.ok(late === '' || /^HTTP\/1\.1 503/.test(late), late);
});

test.run();
