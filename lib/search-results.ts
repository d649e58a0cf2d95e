/** The shapes search results come in, shared by the CPU search (search.ts) and DeviceCorpus. */

/** One search result: a corpus row and its score, as sentence-transformers' `{'corpus_id', 'score'}`. */
export interface SearchHit {
  /** Row index in the corpus. */
  corpusId: number;
  /** Its score against the query (higher is closer). */
  score: number;
}

/** Flat results: query q's hits are ids/scores[q * perQuery .. (q + 1) * perQuery), best first. */
export interface FlatSearchResults {
  /** Corpus row ids, `perQuery` per query, best first. */
  ids: Int32Array;
  /** The score of each id. */
  scores: Float32Array;
  /** Hits per query: min(topK, corpus rows). */
  perQuery: number;
}

/** Groups flat results into per-query hit lists. */
export function toHits(results: FlatSearchResults, queries: number): SearchHit[][] {
  return Array.from({ length: queries }, (_, q) =>
    Array.from({ length: results.perQuery }, (_, k) => ({
      corpusId: results.ids[q * results.perQuery + k] as number,
      score: results.scores[q * results.perQuery + k] as number,
    })),
  );
}
