// cpu-level-independent: the levels stage does not run this file again (no kernel is compared).
// sentencekit serve's /tokenize and /decode against Python tokenizers itself (what TEI runs):
// over WordPiece (tiny-bert), MPNet's WordPiece with <s>/</s> (tiny-mpnet) and byte-level BPE
// (tiny-qwen3), the ids, token strings and special-token flags of `Tokenizer.encode`, and
// `Tokenizer.decode` with and without skip_special_tokens. Python runs at test time in
// test/tools/.venv (skipped without it).
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
const TEXTS = ['Hello, World', 'The cat sits outside.', 'Café naïve façade', 'I love pizza 🍕 and 中文', ' leading and  double  spaces ', 'supercalifragilistic'];

interface PythonTokens {
  ids: number[][];
  tokens: string[][];
  special: number[][];
  decoded: string[];
  decodedWithSpecial: string[];
}

function pythonTokens(tokenizerJson: string): PythonTokens {
  const code = `
import json, sys
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
texts = json.loads(sys.argv[2])
encodings = [tok.encode(t) for t in texts]
print(json.dumps({
  "ids": [e.ids for e in encodings],
  "tokens": [e.tokens for e in encodings],
  "special": [e.special_tokens_mask for e in encodings],
  "decoded": [tok.decode(e.ids, skip_special_tokens=True) for e in encodings],
  "decodedWithSpecial": [tok.decode(e.ids, skip_special_tokens=False) for e in encodings],
}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', code, tokenizerJson, JSON.stringify(TEXTS)], { encoding: 'utf8' })) as PythonTokens;
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
      tokenized.json.forEach((tokens: Array<{ id: number; text: string; special: boolean }>, i: number) => {
        assert.equal(tokens.map((t) => t.id), expected.ids[i], `${name} ids of ${JSON.stringify(TEXTS[i])}`);
        assert.equal(tokens.map((t) => t.text), expected.tokens[i], `${name} tokens of ${JSON.stringify(TEXTS[i])}`);
        assert.equal(tokens.map((t) => (t.special ? 1 : 0)), expected.special[i], `${name} special flags of ${JSON.stringify(TEXTS[i])}`);
      });
      const decoded = await post(base, '/decode', { ids: expected.ids });
      assert.is(decoded.status, 200);
      assert.equal(decoded.json, expected.decoded, `${name} decode, skip_special_tokens true (TEI's default)`);
      const withSpecial = await post(base, '/decode', { ids: expected.ids, skip_special_tokens: false });
      assert.equal(withSpecial.json, expected.decodedWithSpecial, `${name} decode, skip_special_tokens false`);
      const single = await post(base, '/decode', { ids: expected.ids[0] });
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

test.run();
