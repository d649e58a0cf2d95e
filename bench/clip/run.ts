/**
 * Images/s of a ViT-B/32-shaped CLIP end to end (decode + preprocess + vision tower) on the same
 * JPEG files: sentencekit (bf16x3 and int8 engines, and ONNX Runtime on the towers' fp32 export) against Python sentence-transformers (PIL +
 * torch, bench/clip/st_peer.py) and transformers.js (its RawImage + CLIP processor + ONNX Runtime
 * on an export of the same weights), interleaved round by round; plus sentencekit's decode +
 * preprocess alone, for the share of decoding.
 *
 *   test/tools/.venv/bin/python bench/clip/make_model.py /tmp/clip-bench
 *   flock /tmp/bench.lock node --import tsx bench/clip/run.ts /tmp/clip-bench [--rounds 2] [--threads 2]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SentenceTransformer } from '../../lib/index.js';
import { loadImageProcessorConfig } from '../../lib/image-processor-config.js';
import { preprocessImages } from '../../lib/image-preprocess.js';

const ROOT = join(__dirname, '..', '..');
const BATCH = 32;

type Peer = { name: string; run(paths: string[]): Promise<number> };

async function sentencekitPeer(model: string, backend: 'sentencekit-bf16x3' | 'sentencekit-int8' | 'onnx', threads: number): Promise<Peer> {
  const st = await SentenceTransformer.fromPretrained(model, { backend, intraOpThreads: threads });
  return {
    name: backend === 'onnx' ? 'sentencekit onnx (fp32 ONNX Runtime)' : `sentencekit ${backend.slice('sentencekit-'.length)}`,
    async run(paths) {
      await st.encode(paths.slice(0, BATCH).map((path) => ({ path })), { batchSize: BATCH });
      const started = performance.now();
      await st.encode(paths.map((path) => ({ path })), { batchSize: BATCH });
      return paths.length / ((performance.now() - started) / 1000);
    },
  };
}

async function decodeOnlyPeer(model: string): Promise<Peer> {
  const config = await loadImageProcessorConfig(model);
  return {
    name: 'sentencekit decode + preprocess only',
    async run(paths) {
      const started = performance.now();
      for (let start = 0; start < paths.length; start += BATCH) {
        await preprocessImages(paths.slice(start, start + BATCH).map((path) => ({ path })), config);
      }
      return paths.length / ((performance.now() - started) / 1000);
    },
  };
}

function pythonPeer(model: string, images: string, threads: number): Peer {
  return {
    name: 'sentence-transformers (PIL + torch)',
    async run() {
      const out = execFileSync(join(ROOT, 'test', 'tools', '.venv', 'bin', 'python'),
        [join(__dirname, 'st_peer.py'), model, images, '--batch', String(BATCH), '--threads', String(threads)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const line = out.trim().split('\n').pop() as string;
      return (JSON.parse(line) as { images_per_s: number }).images_per_s;
    },
  };
}

async function transformersJsPeer(folder: string, threads: number): Promise<Peer> {
  const hf = await import('@huggingface/transformers');
  hf.env.allowRemoteModels = false;
  hf.env.localModelPath = '';
  const processor = await hf.AutoProcessor.from_pretrained(folder);
  const vision = await hf.CLIPVisionModelWithProjection.from_pretrained(folder, {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: threads },
  } as Record<string, unknown>);
  const encode = async (paths: string[]): Promise<void> => {
    for (let start = 0; start < paths.length; start += BATCH) {
      const images = await Promise.all(paths.slice(start, start + BATCH).map((path) => hf.RawImage.read(path)));
      const inputs = await processor(images);
      await vision(inputs);
    }
  };
  return {
    name: 'transformers.js (fp32 ONNX)',
    async run(paths) {
      await encode(paths.slice(0, BATCH));
      const started = performance.now();
      await encode(paths);
      return paths.length / ((performance.now() - started) / 1000);
    },
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    peers: { type: 'string', default: 'bf16x3,int8,onnx,python,transformers.js,decode' },
    limit: { type: 'string', default: '0' },
  } });
  const dir = positionals[0] ?? '/tmp/clip-bench';
  const model = join(dir, 'model');
  const images = join(dir, 'images');
  const all = readdirSync(images).filter((name) => name.endsWith('.jpg')).sort().map((name) => join(images, name));
  const paths = Number(values.limit) > 0 ? all.slice(0, Number(values.limit)) : all;
  const threads = Number(values.threads);
  const wanted = new Set((values.peers as string).split(','));
  const peers: Peer[] = [];
  if (wanted.has('bf16x3')) peers.push(await sentencekitPeer(model, 'sentencekit-bf16x3', threads));
  if (wanted.has('int8')) peers.push(await sentencekitPeer(model, 'sentencekit-int8', threads));
  if (wanted.has('onnx')) peers.push(await sentencekitPeer(model, 'onnx', threads));
  if (wanted.has('python')) peers.push(pythonPeer(model, images, threads));
  if (wanted.has('transformers.js')) peers.push(await transformersJsPeer(join(dir, 'transformers-js'), threads));
  if (wanted.has('decode')) peers.push(await decodeOnlyPeer(model));
  console.log(`${paths.length} JPEGs, ${cpus()[0]?.model}, ${threads} threads, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const results = new Map<string, number[]>();
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (const peer of peers) {
      const rate = await peer.run(paths);
      results.set(peer.name, [...(results.get(peer.name) ?? []), rate]);
      console.log(`round ${round + 1}: ${peer.name}: ${rate.toFixed(2)} images/s (load ${loadavg()[0]?.toFixed(1)})`);
    }
  }
  for (const [name, rates] of results) console.log(`${name}: ${rates.map((r) => r.toFixed(2)).join(' / ')} images/s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
