// A DistilRoBERTa cross-encoder in the cross-encoder/stsb-distilroberta-base shape
// (RobertaForSequenceClassification, one label, byte-level BPE, pairs as
// <s> A </s></s> B </s>, an ONNX graph with no token_type_ids input) equal to Python
// sentence-transformers 6.0.1's CrossEncoder on the same random weights
// (test/fixtures/tiny-ce-roberta.reference.json, made by test/tools/mpnet_roberta_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const ROBERTA = join(FIXTURES, 'tiny-ce-roberta');

interface Reference {
  max_length: number;
  pairs: Array<[string, string]>;
  input_ids: number[][];
  logits: number[][];
  scores: number[][];
  rank: Array<{ query: string; documents: string[]; results: Array<{ corpus_id: number; score: number }> }>;
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-ce-roberta.reference.json'), 'utf8')) as Reference;

test('the folder: one label, sigmoid by default, max length from the tokenizer config', async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    assert.is(model.numLabels, 1);
    assert.is(model.activation, 'sigmoid');
    assert.is(model.maxLength, reference.max_length);
    // The reference covers pairs that longest_first truncation has to cut.
    assert.ok(reference.input_ids.some((ids) => ids.length === reference.max_length), 'some pair is truncated');
  } finally {
    await model.dispose();
  }
});

test(`logits and sigmoid scores: max |diff| ≤ ${TOLERANCE}, whatever the batching`, async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    for (const batchSize of [1, 4, 32]) {
      const logits = await model.predict(reference.pairs, { activation: 'identity', batchSize });
      assert.ok(maxAbsDiff(logits, reference.logits.flat()) <= TOLERANCE, `logits, batchSize ${batchSize}: ${maxAbsDiff(logits, reference.logits.flat())}`);
    }
    const scores = await model.predict(reference.pairs);
    assert.ok(maxAbsDiff(scores, reference.scores.flat()) <= TOLERANCE, `scores: ${maxAbsDiff(scores, reference.scores.flat())}`);
  } finally {
    await model.dispose();
  }
});

test('rank: the same order and scores as CrossEncoder.rank', async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    for (const { query, documents, results } of reference.rank) {
      const ranked = await model.rank(query, documents, { returnDocuments: true });
      assert.equal(ranked.map((r) => r.corpusId), results.map((r) => r.corpus_id), `rank order for ${query}`);
      ranked.forEach((r, i) => assert.ok(Math.abs(r.score - results[i]!.score) <= TOLERANCE, `score ${i} for ${query}`));
      assert.is(ranked[0]!.text, documents[ranked[0]!.corpusId]);
      const top = await model.rank(query, documents, { topK: 3 });
      assert.equal(top.map((r) => r.corpusId), results.slice(0, 3).map((r) => r.corpus_id));
    }
  } finally {
    await model.dispose();
  }
});

test('bad pairs are TypeErrors naming what is wrong', async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    for (const [input, pattern] of [[[['a', 1]], 'pairs[0]'], [[['a']], 'pairs[0]'], ['nope', 'pairs']] as const) {
      try {
        await model.predict(input as unknown as Array<[string, string]>);
        assert.unreachable('should reject');
      } catch (error) {
        assert.instance(error, TypeError);
        assert.match((error as Error).message, pattern);
      }
    }
  } finally {
    await model.dispose();
  }
});

test.run();
