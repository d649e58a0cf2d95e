// Length limits and dimensions as Python sentence-transformers 6.0.1 applies them, against
// test/fixtures/length-limits.reference.json (test/tools/length_limit_fixtures.py): long texts
// at max_seq_length 128 and 512, set at load and after it; long pairs truncated longest_first
// at CrossEncoder max_length 128 and 512; SPLADE at both; truncate_dim given at load; and a
// limit past the model's 512 positions (Python encodes what fits and fails on what does not).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, SentenceKitError, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { rejectsError, throwsError } from '../helpers/errors.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const CE_LONG = join(FIXTURES, 'tiny-ce-long');
const SPLADE = join(FIXTURES, 'tiny-splade');

interface PastPositions {
  max_seq_length: number;
  fits: { text: string | string[]; output: number[][] };
  too_long: { text: string | string[]; raises: string };
}

interface Reference {
  positions: number;
  texts: string[];
  sentence_transformer: {
    loaded_max_seq_length: number;
    by_length: Record<string, { token_counts: number[]; embeddings: number[][] }>;
    truncate_dim: { truncate_dim: number; embedding_dimension: number; embeddings: number[][] };
    past_positions: PastPositions;
    truncation_left: { embeddings: number[][] };
  };
  cross_encoder: {
    pairs: Array<[string, string]>;
    loaded_max_length: number;
    by_max_length: Record<string, { input_ids: number[][]; logits: number[][] }>;
    past_positions: PastPositions;
    truncation_left_128: { input_ids: number[][]; logits: number[][] };
  };
  sparse_encoder: {
    loaded_max_seq_length: number;
    max_active_dims: number;
    by_length: Record<string, { token_counts: number[]; embeddings: Array<{ indices: number[]; values: number[] }> }>;
  };
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'length-limits.reference.json'), 'utf8')) as Reference;
const st = reference.sentence_transformer;
const ce = reference.cross_encoder;

/** Worst |diff| over every row, with the row it is on. */
function worstRow(rows: (i: number) => ArrayLike<number>, expected: number[][]): { worst: number; row: number } {
  let worst = 0;
  let row = -1;
  expected.forEach((values, i) => {
    const diff = maxAbsDiff(rows(i), values);
    if (diff > worst) [worst, row] = [diff, i];
  });
  return { worst, row };
}

function assertRows(rows: (i: number) => ArrayLike<number>, expected: number[][], what: string): void {
  assert.ok(expected.length > 0, `${what}: the reference has rows`);
  const { worst, row } = worstRow(rows, expected);
  assert.ok(worst <= TOLERANCE, `${what}: max |diff| ${worst} at row ${row}`);
}

test('the reference truncates: texts and pairs past 128 and past 512 tokens', () => {
  assert.is(st.loaded_max_seq_length, 128);
  assert.ok(st.by_length['128']!.token_counts.filter((n) => n === 128).length >= 4, 'texts truncated at 128');
  assert.ok(st.by_length['512']!.token_counts.filter((n) => n === 512).length >= 3, 'texts truncated at 512');
  assert.ok(st.by_length['512']!.token_counts.some((n) => n > 128 && n < 512), 'a text between the limits');
  for (const length of ['128', '512']) {
    const ids = ce.by_max_length[length]!.input_ids;
    assert.is(ids.length, ce.pairs.length);
    assert.ok(ids.filter((row) => row.length === Number(length)).length >= 8, `pairs truncated at ${length}`);
  }
});

test('SentenceTransformer: maxSeqLength 128 as loaded, 512 set after loading or given at load', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  const atLoad = await SentenceTransformer.fromPretrained(TINY_BERT, { maxSeqLength: 512 });
  try {
    assert.is(model.maxSeqLength, st.loaded_max_seq_length);
    const at128 = await model.encode(reference.texts, { batchSize: 3 });
    assertRows((i) => at128.row(i), st.by_length['128']!.embeddings, 'loaded (128)');

    model.maxSeqLength = 512;
    assert.is(model.maxSeqLength, 512);
    const at512 = await model.encode(reference.texts, { batchSize: 3 });
    assertRows((i) => at512.row(i), st.by_length['512']!.embeddings, 'set to 512');
    const features = await model.tokenize(reference.texts);
    assert.is(features.shape[1], 512, 'tokenize() truncates at the new limit');

    assert.is(atLoad.maxSeqLength, 512);
    const loaded512 = await atLoad.encode(reference.texts, { batchSize: 5 });
    assertRows((i) => loaded512.row(i), st.by_length['512']!.embeddings, 'maxSeqLength 512 at load');

    // Token embeddings follow the limit too: one row per token Python feeds.
    const tokens = await model.encodeTokenEmbeddings(reference.texts);
    assert.equal(tokens.map((m) => m.rows), st.by_length['512']!.token_counts);
    atLoad.maxSeqLength = 128;
    const back = await atLoad.encode(reference.texts);
    assertRows((i) => back.row(i), st.by_length['128']!.embeddings, 'set back to 128');
  } finally {
    await model.dispose();
    await atLoad.dispose();
  }
});

test('SentenceTransformer: a limit set between two concurrent calls applies to the later one only', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const first = model.encode(reference.texts);
    model.maxSeqLength = 512;
    const second = model.encode(reference.texts);
    const [a, b] = await Promise.all([first, second]);
    assertRows((i) => a.row(i), st.by_length['128']!.embeddings, 'the call made at 128');
    assertRows((i) => b.row(i), st.by_length['512']!.embeddings, 'the call made at 512');
  } finally {
    await model.dispose();
  }
});

test('SentenceTransformer: truncateDim at load, as SentenceTransformer(path, truncate_dim=16)', async () => {
  const { truncate_dim: dims } = st;
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { truncateDim: dims.truncate_dim });
  try {
    assert.is(model.truncateDim, dims.truncate_dim);
    assert.is(model.dimension, dims.embedding_dimension);
    const embeddings = await model.encode(reference.texts);
    assert.equal(embeddings.shape, [reference.texts.length, dims.truncate_dim]);
    assertRows((i) => embeddings.row(i), dims.embeddings, 'truncate_dim 16');
    // encode()'s own truncateDim wins, as in Python.
    const eight = await model.encode(reference.texts, { truncateDim: 8 });
    assert.equal(eight.shape, [reference.texts.length, 8]);
    assertRows((i) => eight.row(i), dims.embeddings.map((row) => row.slice(0, 8)), 'encode() truncateDim 8');
    model.truncateDim = null;
    assert.is(model.dimension, 32);
    assert.is((await model.encode('x')).dimension, 32);
    throwsError(() => { model.truncateDim = 0; }, RangeError, /truncateDim/);
  } finally {
    await model.dispose();
  }
});

test('a limit past the model\'s 512 positions: what fits encodes, a longer text is a typed error', async () => {
  const past = st.past_positions;
  for (const cpuEngine of ['onnxruntime', 'bf16x3'] as const) {
    const model = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine, maxSeqLength: past.max_seq_length });
    try {
      const fits = await model.encode(past.fits.text as string);
      assert.ok(maxAbsDiff(fits.row(0), past.fits.output[0]!) <= TOLERANCE, `${cpuEngine}: the short text encodes as in Python`);
      // Python raises (torch's position lookup); we reject with our own error, the process lives on.
      assert.ok(past.too_long.raises.length > 0);
      await rejectsError(model.encode(past.too_long.text as string), SentenceKitError, /position|broadcast|dimension|bounds/i, cpuEngine);
      assert.is((await model.encode(['still fine'])).rows, 1, `${cpuEngine}: the model still works`);
    } finally {
      await model.dispose();
    }
  }
});

test('setters and options validate like every other option', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    throwsError(() => { model.maxSeqLength = 0; }, RangeError, /maxSeqLength/);
    throwsError(() => { (model as unknown as { maxSeqLength: unknown }).maxSeqLength = '256'; }, TypeError, /maxSeqLength/);
    assert.is(model.maxSeqLength, 128, 'a refused value changes nothing');
  } finally {
    await model.dispose();
  }
  await rejectsError(SentenceTransformer.fromPretrained(TINY_BERT, { truncate_dim: 8 } as never), TypeError, /did you mean 'truncateDim'/);
  await rejectsError(SentenceTransformer.fromPretrained(TINY_BERT, { truncateDim: -1 }), RangeError, /truncateDim/);
  await rejectsError(CrossEncoder.fromPretrained(CE_LONG, { max_length: 128 } as never), TypeError, /did you mean 'maxLength'/);
  await rejectsError(CrossEncoder.fromPretrained(CE_LONG, { maxLength: 128, maxSeqLength: 256 }), TypeError, /give one/);
  await rejectsError(SparseEncoder.fromPretrained(SPLADE, { truncateDim: 8 } as never), TypeError, /unknown option 'truncateDim'/);
});

test('CrossEncoder: maxLength 128 and 512 at load and set after, long pairs truncated longest_first', async () => {
  assert.is(ce.loaded_max_length, reference.positions);
  for (const length of ['128', '512']) {
    const model = await CrossEncoder.fromPretrained(CE_LONG, { maxLength: Number(length) });
    try {
      assert.is(model.maxLength, Number(length));
      assert.is(model.maxSeqLength, Number(length));
      const logits = await model.predict(ce.pairs, { activation: 'identity', batchSize: 3 });
      assert.is(logits.length, ce.pairs.length);
      assertRows((i) => [logits[i] as number], ce.by_max_length[length]!.logits, `max_length ${length}`);
    } finally {
      await model.dispose();
    }
  }
  const model = await CrossEncoder.fromPretrained(CE_LONG, { maxSeqLength: 512 });
  try {
    model.maxLength = 128;
    const at128 = await model.predict(ce.pairs, { activation: 'identity' });
    assertRows((i) => [at128[i] as number], ce.by_max_length['128']!.logits, 'maxLength set to 128');
    model.maxSeqLength = 512;
    assert.is(model.maxLength, 512);
    const at512 = await model.predict(ce.pairs, { activation: 'identity' });
    assertRows((i) => [at512[i] as number], ce.by_max_length['512']!.logits, 'maxSeqLength set to 512');
    throwsError(() => { model.maxLength = 1.5; }, TypeError, /maxLength/);
  } finally {
    await model.dispose();
  }
});

test('CrossEncoder: a limit past the positions scores what fits and rejects a pair that does not', async () => {
  const past = ce.past_positions;
  const model = await CrossEncoder.fromPretrained(CE_LONG);
  try {
    model.maxLength = past.max_seq_length;
    const fits = await model.predict(past.fits.text as [string, string], { activation: 'identity' });
    assert.ok(maxAbsDiff(fits, past.fits.output[0]!) <= TOLERANCE, 'the short pair scores as in Python');
    await rejectsError(model.predict(past.too_long.text as [string, string]), SentenceKitError);
    assert.is((await model.predict(['a', 'b'])).length, 1, 'the model still works');
  } finally {
    await model.dispose();
  }
});

/** A copy of `source` whose tokenizer truncates on the left: in tokenizer_config.json, or (`where` 'tokenizer.json') in tokenizer.json alone. */
function truncatingLeft(source: string, where: 'tokenizer_config.json' | 'tokenizer.json'): { dir: string; cleanup(): void } {
  const copy = copyFixture(source);
  const edit = (name: string, change: (json: Record<string, unknown>) => void): void => {
    const file = join(copy.dir, name);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(json);
    writeFileSync(file, JSON.stringify(json));
  };
  edit('tokenizer_config.json', (json) => {
    if (where === 'tokenizer_config.json') json.truncation_side = 'left';
    else delete json.truncation_side;  // tiny-bert's says "right", which would win
  });
  if (where === 'tokenizer.json') edit('tokenizer.json', (json) => { json.truncation = { direction: 'Left', max_length: 512, strategy: 'LongestFirst', stride: 0 }; });
  return copy;
}

test('truncation_side "left" (tokenizer_config.json, else tokenizer.json) drops the start of long texts and pairs', async () => {
  for (const where of ['tokenizer_config.json', 'tokenizer.json'] as const) {
    const copy = truncatingLeft(TINY_BERT, where);
    try {
      const model = await SentenceTransformer.fromPretrained(copy.dir);
      try {
        const embeddings = await model.encode(reference.texts, { batchSize: 3 });
        assertRows((i) => embeddings.row(i), st.truncation_left.embeddings, `SentenceTransformer, ${where}`);
        // tokenize() keeps the ends of long texts: the [SEP] and the words before it.
        const long = reference.texts[4] as string;
        const { inputIds } = await model.tokenize([long]);
        const right = await SentenceTransformer.fromPretrained(TINY_BERT);
        try {
          assert.not.equal([...inputIds], [...(await right.tokenize([long])).inputIds], 'left and right truncation differ');
        } finally {
          await right.dispose();
        }
      } finally {
        await model.dispose();
      }
    } finally {
      copy.cleanup();
    }
  }
  const copy = truncatingLeft(CE_LONG, 'tokenizer_config.json');
  try {
    const model = await CrossEncoder.fromPretrained(copy.dir, { maxLength: 128 });
    try {
      const logits = await model.predict(ce.pairs, { activation: 'identity', batchSize: 4 });
      assertRows((i) => [logits[i] as number], ce.truncation_left_128.logits, 'CrossEncoder pairs, left');
      const right = ce.by_max_length['128']!.logits;
      assert.ok(right.some((row, i) => Math.abs((row[0] as number) - (logits[i] as number)) > 1e-3), 'left truncation changes long pairs');
    } finally {
      await model.dispose();
    }
  } finally {
    copy.cleanup();
  }
});

test('SparseEncoder: maxSeqLength 128 as loaded and 512 set after loading', async () => {
  const sparse = reference.sparse_encoder;
  const model = await SparseEncoder.fromPretrained(SPLADE);
  try {
    assert.is(model.maxSeqLength, sparse.loaded_max_seq_length);
    for (const length of ['128', '512']) {
      model.maxSeqLength = Number(length);
      const rows = await model.encode(reference.texts, { maxActiveDims: sparse.max_active_dims, batchSize: 3 });
      const expected = sparse.by_length[length]!.embeddings;
      assert.is(rows.rows, expected.length);
      expected.forEach((row, i) => {
        const ours = rows.row(i);
        assert.equal([...ours.indices], row.indices, `${length}: row ${i} keeps the same dimensions`);
        assert.ok(maxAbsDiff(ours.values, row.values) <= TOLERANCE, `${length}: row ${i} weights`);
      });
    }
  } finally {
    await model.dispose();
  }
});

test.run();
