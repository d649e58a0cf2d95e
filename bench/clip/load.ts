/**
 * Load time of a ViT-B/32-shaped CLIP from the Hub's layout (pytorch_model.bin read through its
 * tensor table, the tokenizer built from vocab.json + merges.txt) against the same weights in
 * sentence-transformers 6's (model.safetensors, tokenizer.json), each load in a fresh process
 * (so the peak RSS is the load's own), the two layouts interleaved round by round; then one text
 * and one image encoded, to show the loaded model runs.
 *
 *   test/tools/.venv/bin/python bench/clip/make_hub_model.py /tmp/clip-load
 *   flock /tmp/bench.lock node --import tsx bench/clip/load.ts /tmp/clip-load [--rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SentenceTransformer } from '../../lib/index.js';

async function child(dir: string): Promise<void> {
  const started = performance.now();
  const model = await SentenceTransformer.fromPretrained(dir);
  const loadMs = performance.now() - started;
  const pixels = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 37) % 256);
  const rows = await model.encode(['a dog in the snow', { pixels, width: 64, height: 48, channels: 3 }]);
  await model.dispose();
  process.stdout.write(JSON.stringify({ loadMs, peakRssMb: process.resourceUsage().maxRSS / 1024, rows: rows.rows }) + '\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '3' }, child: { type: 'boolean', default: false } } });
  const dir = positionals[0];
  if (dir === undefined) throw new Error('usage: load.ts <folder from make_hub_model.py> [--rounds N]');
  if (values.child) return child(dir);
  const layouts = { "Hub's (pytorch_model.bin, vocab.json + merges.txt)": join(dir, 'model-hub'), 'sentence-transformers 6 (model.safetensors, tokenizer.json)': join(dir, 'model-st') };
  const results = new Map<string, Array<{ loadMs: number; peakRssMb: number }>>();
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (const [name, folder] of Object.entries(layouts)) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, folder, '--child'], { encoding: 'utf8' });
      const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { loadMs: number; peakRssMb: number; rows: number };
      if (result.rows !== 2) throw new Error(`${name}: encoded ${result.rows} rows`);
      results.set(name, [...(results.get(name) ?? []), result]);
      console.log(`round ${round + 1} ${name}: load ${result.loadMs.toFixed(0)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
    }
  }
  console.log(`\n${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| layout | load ms per round | median | peak RSS MB (median) |\n|---|---|---:|---:|');
  for (const [name, runs] of results) {
    console.log(`| ${name} | ${runs.map((r) => r.loadMs.toFixed(0)).join(' / ')} | ${median(runs.map((r) => r.loadMs)).toFixed(0)} | ${median(runs.map((r) => r.peakRssMb)).toFixed(0)} |`);
  }
}

void main();
