// cpu-level-independent: the levels stage does not run this file again.
// The Node peers of bench/peers run end to end on the tiny fixture model, offline: each prints
// its one JSON line, and transformers.js and fastembed-js, loading the same ONNX file from the
// local folder, give our embeddings (so the benchmark compares the same work). No timing is
// asserted. Texts are the fixture corpus' short ones: transformers.js truncates at the
// tokenizer's model_max_length, not sentence-transformers' max_seq_length.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readEmbeddings } from '../../bench/peer-timing.js';
import { agreement, type PeerResult } from '../../bench/peers/results.js';
import { TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sentencekit-peers-'));
const texts = tinyBertReference().texts.filter((t) => t.length > 0 && t.length < 120).slice(0, 16);
writeFileSync(join(work, 'texts.json'), JSON.stringify(texts));
writeFileSync(join(work, 'queries.json'), JSON.stringify(texts.slice(0, 3)));

function runPeer(script: string): { result: PeerResult; embeddings: Float32Array } {
  const out = join(work, `${script}.f32`);
  const run = spawnSync(process.execPath, [
    '--import', 'tsx', join(ROOT, 'bench', 'peers', script),
    '--model', TINY_BERT, '--onnx', 'onnx/model.onnx', '--texts', join(work, 'texts.json'), '--queries', join(work, 'queries.json'),
    '--embeddings-out', out, '--threads', '1', '--latency-calls', '3', '--warmup', '1', '--callers', '4', '--requests', '8',
  ], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } });
  assert.is(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as PeerResult;
  assert.is(result.latency.calls, 3);
  assert.is(result.concurrent.requests, 8);
  assert.ok(result.throughput.sentences_per_second > 0);
  assert.ok(result.event_loop_lag !== undefined && result.event_loop_lag.throughput.max_ms >= 0);
  return { result, embeddings: readEmbeddings(out) };
}

const ours = runPeer('sentencekit-peer.ts');

test('sentencekit peer: one JSON line and its corpus embeddings', () => {
  assert.is(ours.result.peer, 'sentencekit');
  assert.is(ours.embeddings.length % texts.length, 0);
});

test('transformers.js runs offline on the same ONNX file and agrees with ours', () => {
  const peer = runPeer('transformersjs-peer.ts');
  assert.is(peer.result.versions.onnxruntime_node, '1.30.0');
  const check = agreement(peer.embeddings, ours.embeddings, texts.length);
  assert.ok(check.min_cosine > 0.9999, JSON.stringify(check));
  assert.ok(check.min_centered_cosine > 0.999, JSON.stringify(check));
});

test('fastembed-js loads the local folder; its first-token pooling differs from mean pooling', () => {
  const peer = runPeer('fastembed-peer.ts');
  assert.is(peer.embeddings.length, ours.embeddings.length);
  // tiny-bert's weights make [CLS] and mean pooling far apart (the MiniLM bench model's do not).
  assert.ok(agreement(peer.embeddings, ours.embeddings, texts.length).min_cosine < 0.9);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
