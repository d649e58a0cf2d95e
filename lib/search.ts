/**
 * Semantic search utilities with sentence-transformers' semantics: exact top-k search with
 * the top-k fused into a blocked native scan (no full score matrix, our own thread pool, off
 * the event loop), quantized search with float32 rescoring, paraphrase mining and community
 * detection.
 */
import { nativeBinding } from './binding.js';
import { validateDevice, type Device } from './device.js';
import { DeviceCorpus, MAX_DEVICE_TOP_K } from './device-corpus.js';
import { Embeddings, type EmbeddingsLike, toEmbeddings } from './embeddings.js';
import { checkAttached, forOffThreadRead } from './off-thread-input.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { quantizeEmbeddings, type QuantizedEmbeddings } from './quantization.js';
import { toHits, type FlatSearchResults, type SearchHit } from './search-results.js';
import { describeValue, validateBoolean, validatePositiveInteger } from './validate.js';

export { toHits, type FlatSearchResults, type SearchHit } from './search-results.js';

/** semanticSearch()'s options. */
export interface SemanticSearchOptions {
  /** Hits per query. Default 10; more than the corpus gives the whole corpus. */
  topK?: number;
  /** 'cosine' (default) or 'dot' (equal to cosine on normalized embeddings, and faster). */
  scoreFunction?: 'cosine' | 'dot';
  /** Queries scanned together per pass over the corpus. Default 100. */
  queryChunkSize?: number;
  /** Corpus rows one parallel task scans. Default 500000. */
  corpusChunkSize?: number;
  /**
   * 'cpu' (default), 'cuda' or 'auto', as on the model classes: 'cuda' copies the corpus to the GPU
   * for this one call (float32, exact cosine/dot) and rejects with ERR_CUDA_UNAVAILABLE without a
   * usable GPU; 'auto' falls back to the CPU. To search one corpus many times, upload it once with
   * DeviceCorpus.upload(). The GPU returns at most 1024 hits per query ('auto' uses the CPU beyond).
   */
  device?: Device;
  /**
   * Threads the CPU scan runs on, the calling one counted (at most the hardware's). Default: the
   * shared pool, SENTENCEKIT_THREADS or one per hardware thread. Results do not depend on it.
   */
  threads?: number;
}

const SEARCH_KEYS: OptionKeys<SemanticSearchOptions> = { topK: true, scoreFunction: true, queryChunkSize: true, corpusChunkSize: true, device: true, threads: true };

/** options.threads: a positive integer, or 0 (the shared pool) when left out. */
function validateThreads(threads: number | undefined): number {
  return threads === undefined ? 0 : validatePositiveInteger(threads, 'options.threads');
}

/** An empty `[]` of rows has no width: give it the other side's. */
function widen(empty: Embeddings, dimension: number): Embeddings {
  return empty.rows === 0 && empty.dimension === 0 ? new Embeddings(new Float32Array(0), 0, dimension) : empty;
}

function checkPair(queriesLike: EmbeddingsLike, corpusLike: EmbeddingsLike): [Embeddings, Embeddings] {
  let queries = toEmbeddings(queriesLike, 'queries');
  let corpus = toEmbeddings(corpusLike, 'corpus');
  corpus = widen(corpus, queries.dimension);
  queries = widen(queries, corpus.dimension);
  if (queries.dimension !== corpus.dimension) {
    throw new RangeError(`expected queries and corpus of the same dimension but received ${queries.dimension} and ${corpus.dimension}`);
  }
  return [queries, corpus];
}

/**
 * semanticSearch with flat typed-array results (no per-hit objects): query q's hits are
 * `ids`/`scores`[q × perQuery … (q + 1) × perQuery), best first.
 *
 * @example
 * const { ids, scores, perQuery } = await semanticSearchFlat(queryEmbeddings, corpusEmbeddings, { topK: 3 });
 * ids[0]; // the best corpus row for query 0
 */
export async function semanticSearchFlat(queriesLike: EmbeddingsLike, corpusLike: EmbeddingsLike, options: SemanticSearchOptions = {}): Promise<FlatSearchResults> {
  const opts = validateOptionsObject<SemanticSearchOptions>(options, 'semanticSearch() options', SEARCH_KEYS);
  const [queries, corpus] = checkPair(queriesLike, corpusLike);
  const topK = opts.topK === undefined ? 10 : validatePositiveInteger(opts.topK, 'options.topK');
  const scoreFunction = opts.scoreFunction ?? 'cosine';
  if (scoreFunction !== 'cosine' && scoreFunction !== 'dot') {
    throw new TypeError(`expected options.scoreFunction to be 'cosine' or 'dot' but received ${describeValue(scoreFunction)}`);
  }
  const queryChunkSize = opts.queryChunkSize === undefined ? 100 : validatePositiveInteger(opts.queryChunkSize, 'options.queryChunkSize');
  const corpusChunkSize = opts.corpusChunkSize === undefined ? 500000 : validatePositiveInteger(opts.corpusChunkSize, 'options.corpusChunkSize');
  const device = validateDevice(opts.device, 'options.device');
  const threads = validateThreads(opts.threads);
  if (device === 'cuda' && Math.min(topK, corpus.rows) > MAX_DEVICE_TOP_K) {
    throw new RangeError(`expected options.topK of at most ${MAX_DEVICE_TOP_K} with device 'cuda' but received ${topK}`);
  }
  if (device !== 'cpu' && Math.min(topK, corpus.rows) <= MAX_DEVICE_TOP_K) {
    const onDevice = await DeviceCorpus.upload(corpus, { device, precision: 'float32' });
    try {
      if (onDevice.device === 'cuda') return await onDevice.searchFlat(queries, { topK, scoreFunction });
    } finally {
      onDevice.dispose();
    }
  }
  // The scan reads both off the JavaScript thread: the caller's arrays are copied first.
  const queryRows = forOffThreadRead(queries.data, queries.rows * queries.dimension, queries !== queriesLike, 'queries');
  const corpusRows = forOffThreadRead(corpus.data, corpus.rows * corpus.dimension, corpus !== corpusLike, 'corpus');
  return nativeBinding().semanticSearch(queryRows, queries.rows, corpusRows, corpus.rows, corpus.dimension, topK, scoreFunction, queryChunkSize, corpusChunkSize, threads);
}

/**
 * For each query, the `topK` most similar corpus rows, best first, ties to the lower id, as
 * sentence-transformers' `semantic_search`. Queries and corpus are Embeddings or plain rows
 * (`number[][]`, `Float32Array[]`).
 *
 * @example
 * const hits = await semanticSearch(await model.encode(queries), await model.encode(corpus), { topK: 5 });
 * hits[0][0]; // { corpusId: 17, score: 0.83 }
 */
export async function semanticSearch(queries: EmbeddingsLike, corpus: EmbeddingsLike, options: SemanticSearchOptions = {}): Promise<SearchHit[][]> {
  const rows = toEmbeddings(queries, 'queries');
  return toHits(await semanticSearchFlat(rows, corpus, options), rows.rows);
}

/** quantizedSemanticSearch()'s options. */
export interface QuantizedSearchOptions {
  /** Hits per query. Default 10. */
  topK?: number;
  /** Re-rank rescoreMultiplier × topK quantized candidates by the float32 query. Default true. */
  rescore?: boolean;
  /** Default 4, as sentence-transformers. */
  rescoreMultiplier?: number;
  /**
   * 'cpu' (default), 'cuda' or 'auto' for the int8 candidate search (rescoring stays on the CPU);
   * binary corpora are searched on the CPU ('cuda' refuses them). See semanticSearch's device.
   */
  device?: Device;
  /**
   * Threads the CPU candidate search runs on, the calling one counted (at most the hardware's). Default: the
   * shared pool, SENTENCEKIT_THREADS or one per hardware thread. Results do not depend on it.
   */
  threads?: number;
}

const QUANTIZED_SEARCH_KEYS: OptionKeys<QuantizedSearchOptions> = { topK: true, rescore: true, rescoreMultiplier: true, device: true, threads: true };

/**
 * Search over an int8 or binary-quantized corpus, as sentence-transformers' quantized search:
 * queries are quantized the same way (int8 with the corpus's ranges), candidates found with
 * int8 dot products or Hamming distance (popcount), then rescored with the float32 query
 * against the quantized corpus rows.
 *
 * @example
 * const corpusInt8 = quantizeEmbeddings(corpusEmbeddings, 'int8');
 * const hits = await quantizedSemanticSearch(queryEmbeddings, corpusInt8, { topK: 10 });
 */
export async function quantizedSemanticSearch(queriesLike: EmbeddingsLike, corpus: QuantizedEmbeddings, options: QuantizedSearchOptions = {}): Promise<SearchHit[][]> {
  const opts = validateOptionsObject<QuantizedSearchOptions>(options, 'quantizedSemanticSearch() options', QUANTIZED_SEARCH_KEYS);
  const queries = toEmbeddings(queriesLike, 'queries');
  if (corpus === null || typeof corpus !== 'object' || !(ArrayBuffer.isView(corpus.data))) {
    throw new TypeError(`expected corpus to be QuantizedEmbeddings (from quantizeEmbeddings) but received ${describeValue(corpus)}`);
  }
  if (queries.dimension !== corpus.dimension) {
    throw new RangeError(`expected queries of dimension ${corpus.dimension} but received ${queries.dimension}`);
  }
  const topK = opts.topK === undefined ? 10 : validatePositiveInteger(opts.topK, 'options.topK');
  const rescore = opts.rescore === undefined ? true : validateBoolean(opts.rescore, 'options.rescore');
  const multiplier = opts.rescoreMultiplier === undefined ? 4 : validatePositiveInteger(opts.rescoreMultiplier, 'options.rescoreMultiplier');
  const candidates = rescore ? topK * multiplier : topK;
  const device = validateDevice(opts.device, 'options.device');
  const threads = validateThreads(opts.threads);
  const native = nativeBinding();
  // Both searches and the rescoring read the corpus off the JavaScript thread: one copy of the
  // caller's rows serves them all (a packed binary corpus is converted, hence already ours).
  const corpusLength = corpus.rows * corpus.bytesPerRow;
  const corpusData = corpus.precision === 'binary' ? corpus.data : forOffThreadRead(corpus.data, corpusLength, false, 'corpus.data');
  const queryRows = forOffThreadRead(queries.data, queries.rows * queries.dimension, queries !== queriesLike, 'queries');

  let found: FlatSearchResults;
  let rescoreKind: 'int8' | 'ubinary';
  let corpusRows: Int8Array | Uint8Array;
  if (corpus.precision === 'int8') {
    if (!corpus.ranges) throw new RangeError('the int8 corpus carries no ranges to quantize queries with; quantize it with quantizeEmbeddings');
    if (device === 'cuda' && Math.min(candidates, corpus.rows) > MAX_DEVICE_TOP_K) {
      throw new RangeError(`expected topK × rescoreMultiplier of at most ${MAX_DEVICE_TOP_K} with device 'cuda' but received ${candidates}`);
    }
    let onDevice: DeviceCorpus | null = null;
    if (device !== 'cpu' && Math.min(candidates, corpus.rows) <= MAX_DEVICE_TOP_K) {
      onDevice = await DeviceCorpus.upload(corpus, { device });
    }
    try {
      if (onDevice !== null && onDevice.device === 'cuda') {
        found = await onDevice.searchFlat(queries, { topK: candidates, scoreFunction: 'dot' });
      } else {
        const q = quantizeEmbeddings(queries, 'int8', { ranges: corpus.ranges });
        found = await native.searchInt8(q.data as Int8Array, queries.rows, corpusData as Int8Array, corpus.rows, corpus.dimension, candidates, threads);
      }
    } finally {
      onDevice?.dispose();
    }
    rescoreKind = 'int8';
    corpusRows = corpusData;
  } else if (corpus.precision === 'binary' || corpus.precision === 'ubinary') {
    if (device === 'cuda') throw new TypeError(`expected an int8 corpus with device 'cuda' but received a ${corpus.precision} one`);
    const q = quantizeEmbeddings(queries, 'ubinary');
    // The XOR of binary (bytes - 128) equals that of ubinary: search on unsigned bytes.
    if (corpus.precision === 'binary') checkAttached(corpus.data, corpusLength, 'corpus.data');
    const packed = corpus.precision === 'ubinary' ? (corpusData as Uint8Array) : Uint8Array.from(corpus.data as Int8Array, (v) => v + 128);
    found = await native.searchHamming(q.data as Uint8Array, queries.rows, packed, corpus.rows, corpus.bytesPerRow, candidates, threads);
    rescoreKind = 'ubinary';
    // Rescoring unpacks the real bits (binary bytes + 128). sentence-transformers casts binary's
    // int8 bytes straight to uint8 there, which scrambles the bits and loses recall; we do not
    // reproduce that (ubinary, where both agree, is unaffected).
    corpusRows = packed;
  } else {
    throw new TypeError(`expected an int8, binary or ubinary corpus but received ${describeValue(corpus.precision)}`);
  }
  if (!rescore) {
    // Hamming distances rank ascending; report them negated so higher is better everywhere.
    if (rescoreKind === 'ubinary') found.scores.forEach((d, i) => (found.scores[i] = -d));
    return toHits(found, queries.rows);
  }
  const rescored = await native.rescore(queryRows, queries.rows, corpus.dimension, found.ids, found.perQuery, corpusRows, corpus.rows, rescoreKind, topK);
  return toHits(rescored, queries.rows);
}

/** paraphraseMining()'s options. */
export interface ParaphraseMiningOptions {
  /** Pairs kept per sentence. Default 100. */
  topK?: number;
  /** The most pairs returned. Default 500000. */
  maxPairs?: number;
}

/**
 * Pairs of texts (by index) with high cosine similarity, best first, as sentence-transformers'
 * paraphrase_mining_embeddings: each text's topK neighbours, each pair once. Each pair is
 * `[score, i, j]` with i < j.
 *
 * @example
 * const pairs = await paraphraseMining(await model.encode(sentences), { topK: 5 });
 * const [score, i, j] = pairs[0]; // the most similar two sentences
 */
export async function paraphraseMining(embeddingsLike: EmbeddingsLike, options: ParaphraseMiningOptions = {}): Promise<Array<[number, number, number]>> {
  const opts = validateOptionsObject<ParaphraseMiningOptions>(options, 'paraphraseMining() options', { topK: true, maxPairs: true });
  const embeddings = toEmbeddings(embeddingsLike, 'embeddings');
  const topK = opts.topK === undefined ? 100 : validatePositiveInteger(opts.topK, 'options.topK');
  const maxPairs = opts.maxPairs === undefined ? 500000 : validatePositiveInteger(opts.maxPairs, 'options.maxPairs');
  // topK + 1 neighbours: a text is its own best match.
  const hits = await semanticSearch(embeddings, embeddings, { topK: topK + 1, scoreFunction: 'cosine' });
  const seen = new Set<string>();
  const pairs: Array<[number, number, number]> = [];
  hits.forEach((row, i) => {
    for (const { corpusId: j, score } of row) {
      if (i === j) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      const key = `${a},${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([score, a, b]);
    }
  });
  pairs.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
  return pairs.slice(0, maxPairs);
}

/** communityDetection()'s options. */
export interface CommunityDetectionOptions {
  /** Cosine similarity at or above which two texts are close. Default 0.75. */
  threshold?: number;
  /** Smallest community kept. Default 10. */
  minCommunitySize?: number;
}

/**
 * Groups texts whose embeddings are close, as sentence-transformers' community_detection:
 * every text with at least minCommunitySize neighbours at or above the threshold seeds a
 * community (members most similar first); larger communities first, a text in at most one.
 *
 * @example
 * const clusters = await communityDetection(await model.encode(sentences), { threshold: 0.8, minCommunitySize: 2 });
 * clusters[0]; // indices of the sentences in the largest community
 */
export async function communityDetection(embeddingsLike: EmbeddingsLike, options: CommunityDetectionOptions = {}): Promise<number[][]> {
  const opts = validateOptionsObject<CommunityDetectionOptions>(options, 'communityDetection() options', { threshold: true, minCommunitySize: true });
  const embeddings = toEmbeddings(embeddingsLike, 'embeddings');
  const threshold = opts.threshold ?? 0.75;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new TypeError(`expected options.threshold to be a number but received ${describeValue(threshold)}`);
  }
  const minSize = opts.minCommunitySize === undefined ? 10 : validatePositiveInteger(opts.minCommunitySize, 'options.minCommunitySize');
  if (embeddings.rows === 0) return [];
  // min_community_size is capped by the number of texts, as in sentence-transformers.
  const size = Math.min(minSize, embeddings.rows);
  // Every row's neighbours, best first (the row itself included, as sentence-transformers counts it).
  const hits = await semanticSearch(embeddings, embeddings, { topK: embeddings.rows, scoreFunction: 'cosine' });
  const candidates: number[][] = [];
  for (const row of hits) {
    if ((row[size - 1] as SearchHit).score < threshold) continue;
    candidates.push(row.filter((hit) => hit.score >= threshold).map((hit) => hit.corpusId));
  }
  // Largest first (stable), then each text goes to the first community that still has
  // enough members without it being taken.
  candidates.sort((a, b) => b.length - a.length);
  const used = new Set<number>();
  const communities: number[][] = [];
  for (const community of candidates) {
    const free = community.filter((id) => !used.has(id));
    if (free.length < size) continue;
    free.forEach((id) => used.add(id));
    communities.push(free);
  }
  communities.sort((a, b) => b.length - a.length);
  return communities;
}
