// SentenceTransformer features equal to Python sentence-transformers 6.0.1 on tiny-bert
// (test/fixtures/tiny-bert.features.json, made by test/tools/tiny_bert_features.py):
// prompts from config_sentence_transformers.json, and every quantized precision.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';

const features = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert.features.json'), 'utf8')) as {
  texts: string[];
  prompted_config_sentence_transformers: string;
  query_prompt: { text_indices: number[]; embeddings: number[][] };
  precision: Record<'int8' | 'uint8' | 'binary' | 'ubinary', { values: number[][] }> & { ranges: number[][] };
  token_embeddings: Array<{ text_index: number; input_ids: number[]; embeddings: number[][] }>;
};

test('the query prompt from config_sentence_transformers.json', async () => {
  const copy = copyFixture();
  writeFileSync(join(copy.dir, 'config_sentence_transformers.json'), features.prompted_config_sentence_transformers);
  const model = await SentenceTransformer.fromPretrained(copy.dir);
  try {
    const texts = features.query_prompt.text_indices.map((i) => features.texts[i] as string);
    const byName = await model.encode(texts, { promptName: 'query' });
    assert.ok(maxAbsDiff(byName.data, features.query_prompt.embeddings.flat()) <= 1e-5, 'promptName');
    assert.ok(maxAbsDiff((await model.encodeQuery(texts)).data, byName.data) === 0, 'encodeQuery uses the query prompt');
    assert.ok(maxAbsDiff((await model.encode(texts, { prompt: model.prompts.query as string })).data, byName.data) === 0, 'prompt string');
  } finally {
    await model.dispose();
    copy.cleanup();
  }
});

test('precision int8, uint8, binary and ubinary equal quantize_embeddings', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    for (const precision of ['int8', 'uint8', 'binary', 'ubinary'] as const) {
      const quantized = await model.encode(features.texts, { precision });
      assert.equal(Array.from(quantized.data), features.precision[precision].values.flat(), precision);
    }
    const float = await model.encode(features.texts);
    assert.instance(float, Embeddings);
  } finally {
    await model.dispose();
  }
});

test('token embeddings (output_value="token_embeddings")', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const texts = features.token_embeddings.map((t) => features.texts[t.text_index] as string);
    const tokens = await model.encodeTokenEmbeddings(texts, { batchSize: 2 });
    assert.ok(texts.length > 0, 'the reference has token embeddings to compare');
    assert.is(tokens.length, texts.length, 'one matrix per text');
    tokens.forEach((matrix, i) => {
      const expected = features.token_embeddings[i]!.embeddings;
      assert.equal(matrix.shape, [expected.length, 32], `text ${i}`);
      assert.ok(maxAbsDiff(matrix.data, expected.flat()) <= 1e-5, `text ${i}`);
    });
  } finally {
    await model.dispose();
  }
});

test.run();
