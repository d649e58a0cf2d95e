// A Qwen3-shaped decoder embedding model (last-token pooling, <|endoftext|> appended by the
// post-processor, padding_side "left" in tokenizer_config.json) equal to Python
// sentence-transformers 6.0.1 on the same random weights (test/fixtures/tiny-qwen3.reference.json,
// made by test/tools/decoder_fixtures.py), through both ONNX exports: the one that computes
// positions inside the graph, and Optimum's shape that takes position_ids as an input, which we
// number 0..n-1 over each text's real tokens whatever the padding.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const QWEN3 = join(FIXTURES, 'tiny-qwen3');
const EXPORTS = ['onnx/model.onnx', 'onnx/model_position_ids.onnx'] as const;

interface Reference {
  max_seq_length: number;
  eos_id: number;
  texts: string[];
  input_ids: number[][];
  tokenize: { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
  embeddings: number[][];
  query_embeddings: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-qwen3.reference.json'), 'utf8')) as Reference;

function worst(rows: (i: number) => ArrayLike<number>, expected: number[][]): { diff: number; row: number } {
  let diff = 0;
  let row = -1;
  expected.forEach((values, i) => {
    const d = maxAbsDiff(rows(i), values);
    if (d > diff) [diff, row] = [d, i];
  });
  return { diff, row };
}

test('the reference is what the layout promises: <|endoftext|> last, texts truncated, left padding', () => {
  assert.ok(reference.input_ids.length > 50);
  assert.ok(reference.input_ids.every((ids) => ids[ids.length - 1] === reference.eos_id), 'EOS ends every text');
  assert.ok(reference.input_ids.some((ids) => ids.length === reference.max_seq_length), 'some text is truncated');
  const masks = reference.tokenize.attention_mask;
  assert.ok(masks.some((mask) => mask[0] === 0) && masks.every((mask) => mask[mask.length - 1] === 1), 'padded on the left');
});

for (const fileName of EXPORTS) {
  test(`${fileName}: last-token embeddings within ${TOLERANCE}, whatever the batching`, async () => {
    const model = await SentenceTransformer.fromPretrained(QWEN3, { fileName });
    // A token budget below the longest text: long texts run alone, short ones share batches.
    const budgeted = await SentenceTransformer.fromPretrained(QWEN3, { fileName, maxBatchTokens: 100 });
    try {
      assert.is(model.maxSeqLength, reference.max_seq_length);
      for (const [name, run] of [
        ['batchSize 1', () => model.encode(reference.texts, { batchSize: 1 })],
        ['batchSize 7', () => model.encode(reference.texts, { batchSize: 7 })],
        ['batchSize 64', () => model.encode(reference.texts, { batchSize: 64, })],
        ['token budget', () => budgeted.encode(reference.texts, { batchSize: 64 })],
      ] as const) {
        const embeddings = await run();
        assert.equal(embeddings.shape, [reference.embeddings.length, 32], name);
        const { diff, row } = worst((i) => embeddings.row(i), reference.embeddings);
        assert.ok(diff <= TOLERANCE, `${name}: max |diff| ${diff} at row ${row} (${JSON.stringify(reference.texts[row]?.slice(0, 60))})`);
      }
      const queries = await model.encodeQuery(reference.texts.slice(0, 8));
      const { diff, row } = worst((i) => queries.row(i), reference.query_embeddings);
      assert.ok(diff <= TOLERANCE, `encodeQuery (the instruction prompt): max |diff| ${diff} at row ${row}`);
      // Token embeddings: each text's real tokens only, whichever side the batch was padded on.
      const tokens = await model.encodeTokenEmbeddings(reference.texts, { batchSize: 9 });
      assert.equal(tokens.map((matrix) => matrix.rows), reference.input_ids.map((ids) => ids.length));
      const pooled = await model.encode(reference.texts, { batchSize: 9 });
      // The last real token of each text is what last-token pooling took (before Normalize).
      tokens.forEach((matrix, i) => {
        const last = matrix.row(matrix.rows - 1);
        const norm = Math.hypot(...last);
        assert.ok(maxAbsDiff(last.map((v) => v / norm), pooled.row(i)) <= 1e-5, `text ${i}: its last token row is its embedding`);
      });
    } finally {
      await model.dispose();
      await budgeted.dispose();
    }
  });
}

test('tokenize() pads on the left as tokenizer_config.json says, with Python\'s ids', async () => {
  const model = await SentenceTransformer.fromPretrained(QWEN3);
  try {
    const { inputIds, attentionMask, shape } = await model.tokenize(reference.tokenize.texts);
    const expected = reference.tokenize;
    assert.equal(shape, [expected.input_ids.length, expected.input_ids[0]!.length]);
    assert.equal([...inputIds], expected.input_ids.flat());
    assert.equal([...attentionMask], expected.attention_mask.flat());
  } finally {
    await model.dispose();
  }
});

test('padding side: tokenizer_config.json wins over tokenizer.json, which counts without it', async () => {
  const texts = reference.tokenize.texts;
  const expected = reference.tokenize;
  const rightPadded = expected.input_ids.map((ids, r) => {
    const real = ids.filter((_, t) => expected.attention_mask[r]![t] === 1);
    return [...real, ...Array<number>(ids.length - real.length).fill(reference.eos_id)];
  });
  const variants: Array<[string, (config: Record<string, unknown>, tokenizer: Record<string, unknown>) => void, number[][]]> = [
    // No padding_side in tokenizer_config.json: tokenizer.json's padding direction decides.
    ['tokenizer.json Left', (config, tokenizer) => {
      delete config.padding_side;
      tokenizer.padding = { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: null, pad_id: reference.eos_id, pad_type_id: 0, pad_token: '<|endoftext|>' };
    }, expected.input_ids],
    ['right over tokenizer.json Left', (config, tokenizer) => {
      config.padding_side = 'right';
      tokenizer.padding = { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: null, pad_id: reference.eos_id, pad_type_id: 0, pad_token: '<|endoftext|>' };
    }, rightPadded],
    ['neither', (config) => { delete config.padding_side; }, rightPadded],
  ];
  for (const [name, change, ids] of variants) {
    const copy = copyFixture(QWEN3);
    try {
      const configFile = join(copy.dir, 'tokenizer_config.json');
      const tokenizerFile = join(copy.dir, 'tokenizer.json');
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
      const tokenizer = JSON.parse(readFileSync(tokenizerFile, 'utf8')) as Record<string, unknown>;
      change(config, tokenizer);
      writeFileSync(configFile, JSON.stringify(config));
      writeFileSync(tokenizerFile, JSON.stringify(tokenizer));
      for (const fileName of EXPORTS) {
        const model = await SentenceTransformer.fromPretrained(copy.dir, { fileName });
        try {
          assert.equal([...(await model.tokenize(texts)).inputIds], ids.flat(), `${name}: tokenize() rows`);
          // Either side gives Python's embeddings: positions are numbered over the real tokens.
          const embeddings = await model.encode(reference.texts.slice(0, 20), { batchSize: 20 });
          const { diff } = worst((i) => embeddings.row(i), reference.embeddings.slice(0, 20));
          assert.ok(diff <= TOLERANCE, `${name}, ${fileName}: max |diff| ${diff}`);
        } finally {
          await model.dispose();
        }
      }
    } finally {
      copy.cleanup();
    }
  }
});

test('position_ids fed are 0..n-1 over each text\'s real tokens, on either padding side', async () => {
  // A probe graph whose one-wide output is the position id it was fed: a decoder with RoPE
  // cannot tell a shifted numbering from the right one, so the values are read back directly.
  const texts = ['a', 'a somewhat longer text to pad the others', 'mid length text', ...reference.texts.slice(0, 12)];
  for (const side of ['left', 'right']) {
    const copy = copyFixture(QWEN3);
    try {
      copyFileSync(join(FIXTURES, 'onnx-position-probe.onnx'), join(copy.dir, 'onnx', 'model.onnx'));
      const configFile = join(copy.dir, 'tokenizer_config.json');
      writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), padding_side: side }));
      const model = await SentenceTransformer.fromPretrained(copy.dir);
      try {
        const tokens = await model.encodeTokenEmbeddings(texts, { batchSize: 16 });
        assert.is(tokens.length, texts.length);
        const lengths = new Set(tokens.map((matrix) => matrix.rows));
        assert.ok(lengths.size >= 4, 'rows of different lengths share a batch');
        tokens.forEach((matrix, i) => {
          assert.equal([...matrix.data], Array.from({ length: matrix.rows }, (_, t) => t), `${side}: text ${i}`);
        });
      } finally {
        await model.dispose();
      }
    } finally {
      copy.cleanup();
    }
  }
});

test.run();
