// Texts built from the characters a Unicode database and Python `tokenizers` classify
// differently (issue 15: Kannada, Telugu and N'Ko signs, supplementary punctuation, recent
// combining marks, controls and case pairs), through tiny-bert's WordPiece tokenizer (all-MiniLM-L6-v2's)
// against Python sentence-transformers 6.0.1: the same ids, the same embeddings
// (test/fixtures/tiny-bert.unicode.reference.json, made by test/tools/unicode_parity_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff, TINY_BERT, tinyBertWithPooling } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;

interface UnicodeReference {
  characters: Record<string, string>;
  texts: string[];
  input_ids: number[][];
  embeddings: Record<'mean' | 'cls' | 'max', { raw: number[][]; normalized?: number[][] }>;
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert.unicode.reference.json'), 'utf8')) as UnicodeReference;

test('the fixture holds the characters of issue 15 and each kind of disagreement', () => {
  const all = reference.texts.join('');
  for (const c of ['\u0C84', '\u2E46', '\u0A76', '\u2E58', '\u0C04', '\u07FD', '\u1ACA']) assert.ok(all.includes(c), c);
  for (const kind of ['control', 'punctuation', 'nonspacing_mark', 'lowercase']) {
    assert.ok((reference.characters[kind] ?? '').length > 0, `no ${kind} characters`);
  }
  assert.ok(reference.texts.length >= 30, `${reference.texts.length} texts`);
});

test('token ids equal the reference tokenizer\'s', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const { inputIds, attentionMask, shape } = await model.tokenize(reference.texts);
    assert.is(shape[0], reference.texts.length);
    reference.input_ids.forEach((ids, i) => {
      const row = Array.from(inputIds.subarray(i * shape[1], (i + 1) * shape[1]));
      const mask = attentionMask.subarray(i * shape[1], (i + 1) * shape[1]);
      assert.equal(row.filter((_, j) => mask[j] === 1), ids, `text ${i}: ${JSON.stringify(reference.texts[i])}`);
    });
  } finally {
    await model.dispose();
  }
});

for (const mode of ['mean', 'cls', 'max'] as const) {
  test(`${mode} pooling: max |diff| ≤ ${TOLERANCE}`, async () => {
    const fixture = tinyBertWithPooling(mode, 'new');
    const model = await SentenceTransformer.fromPretrained(fixture.dir);
    try {
      const runs: Array<[boolean, number[][] | undefined]> = [[false, reference.embeddings[mode].raw], [true, reference.embeddings[mode].normalized]];
      for (const [normalize, expected] of runs) {
        if (expected === undefined) continue;
        const embeddings = await model.encode(reference.texts, { normalizeEmbeddings: normalize });
        assert.equal(embeddings.shape, [expected.length, expected[0]?.length]);
        let worst = 0;
        let worstRow = -1;
        expected.forEach((row, i) => {
          const diff = maxAbsDiff(embeddings.row(i), row);
          if (!(diff <= worst)) [worst, worstRow] = [diff, i];
        });
        assert.ok(worst <= TOLERANCE, `normalize=${normalize}: max |diff| ${worst} at row ${worstRow} (${JSON.stringify(reference.texts[worstRow])})`);
      }
    } finally {
      await model.dispose();
      fixture.cleanup();
    }
  });
}

test.run();
