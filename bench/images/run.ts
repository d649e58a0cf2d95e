/**
 * Image decoding + CLIP preprocessing, images/s: sentencekit's preprocessImages (sharp decode,
 * native PIL-exact resize / crop / normalise) against Python's PIL + CLIPImageProcessor on the
 * same files, clip-ViT-B-32's settings (224, bicubic), in batches of 32, the peers interleaved.
 * Also each side's decoding alone, for the share of decoding. Hold `flock /tmp/bench.lock`.
 *
 *   node --import tsx bench/images/run.ts        (env: IMAGES=<count> REPEATS=<n> PYTHON=<python>)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { loadImageProcessorConfig } from '../../lib/image-processor-config.js';
import { preprocessImages } from '../../lib/image-preprocess.js';

const ROOT = join(__dirname, '..', '..');
const PYTHON = process.env.PYTHON ?? join(ROOT, 'test', 'tools', '.venv', 'bin', 'python');
const COUNT = Number(process.env.IMAGES ?? 60);
const REPEATS = Number(process.env.REPEATS ?? 2);
const PROCESSOR = join(ROOT, 'test', 'fixtures', 'images', 'hub-224');
const BATCH = 32;

interface Timing { seconds: number; cpuSeconds: number; decodeSeconds: number; decodeCpuSeconds: number }

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();  // every thread of the process: sharp's, the libuv pool's
  return (user + system) / 1e6;
}

async function sentencekit(files: string[]): Promise<Timing> {
  const config = await loadImageProcessorConfig(PROCESSOR);
  await preprocessImages(files.slice(0, 2).map((path) => ({ path })), config);  // warm-up
  let started = performance.now();
  let cpu = cpuSeconds();
  // Decoding alone, as preprocessImages decodes (sharp raw pixels, a few at once).
  let next = 0;
  const lane = async () => {
    while (next < files.length) await sharp(files[next++]!, { ignoreIcc: true, autoOrient: true, failOn: 'error' }).raw().toBuffer();
  };
  await Promise.all(Array.from({ length: Math.max(2, cpus().length) }, lane));
  const decodeSeconds = (performance.now() - started) / 1000;
  const decodeCpuSeconds = cpuSeconds() - cpu;
  started = performance.now();
  cpu = cpuSeconds();
  for (let first = 0; first < files.length; first += BATCH) {
    const { errors, batch } = await preprocessImages(files.slice(first, first + BATCH).map((path) => ({ path })), config);
    if (errors.some(Boolean) || batch.height !== 224) throw new Error('preprocessing failed');
  }
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds() - cpu, decodeSeconds, decodeCpuSeconds };
}

function python(files: string[]): Timing {
  const out = execFileSync(PYTHON, [join(__dirname, 'pil_peer.py'), PROCESSOR, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const result = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
  return { seconds: result.seconds!, cpuSeconds: result.cpu_seconds!, decodeSeconds: result.decode_seconds!, decodeCpuSeconds: result.decode_cpu_seconds! };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sentencekit-image-bench-'));
  try {
    execFileSync(PYTHON, [join(__dirname, 'make_images.py'), dir, String(COUNT)], { stdio: 'inherit' });
    const files = readdirSync(dir).sort().map((name) => join(dir, name));
    console.log(`${files.length} files (1600x1200, 1200x1600, 1024x768, 640x480 JPEG q88; 800x800 PNG); ${cpus()[0]?.model}, ${cpus().length} CPUs; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const py = python(files);
      const sk = await sentencekit(files);
      const perImage = (seconds: number) => `${(1000 * seconds / files.length).toFixed(1).padStart(6)} ms`;
      const line = (name: string, r: Timing) =>
        `${name.padEnd(34)} ${(files.length / r.seconds).toFixed(1).padStart(6)} images/s, CPU ${perImage(r.cpuSeconds)}/image; ` +
        `decoding alone CPU ${perImage(r.decodeCpuSeconds)}/image (${(100 * r.decodeCpuSeconds / r.cpuSeconds).toFixed(0)}% of the CPU time)`;
      console.log(`run ${repeat + 1}:`);
      console.log(line('PIL + CLIPImageProcessor (Python)', py));
      console.log(line('sentencekit preprocessImages', sk));
      console.log(`  wall ratio ${(py.seconds / sk.seconds).toFixed(2)}x, CPU time ratio ${(py.cpuSeconds / sk.cpuSeconds).toFixed(2)}x; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
