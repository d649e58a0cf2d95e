// cpu-level-independent: the levels stage does not run this file again.
// Search with device: 'cpu' | 'cuda' | 'auto' (semanticSearch, quantizedSemanticSearch and
// DeviceCorpus). Without a usable GPU (CI, this machine) 'cuda' rejects with ERR_CUDA_UNAVAILABLE
// and 'auto' falls back to the CPU with the reason and the CPU's exact results; with one, the
// GPU's hits are checked against the CPU search. GPU-only checks say so and skip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import {
  cudaStatus,
  DeviceCorpus,
  Embeddings,
  MAX_DEVICE_TOP_K,
  quantizedSemanticSearch,
  quantizeEmbeddings,
  semanticSearch,
  SentenceKitError,
  type SearchHit,
} from '../../lib/index.js';
import { testIf } from '../helpers/skip.js';

const cuda = cudaStatus();
if (!cuda.available) console.log(`# device search tests: no usable GPU (${cuda.reason}); GPU-only checks skip`);

function random(rows: number, dim: number, seed: number): Embeddings {
  let state = seed;
  const next = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return new Embeddings(Float32Array.from({ length: rows * dim }, next), rows, dim);
}

async function rejectsWith(promise: Promise<unknown>, check: (error: unknown) => boolean, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(check(error), `${what}: unexpected error ${String(error)}`);
    return;
  }
  assert.unreachable(`${what}: expected a rejection`);
}

const isUnavailable = (error: unknown): boolean => error instanceof SentenceKitError && error.code === 'ERR_CUDA_UNAVAILABLE';

// Same hits, or (on the GPU, whose sums run in another order) the same scores within `tolerance`
// with a swapped id only where two scores are that close: an id that differs from the
// reference's at its rank must be one the reference scores within `tolerance` of that rank's
// score (or, past the reference's last hit, one whose score ties the last within `tolerance`).
function sameHits(got: SearchHit[][], want: SearchHit[][], tolerance: number, what: string): void {
  assert.is(got.length, want.length, `${what}: query count`);
  got.forEach((row, q) => {
    const expected = want[q] as SearchHit[];
    assert.is(row.length, expected.length, `${what}: hits of query ${q}`);
    assert.is(new Set(row.map((hit) => hit.corpusId)).size, row.length, `${what}: query ${q} lists an id twice`);
    const referenceScore = new Map(expected.map((hit) => [hit.corpusId, hit.score]));
    const last = expected[expected.length - 1]?.score ?? 0;
    row.forEach((hit, k) => {
      const ref = expected[k] as SearchHit;
      assert.ok(Math.abs(hit.score - ref.score) <= tolerance, `${what}: query ${q} rank ${k} score ${hit.score} vs ${ref.score}`);
      if (hit.corpusId === ref.corpusId) return;
      const theirs = referenceScore.get(hit.corpusId);
      const tied = theirs === undefined ? Math.abs(hit.score - last) <= tolerance : Math.abs(theirs - ref.score) <= tolerance;
      assert.ok(tied, `${what}: query ${q} rank ${k}: id ${hit.corpusId} where the reference has ${ref.corpusId}, and their scores are not within ${tolerance}`);
    });
  });
}

const corpus = random(3000, 24, 1);
const queries = random(7, 24, 2);

// The message of the assertion `check` fails with (uvu's assert.throws rethrows assertions).
function failure(check: () => void): string {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no failure';
}

test('sameHits itself: a swapped id fails under a tolerance unless the two scores tie', () => {
  const want: SearchHit[][] = [[{ corpusId: 4, score: 0.9 }, { corpusId: 7, score: 0.5 }, { corpusId: 1, score: 0.4999 }, { corpusId: 2, score: 0.3 }]];
  const [first, , , fourth] = want[0] as [SearchHit, SearchHit, SearchHit, SearchHit];
  sameHits(want, want, 1e-3, 'identical');
  sameHits([[first, { corpusId: 1, score: 0.5 }, { corpusId: 7, score: 0.4999 }, fourth]], want, 1e-3, 'a tie swapped');
  const swapped = [[{ corpusId: 7, score: 0.9 }, { corpusId: 4, score: 0.5 }, { corpusId: 1, score: 0.4999 }, fourth]];
  assert.match(failure(() => sameHits(swapped, want, 1e-3, 'swapped')), /id 7 where the reference has 4/);
  const outsider = [[first, { corpusId: 9, score: 0.5 }, { corpusId: 1, score: 0.4999 }, fourth]];
  assert.match(failure(() => sameHits(outsider, want, 1e-3, 'outsider')), /id 9 where the reference has 7/);
});

test('device options are validated', async () => {
  for (const device of ['gpu', 1, null]) {
    await rejectsWith(semanticSearch(queries, corpus, { device: device as never }), (e) => e instanceof TypeError, `device ${String(device)}`);
    await rejectsWith(DeviceCorpus.upload(corpus, { device: device as never }), (e) => e instanceof TypeError, `upload device ${String(device)}`);
  }
  await rejectsWith(DeviceCorpus.upload(corpus, { precision: 'int4' as never }), (e) => e instanceof TypeError, 'precision');
  await rejectsWith(DeviceCorpus.upload({} as never), (e) => e instanceof TypeError, 'not a corpus');
  const binary = quantizeEmbeddings(corpus, 'ubinary');
  await rejectsWith(quantizedSemanticSearch(queries, binary, { device: 'cuda' }), (e) => e instanceof TypeError, 'binary on cuda');
  // More hits than the GPU returns: a RangeError on 'cuda', before any GPU is asked.
  await rejectsWith(semanticSearch(queries, corpus, { device: 'cuda', topK: MAX_DEVICE_TOP_K + 1 }), (e) => e instanceof RangeError, 'topK');
});

testIf(!cuda.available, 'a GPU is usable here')("device 'cuda' without a usable GPU rejects with ERR_CUDA_UNAVAILABLE", async () => {
  await rejectsWith(semanticSearch(queries, corpus, { device: 'cuda' }), isUnavailable, 'semanticSearch');
  await rejectsWith(DeviceCorpus.upload(corpus, { device: 'cuda' }), isUnavailable, 'DeviceCorpus.upload');
  const int8 = quantizeEmbeddings(corpus, 'int8');
  await rejectsWith(quantizedSemanticSearch(queries, int8, { device: 'cuda' }), isUnavailable, 'quantizedSemanticSearch');
});

test("device 'auto' without a GPU gives the CPU's results and the reason", async () => {
  const cpu = await semanticSearch(queries, corpus, { topK: 9 });
  sameHits(await semanticSearch(queries, corpus, { topK: 9, device: 'cpu' }), cpu, 0, 'cpu');
  const onDevice = await DeviceCorpus.upload(corpus, { device: 'auto', precision: 'float16' });
  if (!cuda.available) {
    assert.is(onDevice.device, 'cpu');
    assert.type(onDevice.fallbackReason, 'string');
    sameHits(await semanticSearch(queries, corpus, { topK: 9, device: 'auto' }), cpu, 0, 'auto');
    sameHits(await onDevice.search(queries, { topK: 9 }), cpu, 0, 'DeviceCorpus on the CPU');
  }
  const dot = await semanticSearch(queries, corpus, { topK: 4, scoreFunction: 'dot' });
  sameHits(await onDevice.search(queries, { topK: 4, scoreFunction: 'dot' }), dot, cuda.available ? 2e-3 : 0, 'dot');
  // Beyond the GPU's top-k limit 'auto' answers from the CPU.
  const all = await onDevice.search(queries, { topK: MAX_DEVICE_TOP_K + 5 });
  assert.is(all[0]?.length, MAX_DEVICE_TOP_K + 5);
  onDevice.dispose();
  onDevice.dispose();  // twice is fine
  await rejectsWith(onDevice.search(queries), (e) => e instanceof SentenceKitError && e.code === 'ERR_DISPOSED', 'after dispose');
});

test('an int8 DeviceCorpus gives searchInt8 candidates; quantizedSemanticSearch accepts device', async () => {
  const int8 = quantizeEmbeddings(corpus, 'int8');
  const onDevice = await DeviceCorpus.upload(int8, { device: 'auto' });
  assert.is(onDevice.precision, 'int8');
  await rejectsWith(onDevice.search(queries, { scoreFunction: 'cosine' }), (e) => e instanceof TypeError, 'int8 cosine');
  const hits = await onDevice.search(queries, { topK: 5 });
  // Exact int32 dot products of the quantized rows: recompute them here.
  const q = quantizeEmbeddings(queries, 'int8', { ranges: int8.ranges }).data as Int8Array;
  const rows = int8.data as Int8Array;
  hits.forEach((row, qi) => {
    const dots = Array.from({ length: int8.rows }, (_, r) => {
      let sum = 0;
      for (let d = 0; d < 24; d++) sum += (q[qi * 24 + d] as number) * (rows[r * 24 + d] as number);
      return { corpusId: r, score: sum };
    }).sort((a, b) => b.score - a.score || a.corpusId - b.corpusId);
    row.forEach((hit, k) => {
      assert.is(hit.corpusId, dots[k]?.corpusId, `query ${qi} rank ${k}`);
      assert.is(hit.score, dots[k]?.score);
    });
  });
  onDevice.dispose();
  const want = await quantizedSemanticSearch(queries, int8, { topK: 5 });
  sameHits(await quantizedSemanticSearch(queries, int8, { topK: 5, device: 'auto' }), want, 0, 'quantized auto');
});

testIf(cuda.available, `no usable GPU (${cuda.reason})`)('on a GPU: float32 and float16 device search match the CPU search', async () => {
  const big = random(20000, 64, 3);
  const many = random(40, 64, 4);
  const cpu = await semanticSearch(many, big, { topK: 10 });
  sameHits(await semanticSearch(many, big, { topK: 10, device: 'cuda' }), cpu, 1e-5, 'float32 cuda');
  const half = await DeviceCorpus.upload(big, { device: 'cuda', precision: 'float16' });
  assert.is(half.device, 'cuda');
  sameHits(await half.search(many, { topK: 10 }), cpu, 2e-3, 'float16 cuda');
  half.dispose();
});

test.run();
