// An MPNet bi-encoder in the all-mpnet-base-v2 shape (MPNetModel with relative attention
// buckets, <s>/</s> specials, mean pooling + Normalize, an ONNX graph with no token_type_ids
// input) equal to Python sentence-transformers 6.0.1 on the same random weights
// (test/fixtures/tiny-mpnet.reference.json, made by test/tools/mpnet_roberta_fixtures.py).
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const MPNET = join(FIXTURES, 'tiny-mpnet');

interface Reference {
  max_seq_length: number;
  texts: string[];
  input_ids: number[][];
  embeddings: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-mpnet.reference.json'), 'utf8')) as Reference;

test(`normalized mean embeddings: max |diff| ≤ ${TOLERANCE}, whatever the batching`, async () => {
  const model = await SentenceTransformer.fromPretrained(MPNET);
  // A token budget below the longest text: long texts run alone, short ones share batches.
  const budgeted = await SentenceTransformer.fromPretrained(MPNET, { maxBatchTokens: 100 });
  try {
    assert.is(model.maxSeqLength, reference.max_seq_length);
    for (const [name, run] of [
      ['batchSize 7', () => model.encode(reference.texts, { batchSize: 7 })],
      ['batchSize 1', () => model.encode(reference.texts, { batchSize: 1 })],
      ['token budget', () => budgeted.encode(reference.texts, { batchSize: 64 })],
    ] as const) {
      const embeddings = await run();
      assert.equal(embeddings.shape, [reference.embeddings.length, 32], name);
      let worst = 0;
      let worstRow = -1;
      reference.embeddings.forEach((row, i) => {
        const diff = maxAbsDiff(embeddings.row(i), row);
        if (diff > worst) [worst, worstRow] = [diff, i];
      });
      assert.ok(worst <= TOLERANCE, `${name}: max |diff| ${worst} at row ${worstRow} (${JSON.stringify(reference.texts[worstRow]?.slice(0, 60))})`);
    }
  } finally {
    await model.dispose();
    await budgeted.dispose();
  }
});

test('token embeddings: one row per token sentence-transformers feeds, truncated at max_seq_length', async () => {
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

test('bad input: TypeErrors for bad texts, ERR_RUNTIME (no crash) for ids the graph cannot embed', async () => {
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

test('a graph with an input the pipeline does not make is ERR_MODEL_LOAD naming it', async () => {
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

test.run();
