/** The markdown table of a bench/peers run (printed by run.ts, pasted into bench/RESULTS.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { PeerRecord, Results } from './results.js';

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function ratio(value: number | undefined, base: number | undefined): string {
  return value === undefined || base === undefined ? '–' : `${(value / base).toFixed(2)}×`;
}

function throughputOf(records: PeerRecord[], id: string): number | undefined {
  return records.find((r) => r.id === id)?.result?.throughput.sentences_per_second;
}

/** Our fastest run at this precision (the ONNX model or our CPU engine: int8, or bf16x3 for fp32). */
function oursAt(records: PeerRecord[], precision: string): number | undefined {
  const ours = records.filter((r) => r.id.startsWith('sentencekit') && r.precision === precision && r.result).map((r) => r.result!.throughput.sentences_per_second);
  return ours.length > 0 ? Math.max(...ours) : undefined;
}

export function markdownTable(results: Results): string {
  const records = results.peers;
  const st = throughputOf(records, 'st-torch');
  const header = [
    '| peer | precision | sentences/s | vs sentence-transformers | sentencekit vs this | short query p50 / p99 ms | 64 callers sentences/s | 64 callers p99 ms | event-loop lag p99 / max ms (max of an idle process beside it) | cosine to ours (sentencekit at the same precision; our CPU engine: sentencekit fp32): min / mean, centered min; max abs diff |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = records.map((r) => {
    const name = `${r.label}${r.result ? ` ${Object.values(r.result.versions)[0] ?? ''}` : ''}`.trim();
    if (!r.ok || !r.result) return `| ${name} | ${r.precision} | failed: ${(r.error ?? '').split('\n').pop()} | | | | | | | |`;
    const { throughput, latency, concurrent } = r.result;
    const ours = oursAt(records, r.precision);
    const lag = r.result.event_loop_lag;
    const idleMaxes = lag ? [lag.throughput, lag.concurrent].flatMap((l) => (l.idle_process ? [l.idle_process.max_ms] : [])) : [];
    const idleMax = idleMaxes.length > 0 ? Math.max(...idleMaxes) : Number.NaN;
    const lagText = lag
      ? `${fixed(Math.max(lag.throughput.p99_ms, lag.concurrent.p99_ms), 1)} / ${fixed(Math.max(lag.throughput.max_ms, lag.concurrent.max_ms), 1)}` +
        (Number.isNaN(idleMax) ? '' : ` (idle process: ${fixed(idleMax, 1)})`)
      : 'n/a (Python)';
    const agreement = r.id === r.reference ? 'reference' : r.agreement ? `${fixed(r.agreement.min_cosine, 5)} / ${fixed(r.agreement.mean_cosine, 5)}, ${fixed(r.agreement.min_centered_cosine, 4)}; ${r.agreement.max_abs_diff.toExponential(1)}` : '–';
    return `| ${name} | ${r.precision} | ${fixed(throughput.sentences_per_second, 1)} | ${ratio(throughput.sentences_per_second, st)} | ${r.id.startsWith('sentencekit') ? '–' : ratio(ours, throughput.sentences_per_second)} | ${fixed(latency.p50_ms, 2)} / ${fixed(latency.p99_ms, 2)} | ${fixed(concurrent.sentences_per_second, 1)} | ${fixed(concurrent.p99_ms, 0)} | ${lagText} | ${agreement} |`;
  });
  const o = results.options;
  const caption = `${o.texts} texts of ${o.words} words (seed ${o.seed}), batch ${o.batch_size}, ${o.threads} intra-op threads; ` +
    `latency: ${o.latency_calls} calls of one ${o.queries} query after ${o.warmup} warm-up calls; ` +
    `${o.callers} callers × 1 corpus sentence per request, ${o.requests} requests in all. ` +
    `${results.machine.cpus} CPUs (${results.machine.cpu}), load average ${results.machine.load_start} at the start, ${results.machine.load_end} at the end; ${results.date}.`;
  return [caption, '', ...header, ...rows].join('\n');
}

// `node --import tsx bench/peers/report.ts [results.json]` reprints the table of a run,
// e.g. of one that was stopped part-way (run.ts writes results.json after every peer).
if (require.main === module) {
  const file = process.argv[2] ?? join(__dirname, 'results.json');
  console.log(markdownTable(JSON.parse(readFileSync(file, 'utf8')) as Results));
}
