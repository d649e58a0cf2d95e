/** The shapes search results come in, shared by the CPU search (search.ts) and DeviceCorpus. */

export interface SearchHit {
  corpusId: number;
  score: number;
}

/** Flat results: query q's hits are ids/scores[q * perQuery .. (q + 1) * perQuery), best first. */
export interface FlatSearchResults {
  ids: Int32Array;
  scores: Float32Array;
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
