// What "equal to Python" means per model class and engine. ONNX Runtime runs float32 as Python
// does: 1e-5. The own engine at bf16x3 is fp32-accurate: twice the ONNX path's bar on
// embeddings (2e-5), 2e-4 where a fixture spreads its outputs (logits with std 0.5, SPLADE
// log1p sums). At int8 it is not float32, so the bar is agreement: cosine ≥ 0.999 per row,
// the same label for every pair, top entries mostly the same. Each check prints what it measured.
import * as assert from 'uvu/assert';

import { CrossEncoder, type Embeddings, type SparseEmbeddings, SparseEncoder, SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff, tinyBertWithPooling } from '../helpers/fixtures.js';
import { type Engine, engineOptions, fixtureDir, type ParityRow, readReference, rowName } from './matrix.js';

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const argmax = (row: ArrayLike<number>): number => Array.from(row).reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);

// ---- SentenceTransformer ------------------------------------------------------------------

/** Rows compared per engine: max |diff| for float32-accurate engines, cosine per row at int8. */
const EMBEDDINGS: Record<Engine, { maxAbs?: number; minCosine?: number }> = {
  onnx: { maxAbs: 1e-5 },
  'sentencekit-int8': { minCosine: 0.999 },
  'sentencekit-bf16x3': { maxAbs: 2e-5 },
};

function checkEmbeddings(row: ParityRow, engine: Engine, got: Embeddings, expected: number[][], what: string): number {
  assert.equal(got.shape, [expected.length, expected[0]?.length], `${what}: shape`);
  const bar = { ...EMBEDDINGS[engine], ...(row.tighter?.[engine] === undefined ? {} : { maxAbs: row.tighter[engine] }) };
  if (bar.minCosine !== undefined) {
    let worst = 1;
    expected.forEach((row, i) => {
      const similarity = cosine(got.row(i), row);
      assert.ok(similarity >= bar.minCosine!, `${what}: row ${i} cosine ${similarity}`);
      worst = Math.min(worst, similarity);
    });
    return worst;
  }
  let worst = 0;
  expected.forEach((row, i) => (worst = Math.max(worst, maxAbsDiff(got.row(i), row))));
  assert.ok(worst <= bar.maxAbs!, `${what}: max |diff| ${worst}`);
  return worst;
}

interface PooledReference {
  max_seq_length?: number;
  texts: string[];
  /** Per pooling mode, without (raw) and with normalize_embeddings, from a folder without its Normalize module. */
  embeddings: Record<string, { raw: number[][]; normalized: number[][] }>;
}
interface FolderReference {
  max_seq_length?: number;
  texts: string[];
  /** The folder's own output, as it is (its Normalize module included). */
  embeddings: number[][];
  /** Where the folder has a query prompt: encode_query on the first texts. */
  query_embeddings?: number[][];
}

// The folder as it is, and each pooling mode of a pooled reference (with and without
// normalize_embeddings), each under three batchings: batchSize 7, batchSize 1, and a token
// budget below the longest text (long texts run alone, short ones share batches).
async function sentenceOutputs(row: ParityRow, engine: Engine): Promise<string> {
  const reference = readReference<PooledReference | FolderReference>(row);
  const cases: Array<{ name: string; folder: () => { dir: string; cleanup(): void }; normalize: boolean; expected: number[][] }> = [];
  if (Array.isArray(reference.embeddings)) {
    cases.push({ name: 'folder', folder: () => ({ dir: fixtureDir(row), cleanup: () => undefined }), normalize: false, expected: reference.embeddings });
  } else {
    for (const [mode, outputs] of Object.entries(reference.embeddings)) {
      for (const normalize of [false, true]) {
        cases.push({ name: `${mode} ${normalize ? 'normalized' : 'raw'}`, folder: () => tinyBertWithPooling(mode, 'new', fixtureDir(row)), normalize, expected: outputs[normalize ? 'normalized' : 'raw'] });
      }
    }
  }
  let measured = engine === 'sentencekit-int8' ? 1 : 0;
  for (const { name, folder, normalize, expected } of cases) {
    const copy = folder();
    const model = await SentenceTransformer.fromPretrained(copy.dir, engineOptions(engine));
    const budgeted = await SentenceTransformer.fromPretrained(copy.dir, { ...engineOptions(engine), maxBatchTokens: 100, intraOpThreads: 2 });
    try {
      if (reference.max_seq_length !== undefined) assert.is(model.maxSeqLength, reference.max_seq_length, 'max_seq_length from the folder');
      for (const [batching, run] of [
        ['batchSize 7', () => model.encode(reference.texts, { batchSize: 7, normalizeEmbeddings: normalize })],
        ['batchSize 1', () => model.encode(reference.texts, { batchSize: 1, normalizeEmbeddings: normalize })],
        ['token budget', () => budgeted.encode(reference.texts, { batchSize: 64, normalizeEmbeddings: normalize })],
      ] as const) {
        const value = checkEmbeddings(row, engine, (await run()) as Embeddings, expected, `${name}, ${batching}`);
        measured = engine === 'sentencekit-int8' ? Math.min(measured, value) : Math.max(measured, value);
      }
      const queries = Array.isArray(reference.embeddings) ? (reference as FolderReference).query_embeddings : undefined;
      if (queries) {
        const asked = (await model.encodeQuery(reference.texts.slice(0, queries.length))) as Embeddings;
        checkEmbeddings(row, engine, asked, queries, 'encodeQuery');
        // The prompt changes the vectors: encodeQuery is not encode under another name.
        assert.ok(maxAbsDiff(asked.row(0), expected[0]!) > 1e-3, 'encodeQuery differs from encode');
      }
    } finally {
      await model.dispose();
      await budgeted.dispose();
      copy.cleanup();
    }
  }
  return engine === 'sentencekit-int8' ? `min cosine ${measured.toFixed(5)}` : `max |diff| ${measured.toExponential(2)}`;
}

// ---- CrossEncoder -------------------------------------------------------------------------

interface CrossReference {
  num_labels: number;
  pairs: Array<[string, string]>;
  logits: number[][];
  scores?: number[][];
  softmax?: number[][];
}

/**
 * Logits per engine, and the bar on probabilities (sigmoid or softmax). At int8 the fixture's
 * classifier spreads the logits with std 0.5, which magnifies the encoder's int8 noise (token
 * cosine to fp32 0.99999) into a mean |diff| about 0.02.
 */
const LOGITS: Record<Engine, { maxAbs?: number; int8?: { pearson: number; mean: number; max: number }; probabilities: number }> = {
  onnx: { maxAbs: 1e-5, probabilities: 1e-5 },
  'sentencekit-int8': { int8: { pearson: 0.995, mean: 0.03, max: 0.15 }, probabilities: 0.05 },
  'sentencekit-bf16x3': { maxAbs: 2e-4, probabilities: 1e-4 },
};

function checkLogits(row: ParityRow, engine: Engine, logits: Float32Array, expected: number[][], what: string): string {
  const bar = { ...LOGITS[engine], ...(row.tighter?.[engine] === undefined ? {} : { maxAbs: row.tighter[engine] }) };
  const flat = expected.flat();
  if (bar.int8 === undefined) {
    const diff = maxAbsDiff(logits, flat);
    assert.ok(diff <= bar.maxAbs!, `${what}: max |diff| ${diff}`);
    return `max |diff| ${diff.toExponential(2)}`;
  }
  const labels = expected[0]!.length;
  expected.forEach((row, i) => assert.is(argmax(logits.subarray(i * labels, (i + 1) * labels)), argmax(row), `${what}: pair ${i}: label`));
  let worst = 0;
  let total = 0;
  flat.forEach((value, k) => {
    const diff = Math.abs(logits[k]! - value);
    worst = Math.max(worst, diff);
    total += diff;
  });
  const mean = total / flat.length;
  const r = pearson(logits, flat);
  assert.ok(r >= bar.int8.pearson && mean <= bar.int8.mean && worst <= bar.int8.max, `${what}: Pearson ${r}, mean |diff| ${mean}, max ${worst}`);
  return `Pearson ${r.toFixed(5)}, mean |diff| ${mean.toFixed(4)}, max ${worst.toFixed(4)}`;
}

function checkProbabilities(engine: Engine, got: Float32Array, expected: number[][], what: string): void {
  const diff = maxAbsDiff(got, expected.flat());
  assert.ok(diff <= LOGITS[engine].probabilities, `${what}: max |diff| ${diff}`);
}

// Logits under three batch sizes, the default scores (sigmoid for one label, else the logits)
// and softmax where the reference has it.
async function crossOutputs(row: ParityRow, engine: Engine): Promise<string> {
  const reference = readReference<CrossReference>(row);
  const model = await CrossEncoder.fromPretrained(fixtureDir(row), engineOptions(engine));
  try {
    let measured = '';
    for (const batchSize of [1, 4, 32]) {
      measured = checkLogits(row, engine, await model.predict(reference.pairs, { activation: 'identity', batchSize }), reference.logits, `logits, batchSize ${batchSize}`);
    }
    if (reference.scores) {
      const scores = await model.predict(reference.pairs);
      if (reference.num_labels === 1) checkProbabilities(engine, scores, reference.scores, 'sigmoid scores');
      else checkLogits(row, engine, scores, reference.scores, 'default scores');
    }
    if (reference.softmax) checkProbabilities(engine, await model.predict(reference.pairs, { applySoftmax: true }), reference.softmax, 'softmax');
    return measured;
  } finally {
    await model.dispose();
  }
}

// ---- SparseEncoder ------------------------------------------------------------------------

interface SparseRow {
  indices: number[];
  values: number[];
}
interface SparseReference {
  texts: string[];
  embeddings: SparseRow[];
  /** Where the fixture has it: max_active_dims=8. */
  max_active_dims_8?: SparseRow[];
}

function sparseRow(embeddings: SparseEmbeddings, i: number): Map<number, number> {
  const row = new Map<number, number>();
  for (let k = embeddings.offsets[i]!; k < embeddings.offsets[i + 1]!; k++) row.set(embeddings.indices[k]!, embeddings.values[k]!);
  return row;
}

function sparseCosine(a: Map<number, number>, b: SparseRow): number {
  let dot = 0;
  let nb = 0;
  b.indices.forEach((index, k) => {
    dot += (a.get(index) ?? 0) * b.values[k]!;
    nb += b.values[k]! ** 2;
  });
  const na = [...a.values()].reduce((sum, v) => sum + v * v, 0);
  return dot / Math.sqrt(na * nb);
}

/**
 * float32-accurate engines: the same active dimensions (an entry within 1e-3 of zero may fall on
 * either side of ReLU's edge off ONNX Runtime) and values within `maxAbs`; int8: cosine per
 * text, and max_active_dims 8 keeping mostly the same entries.
 */
const SPARSE: Record<Engine, { maxAbs?: number; edge?: number; minCosine?: number; top8Overlap?: number }> = {
  onnx: { maxAbs: 1e-5 },
  'sentencekit-int8': { minCosine: 0.999, top8Overlap: 0.9 },
  'sentencekit-bf16x3': { maxAbs: 2e-4, edge: 1e-3 },
};

async function sparseOutputs(row: ParityRow, engine: Engine): Promise<string> {
  const reference = readReference<SparseReference>(row);
  const bar = SPARSE[engine];
  const model = await SparseEncoder.fromPretrained(fixtureDir(row), engineOptions(engine));
  try {
    const full = await model.encode(reference.texts);
    assert.is(full.offsets.length - 1, reference.texts.length, 'one sparse row per text');
    if (bar.minCosine !== undefined) {
      let worst = 1;
      reference.embeddings.forEach((expected, i) => (worst = Math.min(worst, sparseCosine(sparseRow(full, i), expected))));
      assert.ok(worst >= bar.minCosine, `min cosine ${worst}`);
      if (!reference.max_active_dims_8) return `min cosine ${worst.toFixed(5)}`;
      const top = await model.encode(reference.texts, { maxActiveDims: 8 });
      let shared = 0;
      reference.max_active_dims_8.forEach((expected, i) => {
        const ours = sparseRow(top, i);
        assert.ok(ours.size <= 8);
        shared += expected.indices.filter((index) => ours.has(index)).length;
      });
      const overlap = shared / (8 * reference.texts.length);
      assert.ok(overlap >= bar.top8Overlap!, `top-8 overlap ${overlap}`);
      return `min cosine ${worst.toFixed(5)}, top-8 overlap ${overlap.toFixed(3)}`;
    }
    let worst = 0;
    const edge = bar.edge ?? 0;
    const compare = (got: SparseEmbeddings, expected: SparseRow[], what: string): void => {
      expected.forEach((row, i) => {
        const ours = sparseRow(got, i);
        const theirs = new Map<number, number>(row.indices.map((index, k) => [index, row.values[k]!]));
        for (const [index, value] of theirs) if (value > edge) assert.ok(ours.has(index), `${what}: text ${i}: dimension ${index} missing`);
        for (const [index, value] of ours) if (value > edge) assert.ok(theirs.has(index), `${what}: text ${i}: extra dimension ${index} (${value})`);
        for (const index of new Set([...ours.keys(), ...theirs.keys()])) worst = Math.max(worst, Math.abs((ours.get(index) ?? 0) - (theirs.get(index) ?? 0)));
      });
    };
    compare(full, reference.embeddings, 'full');
    if (edge === 0 && reference.max_active_dims_8) compare(await model.encode(reference.texts, { maxActiveDims: 8 }), reference.max_active_dims_8, 'maxActiveDims 8');
    assert.ok(worst <= bar.maxAbs!, `max |diff| ${worst}`);
    return `max |diff| ${worst.toExponential(2)}`;
  } finally {
    await model.dispose();
  }
}

/** Runs the row's outputs on `engine` against Python; returns what it measured, for the log. */
export function checkOutputs(row: ParityRow, engine: Engine): Promise<string> {
  switch (row.modelClass) {
    case 'SentenceTransformer':
      return sentenceOutputs(row, engine);
    case 'CrossEncoder':
      return crossOutputs(row, engine);
    case 'SparseEncoder':
      return sparseOutputs(row, engine);
  }
}

// ---- Lanes and batching (own engines) -----------------------------------------------------

/** Flat outputs of one call: embeddings, logits, or sparse indices then values. */
async function outputsOf(row: ParityRow, model: SentenceTransformer | CrossEncoder | SparseEncoder, batchSize: number, first?: number): Promise<number[]> {
  if (model instanceof CrossEncoder) {
    const { pairs } = readReference<CrossReference>(row);
    return Array.from(await model.predict(first === undefined ? pairs : pairs.slice(first, first + 1), { activation: 'identity', batchSize }));
  }
  const { texts } = readReference<{ texts: string[] }>(row);
  const chosen = first === undefined ? texts : texts.slice(first, first + 1);
  if (model instanceof SparseEncoder) {
    const sparse = await model.encode(chosen, { batchSize });
    return [...Array.from(sparse.indices), ...Array.from(sparse.values)];
  }
  return Array.from(((await model.encode(chosen, { batchSize })) as Embeddings).data);
}

/**
 * One lane against three lanes with a small token budget (SentenceTransformer) or other batch
 * sizes: not one bit changes, and a text alone gives its row in a batch.
 */
export async function checkLanes(row: ParityRow, engine: Engine): Promise<void> {
  const load = (extra: object): Promise<SentenceTransformer | CrossEncoder | SparseEncoder> => {
    const options = { ...engineOptions(engine), ...extra };
    if (row.modelClass === 'CrossEncoder') return CrossEncoder.fromPretrained(fixtureDir(row), options);
    if (row.modelClass === 'SparseEncoder') return SparseEncoder.fromPretrained(fixtureDir(row), options);
    return SentenceTransformer.fromPretrained(fixtureDir(row), options);
  };
  const one = await load({ intraOpThreads: 1 });
  const three = await load({ intraOpThreads: 3, ...(row.modelClass === 'SentenceTransformer' ? { maxBatchTokens: 40 } : {}) });
  try {
    const a = await outputsOf(row, one, 1);
    const b = await outputsOf(row, three, 64);
    assert.equal(a, b, `${rowName(row, engine)}: one lane, batchSize 1 against three lanes, batchSize 64`);
    const total = row.modelClass === 'CrossEncoder' ? readReference<CrossReference>(row).pairs.length : readReference<{ texts: string[] }>(row).texts.length;
    const which = Math.min(3, total - 1);
    const alone = await outputsOf(row, one, 32, which);
    if (row.modelClass === 'SparseEncoder') {
      const sparse = await (one as SparseEncoder).encode(readReference<{ texts: string[] }>(row).texts);
      assert.equal(alone.slice(alone.length / 2), Array.from(sparse.values.subarray(sparse.offsets[which]!, sparse.offsets[which + 1]!)), 'a text alone gives its row');
    } else {
      // Dense outputs are rows of one width.
      const width = b.length / total;
      assert.equal(alone, b.slice(which * width, (which + 1) * width), 'a text alone gives its row in a batch');
    }
  } finally {
    await one.dispose();
    await three.dispose();
  }
}
