// The own CPU engine on decoder embedding models made by test/tools/decoder_fixtures.py, at both
// precisions, against Python sentence-transformers 6.0.1's float32 embeddings on the same weights,
// plain and with each model's query prompt (encodeQuery):
// - tiny-qwen3 (Qwen3-Embedding's layout): grouped-query attention, q/k norms, causal, last-token
//   pooling of the <|endoftext|> the post-processor appends, padding_side "left" (the engine packs
//   without padding, so it only decides which token is last: each text's own);
// - tiny-gemma3 (EmbeddingGemma's): bidirectional attention with sliding-window layers, (1 + w)
//   RMSNorms, scaled embeddings, GeGLU, mean pooling → Dense → Dense → Normalize.
// bf16x3 is fp32-accurate: ≤ 1e-5 on the normalized embeddings; int8 is judged by cosine to them
// (≥ 0.999).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Embeddings, SentenceTransformer } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const MODELS = ['tiny-qwen3', 'tiny-gemma3'];
const BACKENDS = ['sentencekit-bf16x3', 'sentencekit-int8'] as const;

interface Reference {
  max_seq_length: number;
  texts: string[];
  embeddings: number[][];
  query_embeddings: number[][];
}


// Both sides are unit vectors: their cosine is their dot product.
function worstAgainst(embeddings: Embeddings, expected: number[][]): { diff: number; cosine: number } {
  let diff = 0;
  let cosine = 1;
  expected.forEach((values, i) => {
    const row = embeddings.row(i);
    diff = Math.max(diff, maxAbsDiff(row, values));
    cosine = Math.min(cosine, values.reduce((sum, value, c) => sum + value * row[c]!, 0));
  });
  return { diff, cosine };
}

for (const name of MODELS) {
  const dir = join(FIXTURES, name);
  const reference = JSON.parse(readFileSync(join(FIXTURES, `${name}.reference.json`), 'utf8')) as Reference;
  for (const backend of BACKENDS) {
    const exact = backend === 'sentencekit-bf16x3';
    test(`${name} on ${backend}: embeddings and encodeQuery ${exact ? 'within 1e-5' : 'at cosine ≥ 0.999'}, whatever the batching`, async () => {
      const model = await SentenceTransformer.fromPretrained(dir, { backend });
      // A token budget below the longest text: long texts run alone, short ones share batches.
      const budgeted = await SentenceTransformer.fromPretrained(dir, { backend, maxBatchTokens: 100, intraOpThreads: 2 });
      try {
        assert.is(model.maxSeqLength, reference.max_seq_length);
        const runs: [string, Embeddings][] = [
          ['batchSize 7', await model.encode(reference.texts, { batchSize: 7 })],
          ['batchSize 1', await model.encode(reference.texts, { batchSize: 1 })],
          ['token budget', await budgeted.encode(reference.texts, { batchSize: 64 })],
          ['encodeQuery', await model.encodeQuery(reference.texts.slice(0, reference.query_embeddings.length))],
        ];
        for (const [run, embeddings] of runs) {
          const expected = run === 'encodeQuery' ? reference.query_embeddings : reference.embeddings;
          assert.equal(embeddings.shape, [expected.length, expected[0]!.length], run);
          const { diff, cosine } = worstAgainst(embeddings, expected);
          console.log(`    ${name} ${backend} ${run}: max |diff| ${diff.toExponential(2)}, min cosine ${cosine.toFixed(6)}`);
          if (exact) {
            assert.ok(diff <= 1e-5, `${run}: max |diff| ${diff}`);
          } else {
            assert.ok(cosine >= 0.999, `${run}: min cosine ${cosine}`);
          }
        }
        // The prompt changes the vectors: encodeQuery is not encode under another name.
        assert.ok(maxAbsDiff(runs[3]![1].row(0), reference.embeddings[0]!) > 1e-3);
      } finally {
        await model.dispose();
        await budgeted.dispose();
      }
    });
  }
}

test.run();
