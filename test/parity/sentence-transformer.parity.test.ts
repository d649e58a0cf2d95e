// Embeddings equal to Python sentence-transformers 6.0.1 on the same weights and texts
// (test/fixtures/tiny-bert.reference.json, made by test/tools/make_fixtures.py tiny).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff, tinyBertReference, tinyBertWithPooling, type PoolingSchema } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const reference = tinyBertReference();

for (const mode of ['mean', 'cls', 'max'] as const) {
  for (const schema of ['old', 'new'] as PoolingSchema[]) {
    for (const normalize of [false, true]) {
      test(`${mode} pooling, ${schema} config schema, normalize=${normalize}: max |diff| ≤ ${TOLERANCE}`, async () => {
        const fixture = tinyBertWithPooling(mode, schema);
        const model = await SentenceTransformer.fromPretrained(fixture.dir);
        try {
          const embeddings = await model.encode(reference.texts, { batchSize: 7, normalizeEmbeddings: normalize });
          const expected = reference.embeddings[mode][normalize ? 'normalized' : 'raw'];
          assert.equal(embeddings.shape, [expected.length, expected[0]?.length]);
          let worst = 0;
          let worstRow = -1;
          expected.forEach((row, i) => {
            const diff = maxAbsDiff(embeddings.row(i), row);
            if (diff > worst) [worst, worstRow] = [diff, i];
          });
          assert.ok(worst <= TOLERANCE, `max |diff| ${worst} at row ${worstRow} (${JSON.stringify(reference.texts[worstRow]?.slice(0, 60))})`);
        } finally {
          await model.dispose();
          fixture.cleanup();
        }
      });
    }
  }
}

test('batch size and a token budget do not change the result', async () => {
  const fixture = tinyBertWithPooling('mean', 'new');
  const model = await SentenceTransformer.fromPretrained(fixture.dir);
  // A budget below the longest input: long texts run alone, short ones share batches.
  const budgeted = await SentenceTransformer.fromPretrained(fixture.dir, { maxBatchTokens: 100 });
  try {
    const one = await model.encode(reference.texts, { batchSize: 1 });
    const many = await model.encode(reference.texts, { batchSize: 64 });
    assert.ok(maxAbsDiff(one.data, many.data) <= TOLERANCE);
    const cut = await budgeted.encode(reference.texts, { batchSize: 64 });
    assert.ok(maxAbsDiff(one.data, cut.data) <= TOLERANCE);
  } finally {
    await model.dispose();
    await budgeted.dispose();
    fixture.cleanup();
  }
});

test('the config files sentence-transformers 6 writes load to the same model', async () => {
  // tiny-bert.st6-configs.json: modules.json, sentence_bert_config.json (no max_seq_length),
  // 1_Pooling/config.json (new schema) and tokenizer_config.json exactly as 6.0.1 saves them.
  const configs = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert.st6-configs.json'), 'utf8')) as Record<string, string>;
  const fixture = copyFixture();
  for (const [file, content] of Object.entries(configs)) writeFileSync(join(fixture.dir, file), content);
  const model = await SentenceTransformer.fromPretrained(fixture.dir);
  try {
    assert.is(model.maxSeqLength, reference.max_seq_length);
    const embeddings = await model.encode(reference.texts);
    const expected = reference.embeddings.mean.normalized;
    expected.forEach((row, i) => assert.ok(maxAbsDiff(embeddings.row(i), row) <= TOLERANCE, `row ${i}`));
  } finally {
    await model.dispose();
    fixture.cleanup();
  }
});

test.run();
