/**
 * pgvector's answers against sentencekit's own exact search on the same encodings:
 * semanticSearch (cosine for `vector`, dot product for `halfvec`), quantizedSemanticSearch
 * without rescoring (Hamming distance for `bit`) and SparseEncoder.similarity (dot product for
 * `sparsevec`). Recall@k counts a hit when it is in the exact top k, or ties the exact k-th
 * distance (Hamming distances tie often).
 */
// In an application: from 'sentencekit'.
import { quantizeEmbeddings, quantizedSemanticSearch, semanticSearch, type SentenceTransformer, type SparseEncoder } from '../../lib/index.js';
import { COLUMNS, createIndexes, createTable, insertAll, nearest, sparseVector, bitString, type Column, type Encoded, type Hit, type Query, type QueryValue } from './store.js';

/** Encodes texts for all four columns: float32 vectors, their binary quantization, and SPLADE weights. */
export async function encodeAll(model: SentenceTransformer, splade: SparseEncoder, texts: string[], kind: 'query' | 'document'): Promise<Encoded> {
  const dense = kind === 'query' ? await model.encodeQuery(texts) : await model.encodeDocument(texts);
  // pgvector's HNSW index takes sparse vectors of at most 1,000 non-zero elements.
  const sparse = kind === 'query' ? await splade.encodeQuery(texts, { maxActiveDims: 128 }) : await splade.encodeDocument(texts, { maxActiveDims: 128 });
  return { texts, dense, bits: quantizeEmbeddings(dense, 'ubinary'), sparse };
}

/** Stores the corpus and builds the indexes; returns the seconds each step took. */
export async function load(query: Query, corpus: Encoded): Promise<{ insertSeconds: number; indexSeconds: number }> {
  await createTable(query, corpus.dense.dimension, corpus.sparse.dimension);
  let started = performance.now();
  await insertAll(query, corpus);
  const insertSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await createIndexes(query);
  return { insertSeconds, indexSeconds: (performance.now() - started) / 1000 };
}

/** sentencekit's exact top k per query for a column, as pgvector distances (smaller is closer). */
export async function exactHits(column: Column, corpus: Encoded, queries: Encoded, k: number, splade: SparseEncoder): Promise<Hit[][]> {
  if (column === 'vector' || column === 'halfvec') {
    // pgvector's cosine distance is 1 - cosine; its <#> is the negative inner product.
    const found = await semanticSearch(queries.dense, corpus.dense, { topK: k, scoreFunction: column === 'vector' ? 'cosine' : 'dot' });
    return found.map((hits) => hits.map(({ corpusId, score }) => ({ id: corpusId, distance: column === 'vector' ? 1 - score : -score })));
  }
  if (column === 'bit') {
    // Without rescoring the score is the negated Hamming distance.
    const found = await quantizedSemanticSearch(queries.dense, corpus.bits, { topK: k, rescore: false });
    return found.map((hits) => hits.map(({ corpusId, score }) => ({ id: corpusId, distance: -score })));
  }
  const scores = splade.similarity(queries.sparse, corpus.sparse);
  return Array.from({ length: queries.texts.length }, (_, q) =>
    Array.from(scores.row(q), (score, id) => ({ id, distance: -score }))
      .sort((a, b) => a.distance - b.distance || a.id - b.id)
      .slice(0, k));
}

/** The query vector for a column. */
export function queryValue(column: Column, queries: Encoded, q: number): QueryValue {
  if (column === 'bit') return { bits: bitString(queries.bits, q) };
  if (column === 'sparsevec') return { sparse: sparseVector(queries.sparse, q) };
  return { dense: queries.dense.row(q) };
}

/** The share of `found` that is in `exact` or ties its last distance (within `tolerance`). */
export function recall(found: Hit[], exact: Hit[], tolerance: number): number {
  const ids = new Set(exact.map((hit) => hit.id));
  const kth = exact[exact.length - 1]?.distance ?? Infinity;
  const good = found.filter((hit) => ids.has(hit.id) || hit.distance <= kth + tolerance).length;
  return exact.length === 0 ? 1 : good / exact.length;
}

/** One column's figures over all queries. */
export interface ColumnReport {
  column: Column;
  metric: string;
  /** Mean recall@k of the HNSW index. */
  hnswRecall: number;
  /** Mean recall@k of the exact scan (index scans off). */
  exactRecall: number;
  /** Queries whose exact scan returned sentencekit's ids in sentencekit's order. */
  exactSameIds: number;
  /** Queries whose exact scan returned sentencekit's distances (within the tolerance), ties in any order. */
  exactSameDistances: number;
  /** The largest |pgvector distance − sentencekit distance| over the exact scans' hits. */
  worstDistanceGap: number;
  /** Mean milliseconds per HNSW query, round trip included. */
  hnswMs: number;
  queries: number;
}

// Distances agree to float32 rounding, except halfvec's, whose values are float16.
const TOLERANCE: Record<Column, number> = { vector: 1e-5, halfvec: 5e-3, bit: 0, sparsevec: 1e-3 };

/** Runs every query against every column, through the index and as an exact scan. */
export async function compare(query: Query, corpus: Encoded, queries: Encoded, splade: SparseEncoder, k = 10): Promise<ColumnReport[]> {
  const reports: ColumnReport[] = [];
  for (const column of Object.keys(COLUMNS) as Column[]) {
    const exact = await exactHits(column, corpus, queries, k, splade);
    const report: ColumnReport = { column, metric: COLUMNS[column].metric, hnswRecall: 0, exactRecall: 0, exactSameIds: 0, exactSameDistances: 0, worstDistanceGap: 0, hnswMs: 0, queries: queries.texts.length };
    for (let q = 0; q < queries.texts.length; q++) {
      const value = queryValue(column, queries, q);
      const reference = exact[q] as Hit[];
      const started = performance.now();
      const viaIndex = await nearest(query, column, value, k);
      report.hnswMs += performance.now() - started;
      const scanned = await nearest(query, column, value, k, true);
      report.hnswRecall += recall(viaIndex, reference, TOLERANCE[column]);
      report.exactRecall += recall(scanned, reference, TOLERANCE[column]);
      if (scanned.map((h) => h.id).join() === reference.map((h) => h.id).join()) report.exactSameIds += 1;
      const gaps = scanned.map((hit, i) => Math.abs(hit.distance - (reference[i]?.distance ?? NaN)));
      const gap = gaps.reduce((worst, g) => (g > worst || Number.isNaN(g) ? g : worst), 0);
      if (gaps.length === reference.length && gap <= TOLERANCE[column]) report.exactSameDistances += 1;
      if (!(gap <= report.worstDistanceGap)) report.worstDistanceGap = gap;
    }
    report.hnswRecall /= queries.texts.length;
    report.exactRecall /= queries.texts.length;
    report.hnswMs /= queries.texts.length;
    reports.push(report);
  }
  return reports;
}

/** The reports as a Markdown table. */
export function table(reports: ColumnReport[], k = 10): string {
  const lines = [
    `| column | distance | recall@${k} HNSW | recall@${k} exact scan | exact scan = sentencekit (ids / distances) | max distance gap | ms per HNSW query |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    lines.push(`| ${r.column} | ${r.metric} | ${r.hnswRecall.toFixed(3)} | ${r.exactRecall.toFixed(3)} | ${r.exactSameIds}/${r.queries} / ${r.exactSameDistances}/${r.queries} | ${r.worstDistanceGap.toExponential(1)} | ${r.hnswMs.toFixed(2)} |`);
  }
  return lines.join('\n');
}
