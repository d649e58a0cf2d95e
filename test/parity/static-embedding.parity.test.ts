// StaticEmbedding models (a tokenizer and an embedding table, no transformer) load with
// SentenceTransformer.fromPretrained in the three layouts real models ship and encode as
// Python sentence-transformers 6.0.1 does (test/tools/static_embedding_fixtures.py): as is,
// with truncate_dim (Matryoshka), normalized, with the query prompt, quantized.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { quantizeEmbeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { rejectsError, throwsError } from '../helpers/errors.js';
import { copyFixture, FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

interface ModelReference {
  dimension: number;
  dtype: string;
  truncate_dim: number;
  token_counts: number[];
  input_ids: number[];
  offsets: number[];
  decoded: string[];
  cases: Record<string, Array<number[] | null>>;
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'static-embedding.reference.json'), 'utf8')) as {
  texts: string[];
  models: Record<string, ModelReference>;
};
const { texts } = reference;
// Also for the float16 and bfloat16 tables: sentencekit rounds where PyTorch's arithmetic in
// them rounds (native/pipeline/static_half.h).
const EXACT = 1e-6;
const MODELS = ['static-bert', 'static-xlmr-m2v', 'static-roberta-mrl', 'static-bert-dense-bin', 'static-bert-bf16'];
// A Dense module maps an empty text's zero mean to its activation of the bias.
const WITH_DENSE = new Set(['static-bert-dense-bin']);

/** Max |diff| over the rows Python gives numbers for; null rows (NaN in Python) are checked by the caller. */
function diff(data: Float32Array, rows: Array<number[] | null>, width: number): number {
  let worst = 0;
  rows.forEach((row, i) => {
    if (row !== null) worst = Math.max(worst, maxAbsDiff(data.subarray(i * width, (i + 1) * width), row));
  });
  return worst;
}

for (const name of MODELS) {
  test(`${name}: encode, truncateDim and normalizeEmbeddings match sentence-transformers`, async () => {
    const expected = reference.models[name] as ModelReference;
    const model = await SentenceTransformer.fromPretrained(join(FIXTURES, name));
    try {
      assert.is(model.dimension, expected.dimension);
      assert.is(model.maxSeqLength, Infinity);
      const limit = EXACT;
      const plain = await model.encode(texts, { batchSize: 5 });
      assert.equal(plain.shape, [texts.length, expected.dimension]);
      const plainDiff = diff(plain.data, expected.cases.default as Array<number[] | null>, expected.dimension);
      assert.ok(plainDiff <= limit, `default: max |diff| ${plainDiff}`);

      const truncated = await model.encode(texts, { truncateDim: expected.truncate_dim });
      assert.equal(truncated.shape, [texts.length, expected.truncate_dim]);
      const truncatedDiff = diff(truncated.data, expected.cases.truncate as Array<number[] | null>, expected.truncate_dim);
      assert.ok(truncatedDiff <= limit, `truncate: max |diff| ${truncatedDiff}`);

      const normalized = await model.encode(texts, { truncateDim: expected.truncate_dim, normalizeEmbeddings: true });
      const rows = expected.cases.truncate_normalized as Array<number[] | null>;
      const normalizedDiff = diff(normalized.data, rows, expected.truncate_dim);
      assert.ok(normalizedDiff <= limit, `truncate_normalized: max |diff| ${normalizedDiff}`);
      // An empty text is a zero row, and stays one when normalized (Python's float16 model
      // gives NaN there: its 1e-12 epsilon is 0 in float16).
      texts.forEach((text, i) => {
        if (expected.token_counts[i] !== 0 || WITH_DENSE.has(name)) return;
        const row = normalized.row(i);
        assert.ok(row.every((value) => value === 0), `text ${i} (${JSON.stringify(text)}) has no tokens, so a zero row`);
        if (rows[i] === null) assert.is(expected.dtype, 'float16');
      });
    } finally {
      await model.dispose();
    }
  });
}

test('static-bert: encodeQuery uses the model\'s query prompt; encodeDocument its empty one', async () => {
  const expected = reference.models['static-bert'] as ModelReference;
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'static-bert'));
  try {
    const query = await model.encodeQuery(texts);
    const queryDiff = diff(query.data, expected.cases.query as Array<number[] | null>, expected.dimension);
    assert.ok(queryDiff <= EXACT, `query: max |diff| ${queryDiff}`);
    const document = await model.encodeDocument(texts);
    const documentDiff = diff(document.data, expected.cases.default as Array<number[] | null>, expected.dimension);
    assert.ok(documentDiff <= EXACT, `document: max |diff| ${documentDiff}`);
    // A query prompt changes every row that differs from the prompt alone.
    assert.ok(maxAbsDiff(query.data, document.data) > 0.01);
  } finally {
    await model.dispose();
  }
});

test('static models: truncateDim at load, similarity, precision and concurrent callers', async () => {
  const expected = reference.models['static-xlmr-m2v'] as ModelReference;
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'static-xlmr-m2v'), { truncateDim: expected.truncate_dim });
  try {
    assert.is(model.dimension, expected.truncate_dim);
    assert.is(model.similarityFnName, 'cosine');
    // Many concurrent single-text callers merge into shared runs; each gets its own row.
    const rows = await Promise.all(texts.map((text) => model.encode(text)));
    rows.forEach((row, i) => {
      const want = expected.cases.truncate?.[i] as number[];
      assert.ok(maxAbsDiff(row.data, want) <= EXACT, `caller ${i}`);
    });
    // More texts than one parallel task holds, in order.
    const many = Array.from({ length: 30 }, () => texts).flat();
    const encoded = await model.encode(many);
    const manyDiff = diff(encoded.data, Array.from({ length: 30 }, () => expected.cases.truncate as number[][]).flat(), expected.truncate_dim);
    assert.ok(manyDiff <= EXACT, `many: max |diff| ${manyDiff}`);
    const int8 = await model.encode(texts, { precision: 'int8' });
    const float = await model.encode(texts);
    assert.equal(Array.from(int8.data), Array.from(quantizeEmbeddings(float, 'int8').data));
    const scores = model.similarity(float, float);
    assert.equal(scores.shape, [texts.length, texts.length]);
    assert.ok(Math.abs((scores.row(0)[0] as number) - 1) < 1e-5);
  } finally {
    await model.dispose();
  }
});

for (const name of MODELS) {
  test(`${name}: tokenize() holds model.tokenize()'s ids, decodeIds() gives decode_batch's texts`, async () => {
    const expected = reference.models[name] as ModelReference;
    const model = await SentenceTransformer.fromPretrained(join(FIXTURES, name));
    try {
      const { inputIds, attentionMask, shape, tokenTypeIds } = await model.tokenize(texts);
      assert.is(tokenTypeIds, undefined);
      const [rows, length] = shape;
      assert.is(rows, texts.length);
      const flat: number[] = [];
      const starts: number[] = [];
      const perText: Int32Array[] = [];
      for (let r = 0; r < rows; r += 1) {
        starts.push(flat.length);
        const ids: number[] = [];
        for (let c = r * length; c < (r + 1) * length; c += 1) if (attentionMask[c] === 1) ids.push(inputIds[c] as number);
        flat.push(...ids);
        perText.push(Int32Array.from(ids));
      }
      assert.equal(flat, expected.input_ids);
      assert.equal(starts, expected.offsets);
      assert.equal(await model.decodeIds(perText, true), expected.decoded);
    } finally {
      await model.dispose();
    }
  });
}

test('static models: token embeddings, maxSeqLength and device cuda are refused clearly', async () => {
  await rejectsError(SentenceTransformer.fromPretrained(join(FIXTURES, 'static-bert'), { maxSeqLength: 16 }), TypeError, /max_seq_length/);
  await rejectsError(SentenceTransformer.fromPretrained(join(FIXTURES, 'static-bert'), { device: 'cuda' }), SentenceKitError, /StaticEmbedding model runs on the CPU/);
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'static-bert'), { device: 'auto' });
  try {
    assert.is(model.device, 'cpu');
    assert.match(model.deviceFallbackReason ?? '', /StaticEmbedding/);
    throwsError(() => { model.maxSeqLength = 16; }, TypeError, /max_seq_length/);
    await rejectsError(model.encodeTokenEmbeddings(['hello']), SentenceKitError, /no token embeddings/);
  } finally {
    await model.dispose();
  }
  await rejectsError(model.encode('hello'), SentenceKitError, /disposed/);
});

test('static models: a module after Normalize, a missing table and an integer table are ERR_MODEL_LOAD', async () => {
  const copy = copyFixture(join(FIXTURES, 'static-bert'));
  try {
    const modules = JSON.parse(readFileSync(join(copy.dir, 'modules.json'), 'utf8')) as object[];
    writeFileSync(join(copy.dir, 'modules.json'), JSON.stringify([...modules, { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' }]));
    await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, /Dense.*follows Normalize/);
    writeFileSync(join(copy.dir, 'modules.json'), JSON.stringify([...modules, { idx: 2, name: '2', path: '2_Pooling', type: 'sentence_transformers.models.Pooling' }]));
    await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, /Pooling.*not supported yet/);
    writeFileSync(join(copy.dir, 'modules.json'), JSON.stringify(modules));
    // An int8 table, as model2vec's quantized models store: nn.EmbeddingBag cannot average it either.
    const header = Buffer.from(JSON.stringify({ embeddings: { dtype: 'I8', shape: [30522, 2], data_offsets: [0, 61044] } }));
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(copy.dir, 'model.safetensors'), Buffer.concat([size, header, Buffer.alloc(61044)]));
    await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, /dtype I8/);
    rmSync(join(copy.dir, 'model.safetensors'));
    await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, /model\.safetensors not found/);
    // pytorch_model.bin in its place, without the table's tensor.
    writeFileSync(join(copy.dir, 'pytorch_model.bin'), readFileSync(join(FIXTURES, 'static-bert-dense-bin', '1_Dense', 'pytorch_model.bin')));
    await rejectsError(SentenceTransformer.fromPretrained(copy.dir), SentenceKitError, /no tensor 'embedding\.weight'/);
  } finally {
    copy.cleanup();
  }
});

test.run();
