// cpu-level-independent: the levels stage does not run this file again (no kernel is compared).
// sentencekit serve's /tokenize and /decode against Python tokenizers itself (what TEI runs):
// over WordPiece (tiny-bert), MPNet's WordPiece with <s>/</s> (tiny-mpnet), byte-level BPE
// (tiny-qwen3; Unigram and the rest are test/native/tokenizer_offsets_test.cc's), the ids, special-token flags and
// offsets of `Tokenizer.encode` with and without special tokens, turned into TEI's SimpleToken
// as its into_tokens does (byte offsets, the input's bytes as text, a special token's string
// and null offsets), and `Tokenizer.decode` with and without skip_special_tokens. Python runs at
// test time in test/tools/.venv (skipped without it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { loadModels } from '../../lib/server/load.js';
import { EmbeddingServer } from '../../lib/server/server.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { testIf } from '../helpers/skip.js';

const PYTHON = join(__dirname, '..', 'tools', '.venv', 'bin', 'python');
const HAS_PYTHON = existsSync(PYTHON);
const MODELS = ['tiny-bert', 'tiny-mpnet', 'tiny-qwen3'];
const TEXTS = ['Hello, World', 'The cat sits outside.', 'Café naïve façade', 'I love pizza 🍕 and 中文', ' leading and  double  spaces ', 'supercalifragilistic',
  'e\u0301 ﬁnance Ⅻ ｶﾀｶﾅ', 'a [MASK] <mask> b', '\u200b\tzero\u00a0width 👩‍💻 𠀀'];

interface PythonEncoding {
  ids: number[];
  tokens: string[];
  special: number[];
  offsets: Array<[number, number]>;
}

interface PythonTokens {
  withSpecial: PythonEncoding[];
  withoutSpecial: PythonEncoding[];
  decoded: string[];
  decodedWithSpecial: string[];
}

interface SimpleToken { id: number; text: string; special: boolean; start: number | null; stop: number | null }

/** TEI's into_tokens over Python's encoding: char offsets become UTF-8 byte offsets. */
function simpleTokens(text: string, encoding: PythonEncoding): SimpleToken[] {
  const chars = Array.from(text);
  const byteAt = (char: number): number => Buffer.byteLength(chars.slice(0, char).join(''), 'utf8');
  const bytes = Buffer.from(text, 'utf8');
  return encoding.ids.map((id, i) => {
    if (encoding.special[i] === 1) return { id, text: encoding.tokens[i] as string, special: true, start: null, stop: null };
    const [first, last] = encoding.offsets[i] as [number, number];
    const start = byteAt(first);
    const stop = byteAt(last);
    return { id, text: new TextDecoder().decode(bytes.subarray(start, stop)), special: false, start, stop };
  });
}

function pythonTokens(tokenizerJson: string, texts: string[] = TEXTS): PythonTokens {
  const code = `
import json, sys
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
texts = json.loads(sys.argv[2])
tok.no_truncation()
def row(e):
  return {"ids": e.ids, "tokens": e.tokens, "special": e.special_tokens_mask, "offsets": e.offsets}
encodings = [tok.encode(t) for t in texts]
print(json.dumps({
  "withSpecial": [row(e) for e in encodings],
  "withoutSpecial": [row(tok.encode(t, add_special_tokens=False)) for t in texts],
  "decoded": [tok.decode(e.ids, skip_special_tokens=True) for e in encodings],
  "decodedWithSpecial": [tok.decode(e.ids, skip_special_tokens=False) for e in encodings],
}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', code, tokenizerJson, JSON.stringify(texts)], { encoding: 'utf8' })) as PythonTokens;
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

for (const name of MODELS) {
  testIf(HAS_PYTHON, 'test/tools/.venv is missing (npm run setup:python)')(`${name}: /tokenize and /decode equal Python tokenizers`, async () => {
    const folder = join(FIXTURES, name);
    const expected = pythonTokens(join(folder, 'tokenizer.json'));
    const server = new EmbeddingServer({ modelId: name, maxClientBatchSize: 64 });
    server.setModels(await loadModels({ model: folder, reranker: null, sparseModel: null, load: {}, maxBatchTokens: 16384 }));
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      const tokenized = await post(base, '/tokenize', { inputs: TEXTS });
      assert.is(tokenized.status, 200);
      tokenized.json.forEach((tokens: SimpleToken[], i: number) => {
        assert.equal(tokens, simpleTokens(TEXTS[i] as string, expected.withSpecial[i] as PythonEncoding), `${name} tokens of ${JSON.stringify(TEXTS[i])}`);
      });
      const plain = await post(base, '/tokenize', { inputs: TEXTS, add_special_tokens: false });
      assert.is(plain.status, 200);
      plain.json.forEach((tokens: SimpleToken[], i: number) => {
        assert.equal(tokens, simpleTokens(TEXTS[i] as string, expected.withoutSpecial[i] as PythonEncoding), `${name} add_special_tokens false, ${JSON.stringify(TEXTS[i])}`);
      });
      const one = await post(base, '/tokenize', { inputs: TEXTS[3] });
      assert.equal(one.json, [tokenized.json[3]], 'one input answers a list of one token list, as TEI does');
      const ids = expected.withSpecial.map((e) => e.ids);
      const decoded = await post(base, '/decode', { ids });
      assert.is(decoded.status, 200);
      assert.equal(decoded.json, expected.decoded, `${name} decode, skip_special_tokens true (TEI's default)`);
      const withSpecial = await post(base, '/decode', { ids, skip_special_tokens: false });
      assert.equal(withSpecial.json, expected.decodedWithSpecial, `${name} decode, skip_special_tokens false`);
      const single = await post(base, '/decode', { ids: ids[0] });
      assert.equal(single.json, [expected.decoded[0]], 'one list of ids decodes to a list of one string');
      const bad = await post(base, '/decode', { ids: 'abc' });
      assert.is(bad.status, 422);
      const empty = await post(base, '/decode', { ids: [] });
      assert.is(empty.status, 400);
    } finally {
      await server.shutdown();
    }
  });
}

testIf(HAS_PYTHON, 'test/tools/.venv is missing (npm run setup:python)')('/tokenize with prompt_name: offsets into the prompted input, as TEI gives them', async () => {
  const folder = join(FIXTURES, 'tiny-bert-dense');
  const server = new EmbeddingServer({ modelId: 'tiny-bert-dense', maxClientBatchSize: 64 });
  const models = await loadModels({ model: folder, reranker: null, sparseModel: null, load: {}, maxBatchTokens: 16384 });
  server.setModels(models);
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  try {
    const prompt = (models.embedder?.prompts as Record<string, string>).query as string;
    assert.is(prompt, 'query: ');
    const text = 'Where is Zürich?';
    const expected = pythonTokens(join(folder, 'tokenizer.json'), [prompt + text]);
    const prompted = await post(base, '/tokenize', { inputs: text, prompt_name: 'query' });
    assert.is(prompted.status, 200);
    assert.equal(prompted.json, [simpleTokens(prompt + text, expected.withSpecial[0] as PythonEncoding)]);
    const unknown = await post(base, '/tokenize', { inputs: text, prompt_name: 'nope' });
    assert.is(unknown.status, 413, 'TEI answers a Validation error with 413');
    assert.is(unknown.json.error_type, 'Validation');
  } finally {
    await server.shutdown();
  }
});

test.run();
