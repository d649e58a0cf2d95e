// sentencekit's own CPU engine on the architectures added in issue 22 (DistilBERT, ModernBERT with
// global and sliding-window layers), at both precisions, in the model classes they serve
// (SentenceTransformer, CrossEncoder; SparseEncoder for DistilBERT's masked-LM head), against
// Python sentence-transformers 6.0.1's float32 outputs on the same random weights
// (test/tools/distilbert_modernbert_fixtures.py). bf16x3 is fp32-accurate: ≤ 1e-5 on normalized
// embeddings; int8 is judged by cosine to the float32 vectors (≥ 0.999) and by logits within a
// looser bound. Each test prints what it measured; the levels suite runs this file again at every
// CPU level below this CPU's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, type Embeddings, SentenceTransformer, type SparseEmbeddings, SparseEncoder } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

type Engine = 'sentencekit-int8' | 'sentencekit-bf16x3';
const ENGINES: Engine[] = ['sentencekit-bf16x3', 'sentencekit-int8'];

interface BiEncoderReference {
  max_seq_length: number;
  texts: string[];
  input_ids: number[][];
  embeddings: number[][];
}
interface CrossEncoderReference {
  num_labels: number;
  pairs: [string, string][];
  logits: number[][];
}

const BI_ENCODERS = ['tiny-distilbert', 'tiny-modernbert'];
// Logit bounds per engine: the fixtures spread logits with std 0.5 per label; int8 as the
// BERT int8 cross-encoder test bounds its worst logit.
const CROSS_ENCODERS: { name: string; bounds: Record<Engine, number> }[] = [
  { name: 'tiny-ce-distilbert', bounds: { 'sentencekit-bf16x3': 1e-4, 'sentencekit-int8': 0.15 } },
  { name: 'tiny-ce-modernbert-cls', bounds: { 'sentencekit-bf16x3': 1e-4, 'sentencekit-int8': 0.15 } },
  { name: 'tiny-ce-modernbert-mean', bounds: { 'sentencekit-bf16x3': 1e-4, 'sentencekit-int8': 0.15 } },
];

function readReference<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.reference.json`), 'utf8')) as T;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(aa * bb);
}

for (const name of BI_ENCODERS) {
  const reference = readReference<BiEncoderReference>(name);
  for (const backend of ENGINES) {
    test(`${name} SentenceTransformer on ${backend}: normalized embeddings ${backend === 'sentencekit-bf16x3' ? 'within 1e-5' : 'at cosine ≥ 0.999'}, whatever the batching`, async () => {
      const model = await SentenceTransformer.fromPretrained(join(FIXTURES, name), { backend });
      // A token budget below the longest text: long texts run alone, short ones share batches.
      const budgeted = await SentenceTransformer.fromPretrained(join(FIXTURES, name), { backend, maxBatchTokens: 100, intraOpThreads: 2 });
      try {
        assert.is(model.maxSeqLength, reference.max_seq_length);
        const runs = [
          ['batchSize 7', await model.encode(reference.texts, { batchSize: 7 })],
          ['batchSize 1', await model.encode(reference.texts, { batchSize: 1 })],
          ['token budget', await budgeted.encode(reference.texts, { batchSize: 64 })],
        ] as const;
        let worstDiff = 0;
        let worstCosine = 1;
        for (const [run, result] of runs) {
          const embeddings = result as Embeddings;
          assert.equal(embeddings.shape, [reference.embeddings.length, reference.embeddings[0]!.length], run);
          reference.embeddings.forEach((row, i) => {
            worstDiff = Math.max(worstDiff, maxAbsDiff(embeddings.row(i), row));
            worstCosine = Math.min(worstCosine, cosine(embeddings.row(i), row));
          });
        }
        if (backend === 'sentencekit-bf16x3') {
          assert.ok(worstDiff <= 1e-5, `max |diff| ${worstDiff}`);
        } else {
          assert.ok(worstCosine >= 0.999, `min cosine ${worstCosine}`);
        }
        console.log(`  ${name} ${backend}: max |diff| ${worstDiff.toExponential(2)}, min cosine ${worstCosine.toFixed(6)}`);
      } finally {
        await model.dispose();
        await budgeted.dispose();
      }
    });
  }
}

for (const { name, bounds } of CROSS_ENCODERS) {
  const reference = readReference<CrossEncoderReference>(name);
  for (const backend of ENGINES) {
    test(`${name} CrossEncoder on ${backend}: logits within ${bounds[backend]}`, async () => {
      const model = await CrossEncoder.fromPretrained(join(FIXTURES, name), { backend });
      try {
        const logits = await model.predict(reference.pairs, { activation: 'identity', batchSize: 4 });
        assert.is(logits.length, reference.pairs.length * reference.num_labels);
        const diff = maxAbsDiff(logits, reference.logits.flat());
        assert.ok(diff <= bounds[backend], `max |diff| ${diff}`);
        console.log(`  ${name} ${backend}: logits max |diff| ${diff.toExponential(2)}`);
      } finally {
        await model.dispose();
      }
    });
  }
}

// SPLADE on DistilBertForMaskedLM (vocab_transform → activation → vocab_layer_norm → tied
// vocab_projector): over the union of both sides' active dimensions (a value at the relu's edge
// may be active on one side only), bf16x3 within 2e-4, int8 at cosine ≥ 0.999.
const splade = readReference<{ texts: string[]; embeddings: { indices: number[]; values: number[] }[] }>('tiny-splade-distilbert');
for (const backend of ENGINES) {
  test(`tiny-splade-distilbert SparseEncoder on ${backend}: ${backend === 'sentencekit-bf16x3' ? 'values within 2e-4' : 'cosine ≥ 0.999'}`, async () => {
    const model = await SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-splade-distilbert'), { backend });
    try {
      const ours = (await model.encode(splade.texts)) as SparseEmbeddings;
      let worstDiff = 0;
      let worstCosine = 1;
      splade.embeddings.forEach((expected, i) => {
        const row = new Map<number, number>();
        for (let k = ours.offsets[i]!; k < ours.offsets[i + 1]!; k++) row.set(ours.indices[k]!, ours.values[k]!);
        const theirs = new Map(expected.indices.map((index, k) => [index, expected.values[k]!] as const));
        let dot = 0;
        for (const index of new Set([...row.keys(), ...theirs.keys()])) {
          const a = row.get(index) ?? 0;
          const b = theirs.get(index) ?? 0;
          worstDiff = Math.max(worstDiff, Math.abs(a - b));
          dot += a * b;
        }
        const norm = (values: Iterable<number>): number => Math.sqrt([...values].reduce((sum, v) => sum + v * v, 0));
        worstCosine = Math.min(worstCosine, dot / (norm(row.values()) * norm(theirs.values())));
      });
      if (backend === 'sentencekit-bf16x3') {
        assert.ok(worstDiff <= 2e-4, `max |diff| ${worstDiff}`);
      } else {
        assert.ok(worstCosine >= 0.999, `min cosine ${worstCosine}`);
      }
      console.log(`  tiny-splade-distilbert ${backend}: max |diff| ${worstDiff.toExponential(2)}, min cosine ${worstCosine.toFixed(6)}`);
    } finally {
      await model.dispose();
    }
  });
}

test.run();
