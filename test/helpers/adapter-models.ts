/**
 * The models the framework adapter tests share: tiny-bert with "query: " / "passage: " prompts
 * (so a test sees whether encodeQuery / encodeDocument were used), tiny-bert as committed (its
 * vectors are in tiny-bert.reference.json from sentence-transformers), and the single-label
 * cross-encoder whose rank() results Python wrote into tiny-ce-1label.reference.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CrossEncoder, SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, TINY_BERT } from './fixtures.js';

export const QUERY_PROMPT = 'query: ';
export const DOCUMENT_PROMPT = 'passage: ';

export interface AdapterModels {
  /** tiny-bert with query and document prompts. */
  prompted: SentenceTransformer;
  /** tiny-bert as committed (empty prompts): its vectors are sentence-transformers'. */
  plain: SentenceTransformer;
  reranker: CrossEncoder;
  dispose(): Promise<void>;
}

export async function loadAdapterModels(): Promise<AdapterModels> {
  const copy = copyFixture(TINY_BERT);
  const configPath = join(copy.dir, 'config_sentence_transformers.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...config, prompts: { query: QUERY_PROMPT, document: DOCUMENT_PROMPT } }));
  const [prompted, plain, reranker] = await Promise.all([
    SentenceTransformer.fromPretrained(copy.dir),
    SentenceTransformer.fromPretrained(TINY_BERT),
    CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-1label')),
  ]);
  return {
    prompted,
    plain,
    reranker,
    async dispose() {
      await Promise.all([prompted.dispose(), plain.dispose(), reranker.dispose()]);
      copy.cleanup();
    },
  };
}

export interface RankReference {
  query: string;
  documents: string[];
  results: Array<{ corpus_id: number; score: number }>;
}

/** sentence-transformers' CrossEncoder.rank() on tiny-ce-1label. */
export function rankReferences(): RankReference[] {
  return (JSON.parse(readFileSync(join(FIXTURES, 'tiny-ce-1label.reference.json'), 'utf8')) as { rank: RankReference[] }).rank;
}

/** sentence-transformers' encode() of tiny-bert (mean pooling, Normalize): texts and vectors. */
export function tinyBertVectors(): { texts: string[]; vectors: number[][] } {
  const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert.reference.json'), 'utf8')) as { texts: string[]; embeddings: { mean: { normalized: number[][] } } };
  return { texts: reference.texts, vectors: reference.embeddings.mean.normalized };
}

/** The largest absolute difference between two equally shaped matrices (NaN when shapes differ or a value is NaN). */
export function maxDiff(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return NaN;
  let worst = 0;
  a.forEach((row, i) => {
    const other = b[i] as number[];
    if (row.length !== other.length) worst = NaN;
    row.forEach((value, j) => {
      const d = Math.abs(value - (other[j] as number));
      if (!(d <= worst)) worst = Number.isNaN(d) ? NaN : d;
    });
  });
  return worst;
}
