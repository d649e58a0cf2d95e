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
  /**
   * The same after subtracting the reference's mean embedding from both: random-weight models
   * give every text a large shared component (neighbouring texts have cosine ~0.94), which
   * raw cosine hides and this does not.
   */
  min_centered_cosine: number;
  /** The largest |difference| of any value (our embeddings are normalized): how close to fp32 a fp32-accurate engine is. */
  max_abs_diff: number;
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

function rowCosines(a: Float32Array, b: Float32Array, rows: number, center?: Float64Array): number[] {
  const dimension = a.length / rows;
  const cosines: number[] = [];
  for (let r = 0; r < rows; r += 1) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let i = 0; i < dimension; i += 1) {
      const shift = center ? (center[i] as number) : 0;
      const x = (a[r * dimension + i] as number) - shift;
      const y = (b[r * dimension + i] as number) - shift;
      dot += x * y;
      a2 += x * x;
      b2 += y * y;
    }
    cosines.push(dot / Math.sqrt(a2 * b2));
  }
  return cosines;
}

/** Row-by-row cosine of two [rows × dimension] matrices (rows in the same order). */
export function agreement(ours: Float32Array, reference: Float32Array, rows: number): Agreement {
  if (ours.length !== reference.length || rows <= 0 || ours.length % rows !== 0) {
    throw new RangeError(`expected two ${rows}-row matrices of one size but received ${ours.length} and ${reference.length} values`);
  }
  const dimension = ours.length / rows;
  const mean = new Float64Array(dimension);
  for (let i = 0; i < reference.length; i += 1) mean[i % dimension] = (mean[i % dimension] as number) + (reference[i] as number) / rows;
  const raw = rowCosines(ours, reference, rows);
  const centered = rowCosines(ours, reference, rows, mean);
  return {
    min_cosine: Math.min(...raw),
    mean_cosine: raw.reduce((a, b) => a + b, 0) / rows,
    min_centered_cosine: Math.min(...centered),
    max_abs_diff: ours.reduce((worst, value, i) => Math.max(worst, Math.abs(value - (reference[i] as number))), 0),
  };
}
