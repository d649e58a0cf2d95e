// CrossEncoder scores and rankings equal to Python sentence-transformers 6.0.1 on the same
// weights (test/fixtures/tiny-ce-*.reference.json, made by test/tools/model_class_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceKitError } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;

interface Reference {
  max_length: number;
  num_labels: number;
  pairs: Array<[string, string]>;
  logits: number[][];
  scores: number[][];
  softmax?: number[][];
  rank?: Array<{ query: string; documents: string[]; results: Array<{ corpus_id: number; score: number }> }>;
}

const load = (name: string): Reference => JSON.parse(readFileSync(join(FIXTURES, `${name}.reference.json`), 'utf8')) as Reference;

test('one label: logits, sigmoid scores and rank order', async () => {
  const reference = load('tiny-ce-1label');
  const model = await CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-1label'));
  try {
    assert.is(model.numLabels, 1);
    assert.is(model.activation, 'sigmoid');
    assert.is(model.maxLength, reference.max_length);
    const logits = await model.predict(reference.pairs, { activation: 'identity', batchSize: 4 });
    assert.ok(maxAbsDiff(logits, reference.logits.flat()) <= TOLERANCE, 'logits');
    const scores = await model.predict(reference.pairs);
    assert.ok(maxAbsDiff(scores, reference.scores.flat()) <= TOLERANCE, 'scores');
    assert.ok((reference.rank?.length ?? 0) > 0, 'the reference has rank cases');
    for (const { query, documents, results } of reference.rank ?? []) {
      const ranked = await model.rank(query, documents, { returnDocuments: true });
      assert.equal(ranked.map((r) => r.corpusId), results.map((r) => r.corpus_id), `rank order for ${query}`);
      ranked.forEach((r, i) => assert.ok(Math.abs(r.score - results[i]!.score) <= TOLERANCE));
      assert.is(ranked[0]!.text, documents[ranked[0]!.corpusId]);
      assert.is((await model.rank(query, documents, { topK: 3 })).length, 3);
    }
  } finally {
    await model.dispose();
  }
});

test('three labels: logits, default identity, softmax; rank() is refused', async () => {
  const reference = load('tiny-ce-3label');
  const model = await CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-3label'));
  try {
    assert.is(model.numLabels, 3);
    assert.equal(model.labels, ['contradiction', 'entailment', 'neutral']);
    assert.ok(maxAbsDiff(await model.predict(reference.pairs), reference.scores.flat()) <= TOLERANCE, 'default scores');
    assert.ok(maxAbsDiff(await model.predict(reference.pairs, { applySoftmax: true }), reference.softmax!.flat()) <= TOLERANCE, 'softmax');
    try {
      await model.rank('q', ['a', 'b']);
      assert.unreachable('rank on a multi-label model');
    } catch (error) {
      assert.instance(error, SentenceKitError);
      assert.match((error as Error).message, '3 labels');
    }
  } finally {
    await model.dispose();
  }
});

test('bad pairs and activations are TypeErrors naming what is wrong', async () => {
  const model = await CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-1label'));
  try {
    for (const [input, options, pattern] of [
      [[['a', 1]], {}, 'pairs[0]'],
      [[['a']], {}, 'pairs[0]'],
      ['nope', {}, 'pairs'],
      [[['a', 'b']], { activation: 'swish' }, 'options.activation'],
    ] as const) {
      try {
        await model.predict(input as unknown as Array<[string, string]>, options as object);
        assert.unreachable('should reject');
      } catch (error) {
        assert.instance(error, TypeError);
        assert.match((error as Error).message, pattern);
      }
    }
    assert.equal(Array.from(await model.predict(['one', 'pair'] as [string, string])).length, 1, 'a single pair');
  } finally {
    await model.dispose();
  }
});

test.run();
