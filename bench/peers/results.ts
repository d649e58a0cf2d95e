/** The shape of bench/peers/results.json, and the check that peers did the same work as ours. */
import type { Concurrent, EventLoopLag, Latency, Throughput } from '../peer-timing.js';

/** One peer's line of output (bench/peer-timing.ts and bench/peer_timing.py write it). */
export interface PeerResult {
  peer: string;
  versions: Record<string, string>;
  threads: number;
  throughput: Throughput;
  latency: Latency;
  concurrent: Concurrent;
  /** Node peers only. */
  event_loop_lag?: { throughput: EventLoopLag; concurrent: EventLoopLag };
  /** Anything the peer wants said next to its figures. */
  notes?: string[];
}

export interface Agreement {
  min_cosine: number;
  mean_cosine: number;
}

export interface PeerRecord {
  id: string;
  label: string;
  precision: 'fp32' | 'int8';
  reference: string;
  started: string;
  load_before: string;
  load_after: string;
  ok: boolean;
  error?: string;
  result?: PeerResult;
  agreement?: Agreement;
  /** The raw embeddings file, while the run compares them (not written to results.json). */
  embeddings?: string;
}

export interface Results {
  date: string;
  machine: { cpus: number; cpu: string; load_start: string; load_end: string; node: string };
  options: Record<string, string | number>;
  peers: PeerRecord[];
}

/** Row-by-row cosine of two [rows × dimension] matrices (rows in the same order). */
export function agreement(ours: Float32Array, reference: Float32Array, rows: number): Agreement {
  if (ours.length !== reference.length || rows <= 0 || ours.length % rows !== 0) {
    throw new RangeError(`expected two ${rows}-row matrices of one size but received ${ours.length} and ${reference.length} values`);
  }
  const dimension = ours.length / rows;
  let min = Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let r = 0; r < rows; r += 1) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let i = r * dimension; i < (r + 1) * dimension; i += 1) {
      const a = ours[i] as number;
      const b = reference[i] as number;
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    const cosine = dot / Math.sqrt(a2 * b2);
    min = Math.min(min, cosine);
    sum += cosine;
  }
  return { min_cosine: min, mean_cosine: sum / rows };
}
