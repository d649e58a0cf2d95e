// npm usearch's exact (brute-force) search on the same corpus, inner product, all threads.
// Prints one JSON object with best-of-N seconds and agreement with our ids.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(process.env.USEARCH_FROM ?? import.meta.url);
const usearch = require("usearch");
const data = process.argv[2];
const dim = Number(process.env.DIM ?? 384);
const k = 10;
const threads = Number(process.env.THREADS ?? 0);

const asFloats = (path) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};
const corpus = asFloats(join(data, "corpus.f32"));
const queries = asFloats(join(data, "queries.f32"));

const out = { usearch_threads: threads };
for (const nq of [1, 32, 1024]) {
  const repeats = nq >= 1024 ? 1 : 3;
  const q = queries.subarray(0, nq * dim);
  let best = Infinity;
  let result;
  for (let i = 0; i < repeats; i += 1) {
    const start = process.hrtime.bigint();
    result = usearch.exactSearch(corpus, q, dim, k, usearch.MetricKind.IP, threads);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const oursBytes = readFileSync(join(data, `ours_ids_${nq}.i64`));
  const ours = new BigInt64Array(oursBytes.buffer, oursBytes.byteOffset, nq * k);
  let hits = 0;
  for (let qi = 0; qi < nq; qi += 1) {
    const mine = new Set(Array.from(ours.subarray(qi * k, (qi + 1) * k), Number));
    for (let i = 0; i < k; i += 1) if (mine.has(Number(result.keys[qi * k + i]))) hits += 1;
  }
  out[`q${nq}`] = { usearch_s: best, usearch_agreement_with_ours: hits / (nq * k) };
  console.error(JSON.stringify(out[`q${nq}`]));
}
console.log(JSON.stringify(out));
