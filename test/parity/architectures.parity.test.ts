// Architecture-specific behaviour beyond outputs (which the parity table checks, matrix.ts): an
// MPNet bi-encoder in the all-mpnet-base-v2 shape (MPNetModel with relative attention buckets,
// <s>/</s> specials, mean pooling + Normalize, an ONNX graph with no token_type_ids input;
// test/fixtures/tiny-mpnet) and a DistilRoBERTa cross-encoder in the
// cross-encoder/stsb-distilroberta-base shape (RobertaForSequenceClassification, one label,
// byte-level BPE, pairs as <s> A </s></s> B </s>, no token_type_ids input;
// test/fixtures/tiny-ce-roberta), both made by test/tools/mpnet_roberta_fixtures.py with Python
// sentence-transformers 6.0.1's outputs beside them.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const MPNET = join(FIXTURES, 'tiny-mpnet');
const ROBERTA = join(FIXTURES, 'tiny-ce-roberta');

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-mpnet.reference.json'), 'utf8')) as {
  max_seq_length: number;
  texts: string[];
  input_ids: number[][];
};
const roberta = JSON.parse(readFileSync(join(FIXTURES, 'tiny-ce-roberta.reference.json'), 'utf8')) as {
  max_length: number;
  pairs: Array<[string, string]>;
  input_ids: number[][];
  rank: Array<{ query: string; documents: string[]; results: Array<{ corpus_id: number; score: number }> }>;
};

test('MPNet token embeddings: one row per token sentence-transformers feeds, truncated at max_seq_length', async () => {
  const model = await SentenceTransformer.fromPretrained(MPNET);
  try {
    const tokens = await model.encodeTokenEmbeddings(reference.texts, { batchSize: 16 });
    assert.ok(reference.texts.length > 0, 'the reference has texts');
    assert.is(tokens.length, reference.texts.length, 'one matrix per text');
    tokens.forEach((matrix, i) => assert.equal(matrix.shape, [reference.input_ids[i]!.length, 32], `text ${i}`));
    assert.ok(reference.input_ids.some((ids) => ids.length === reference.max_seq_length), 'some text is truncated');
  } finally {
    await model.dispose();
  }
});

test('MPNet bad input: TypeErrors for bad texts, ERR_RUNTIME (no crash) for ids the graph cannot embed', async () => {
  const model = await SentenceTransformer.fromPretrained(MPNET);
  try {
    for (const input of [42, ['ok', 7], undefined]) {
      try {
        await model.encode(input as unknown as string[]);
        assert.unreachable('should reject');
      } catch (error) {
        assert.instance(error, TypeError);
      }
    }
  } finally {
    await model.dispose();
  }
  // A tokenizer whose ids run past the graph's vocabulary (MPNet's 30,527 pieces into the
  // 6,001-piece RoBERTa graph): ONNX Runtime refuses the gather, and the run rejects with a
  // typed error instead of reading out of bounds or taking the process down.
  const mismatched = copyFixture(MPNET);
  copyFileSync(join(FIXTURES, 'tiny-ce-roberta', 'onnx', 'model.onnx'), join(mismatched.dir, 'onnx', 'model.onnx'));
  const broken = await SentenceTransformer.fromPretrained(mismatched.dir);
  try {
    await broken.encode(['zebra xylophone quantum']);
    assert.unreachable('should reject');
  } catch (error) {
    assert.instance(error, SentenceKitError);
    assert.is((error as SentenceKitError).code, 'ERR_RUNTIME');
    assert.match((error as Error).message, 'out of data bounds');
  } finally {
    await broken.dispose();
    mismatched.cleanup();
  }
});

test('MPNet: a graph with an input the pipeline does not make is ERR_MODEL_LOAD naming it', async () => {
  // The graph's own input names decide what is fed (token_type_ids and position_ids only where
  // declared); anything else, such as a text-generation export's KV cache, is refused at load
  // instead of failing on every run.
  const copy = copyFixture(MPNET);
  copyFileSync(join(FIXTURES, 'onnx-past-key-values.onnx'), join(copy.dir, 'onnx', 'model.onnx'));
  try {
    await SentenceTransformer.fromPretrained(copy.dir);
    assert.unreachable('should reject');
  } catch (error) {
    assert.instance(error, SentenceKitError);
    assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
    assert.match((error as Error).message, "'past_key_values.0.key'");
  } finally {
    copy.cleanup();
  }
});

test('RoBERTa cross-encoder the folder: one label, sigmoid by default, max length from the tokenizer config', async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    assert.is(model.numLabels, 1);
    assert.is(model.activation, 'sigmoid');
    assert.is(model.maxLength, roberta.max_length);
    // The reference covers pairs that longest_first truncation has to cut.
    assert.ok(roberta.input_ids.some((ids) => ids.length === roberta.max_length), 'some pair is truncated');
  } finally {
    await model.dispose();
  }
});

test('RoBERTa cross-encoder rank: the same order and scores as CrossEncoder.rank', async () => {
  const model = await CrossEncoder.fromPretrained(ROBERTA);
  try {
    for (const { query, documents, results } of roberta.rank) {
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

test('RoBERTa cross-encoder: bad pairs are TypeErrors naming what is wrong', async () => {
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
