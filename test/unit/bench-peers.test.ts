// cpu-level-independent: the levels stage does not run this file again.
// bench/peers' own arithmetic and output: percentiles, the agreement check, the markdown table
// and the SVG chart, on made-up results (no timing is asserted anywhere).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { percentile } from '../../bench/peer-timing.js';
import { niceMax, throughputChart } from '../../bench/peers/chart.js';
import { markdownTable } from '../../bench/peers/report.js';
import { agreement, type PeerRecord, type Results } from '../../bench/peers/results.js';
import { throwsError } from '../helpers/errors.js';

test('nearest-rank percentiles', () => {
  const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, unsorted
  assert.is(percentile(samples, 50), 100);
  assert.is(percentile(samples, 99), 198);
  assert.is(percentile(samples, 100), 200);
  assert.is(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('agreement: row-wise cosine, scale-free, shape-checked', () => {
  const a = new Float32Array([1, 0, 0, 1, 3, 4]);
  const b = new Float32Array([2, 0, 0, 5, 4, 3]);
  const result = agreement(a, b, 3);
  assert.ok(Math.abs(result.min_cosine - 24 / 25) < 1e-6);
  assert.ok(Math.abs(result.mean_cosine - (2 + 24 / 25) / 3) < 1e-6);
  assert.is(result.max_abs_diff, 5 - 1);
  throwsError(() => agreement(a, b.subarray(0, 4), 3), RangeError);
  // Centered on the reference's mean (10.05, 10.05): a shared offset no longer counts as agreement.
  const offset = new Float32Array([10, 10.1, 10.1, 10]);
  const near = new Float32Array([10.1, 10, 10, 10.1]);
  assert.ok(agreement(offset, near, 2).min_cosine > 0.9999);
  assert.ok(agreement(offset, near, 2).min_centered_cosine < -0.99);
});

test('niceMax rounds up to 1, 2 or 5 × 10^n', () => {
  assert.is(niceMax(117), 200);
  assert.is(niceMax(210), 500);
  assert.is(niceMax(1000), 1000);
  assert.is(niceMax(0), 1);
});

function record(id: string, label: string, precision: 'fp32' | 'int8', sps: number, lag: boolean): PeerRecord {
  return {
    id, label, precision, reference: `sentencekit-${precision}`, started: '2026-12-01T00:00:00Z', load_before: '0', load_after: '0', ok: true,
    agreement: { min_cosine: 0.99991, mean_cosine: 0.99998, min_centered_cosine: 0.9987, max_abs_diff: 0.004 },
    result: {
      peer: label, versions: { v: '1.0' }, threads: 2,
      throughput: { seconds: 1000 / sps, sentences_per_second: sps },
      latency: { calls: 200, p50_ms: 1.5, p99_ms: 3, mean_ms: 1.7 },
      concurrent: { callers: 64, requests: 2000, seconds: 10, sentences_per_second: sps / 2, p50_ms: 300, p99_ms: 900 },
      ...(lag ? { event_loop_lag: { throughput: { p99_ms: 1.2, max_ms: 4 }, concurrent: { p99_ms: 2.5, max_ms: 8, idle_process: { p99_ms: 1.1, max_ms: 9.5 } } } } : {}),
    },
  };
}

const results: Results = {
  date: '2026-12-01T22:00:00.000Z',
  machine: { cpus: 2, cpu: 'test cpu', load_start: '1.00', load_end: '2.00', node: 'v20' },
  options: { texts: 1000, words: '5–200', seed: 42, queries: '5–10 words', batch_size: 32, threads: 2, latency_calls: 200, warmup: 20, callers: 64, requests: 2000 },
  peers: [
    record('sentencekit-fp32', 'sentencekit', 'fp32', 150, true),
    record('st-torch', 'sentence-transformers (torch CPU)', 'fp32', 60, false),
    { id: 'fastembed-js-fp32', label: 'fastembed-js', precision: 'fp32', reference: 'sentencekit-fp32', started: '', load_before: '', load_after: '', ok: false, error: 'Error: cannot load\nno model' },
  ],
};

test('markdown table: ratios, lag, failures stated', () => {
  const table = markdownTable(results);
  const lines = table.split('\n');
  const st = lines.find((l) => l.startsWith('| sentence-transformers'));
  assert.ok(st?.includes('| 60.0 | 1.00× | 2.50× |'), st);
  assert.ok(st?.includes('n/a (Python)'), st);
  const ours = lines.find((l) => l.startsWith('| sentencekit'));
  assert.ok(ours?.includes('| 2.50× |'), ours);
  assert.ok(ours?.includes('| 2.5 / 8.0 (idle process: 9.5) |'), ours);
  assert.ok(ours?.includes('reference'), ours);
  assert.ok(lines.some((l) => l.startsWith('| fastembed-js | fp32 | failed: no model')), table);
});

test('chart: one labelled pair of bars per peer that ran', () => {
  const svg = throughputChart(results);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.is((svg.match(/<rect class="bar"/g) ?? []).length, 4);
  assert.ok(svg.includes('>sentencekit fp32<'));
  assert.ok(svg.includes('>150.0<') && svg.includes('>75.0<'));
  assert.ok(!svg.includes('fastembed'));
});

test.run();
