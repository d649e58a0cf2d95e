/**
 * bench/peers: one command, every peer, same run. On the all-MiniLM-L6-v2 shape (random
 * weights, `npm run bench:models`, made here when missing), fp32 and int8 ONNX, and a seeded
 * corpus of mixed-length sentences, each peer runs in its own process, one after another, on the
 * same texts and the same files, and reports batch throughput, single short-query latency, 64
 * concurrent callers, and (Node peers) event-loop lag. Every peer's corpus embeddings are checked
 * against ours. Writes bench/peers/results.json and bench/peers/throughput.svg and prints the
 * markdown table.
 *
 *   npm run bench:peers -- [--texts 10000] [--requests 2000] [--callers 64] [--latency-calls 200]
 *                          [--threads <cores>] [--peers id,id,…] [--out bench/peers]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { mixedLengthCorpus } from '../corpus.js';
import { readEmbeddings } from '../peer-timing.js';
import { throughputChart } from './chart.js';
import { markdownTable } from './report.js';
import { agreement, type PeerRecord, type PeerResult, type Results } from './results.js';
import { option } from '../cli-option.js';

const ROOT = join(__dirname, '..', '..');
const MODEL = join(ROOT, 'bench', 'models', 'minilm-l6');
const PYTHON = join(ROOT, 'test', 'tools', '.venv', 'bin', 'python');
const FP32 = 'onnx/model.onnx';
const INT8 = 'onnx/model_qint8_avx512_vnni.onnx';

interface PeerSpec {
  id: string;
  label: string;
  precision: 'fp32' | 'int8';
  /** The peer whose embeddings this one's must agree with (ours at the same precision). */
  reference: string;
  command: string;
  args: string[];
}

function nodePeer(script: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', join(__dirname, script)] };
}

function peers(): PeerSpec[] {
  const sk = nodePeer('sentencekit-peer.ts');
  const tjs = nodePeer('transformersjs-peer.ts');
  const fe = nodePeer('fastembed-peer.ts');
  return [
    { id: 'sentencekit-fp32', label: 'sentencekit', precision: 'fp32', reference: 'sentencekit-fp32', ...sk, args: [...sk.args, '--onnx', FP32] },
    { id: 'sentencekit-int8', label: 'sentencekit', precision: 'int8', reference: 'sentencekit-int8', ...sk, args: [...sk.args, '--onnx', INT8] },
    // sentencekit's own int8 engine (cpuEngine 'int8', model.safetensors): checked against our
    // fp32 embeddings, since its int8 is not the ONNX export's.
    { id: 'sentencekit-int8-engine', label: 'sentencekit int8 engine', precision: 'int8', reference: 'sentencekit-fp32', ...sk, args: [...sk.args, '--engine', 'int8'] },
    // The same engine with bf16x3 GEMMs (cpuEngine 'bf16x3'): fp32-accurate, so it counts as
    // fp32, and its agreement with our ONNX fp32 rows (max abs diff) is in the table.
    { id: 'sentencekit-bf16x3-engine', label: 'sentencekit bf16x3 engine', precision: 'fp32', reference: 'sentencekit-fp32', ...sk, args: [...sk.args, '--engine', 'bf16x3'] },
    { id: 'st-torch', label: 'sentence-transformers (torch CPU)', precision: 'fp32', reference: 'sentencekit-fp32', command: PYTHON, args: [join(__dirname, 'st_peer.py')] },
    { id: 'ort-python-fp32', label: 'Python ONNX Runtime + tokenizers', precision: 'fp32', reference: 'sentencekit-fp32', command: PYTHON, args: [join(__dirname, 'ort_peer.py'), '--onnx', FP32] },
    { id: 'ort-python-int8', label: 'Python ONNX Runtime + tokenizers', precision: 'int8', reference: 'sentencekit-int8', command: PYTHON, args: [join(__dirname, 'ort_peer.py'), '--onnx', INT8] },
    { id: 'transformersjs-fp32', label: 'transformers.js', precision: 'fp32', reference: 'sentencekit-fp32', ...tjs, args: [...tjs.args, '--onnx', FP32] },
    { id: 'transformersjs-int8', label: 'transformers.js', precision: 'int8', reference: 'sentencekit-int8', ...tjs, args: [...tjs.args, '--onnx', INT8] },
    { id: 'fastembed-js-fp32', label: 'fastembed-js', precision: 'fp32', reference: 'sentencekit-fp32', ...fe, args: [...fe.args, '--onnx', FP32] },
    { id: 'fastembed-js-int8', label: 'fastembed-js', precision: 'int8', reference: 'sentencekit-int8', ...fe, args: [...fe.args, '--onnx', INT8] },
  ];
}

function ensureModels(): void {
  if (existsSync(join(MODEL, INT8))) return;
  console.error(`${MODEL} is missing: making it (npm run bench:models)`);
  const made = spawnSync(PYTHON, [join(ROOT, 'test', 'tools', 'make_fixtures.py'), 'minilm'], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('`npm run bench:models` failed; run `npm run setup:python` first');
}

function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

function runPeer(spec: PeerSpec, common: string[], cache: string): PeerRecord {
  const embeddings = join(cache, `${spec.id}.f32`);
  const started = new Date().toISOString();
  const loadBefore = load();
  console.error(`[${started}] ${spec.id} (load ${loadBefore})`);
  const run = spawnSync(spec.command, [...spec.args, ...common, '--embeddings-out', embeddings], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    // Tokenizer thread pools, HF offline: nothing may reach the network.
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
  });
  const base = { id: spec.id, label: spec.label, precision: spec.precision, reference: spec.reference, started, load_before: loadBefore, load_after: load() };
  const line = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    const why = `${(run.stderr ?? '').trim().split('\n').slice(-8).join('\n')}`.trim() || `exit ${run.status}`;
    console.error(`  failed: ${why}`);
    return { ...base, ok: false, error: why };
  }
  const result = JSON.parse(line) as PeerResult;
  console.error(`  ${result.throughput.sentences_per_second.toFixed(1)} sentences/s`);
  return { ...base, ok: true, result, embeddings };
}

async function main(): Promise<void> {
  const count = Number(option('texts', '10000'));
  const requests = Number(option('requests', String(Math.min(2000, count))));
  const callers = Number(option('callers', '64'));
  const latencyCalls = Number(option('latency-calls', '200'));
  const threads = Number(option('threads', String(cpus().length)));
  const out = option('out', __dirname);
  const only = option('peers', '').split(',').filter(Boolean);
  ensureModels();

  const { file: textsFile } = mixedLengthCorpus(count); // 5–200 words, seed 42
  const { file: queriesFile } = mixedLengthCorpus(Math.max(latencyCalls, 20), 5, 10, 7);
  const cache = join(ROOT, 'bench', '.cache', 'peers', `${count}-texts`); // runs of other sizes keep theirs
  mkdirSync(cache, { recursive: true });
  const common = [
    '--model', MODEL, '--texts', textsFile, '--queries', queriesFile, '--batch-size', '32', '--threads', String(threads),
    '--latency-calls', String(latencyCalls), '--warmup', '20', '--callers', String(callers), '--requests', String(requests),
  ];

  const startLoad = load();
  const machine = (): Results['machine'] => ({ cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', load_start: startLoad, load_end: load(), node: process.version });
  const options = { texts: count, words: '5–200', seed: 42, queries: '5–10 words, seed 7', batch_size: 32, threads, latency_calls: latencyCalls, warmup: 20, callers, requests };
  const write = (records: PeerRecord[]): Results => {
    const results: Results = { date: new Date().toISOString(), machine: machine(), options, peers: records.map(({ embeddings: _, ...rest }) => rest) };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(out, 'throughput.svg'), throughputChart(results));
    return results;
  };

  const records: PeerRecord[] = [];
  for (const spec of peers().filter((p) => only.length === 0 || only.includes(p.id))) {
    records.push(runPeer(spec, common, cache));
    write(records); // a long run that is stopped still leaves what it measured
  }

  // Everyone's corpus embeddings against ours at the same precision: same work, or stated.
  for (const record of records) {
    const reference = records.find((r) => r.id === record.reference);
    if (!record.ok || !record.embeddings || !reference?.embeddings) continue;
    record.agreement = agreement(readEmbeddings(record.embeddings), readEmbeddings(reference.embeddings), count);
  }
  console.log(markdownTable(write(records)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
