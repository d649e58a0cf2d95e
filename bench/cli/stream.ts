/**
 * The command line on a long stdin: N lines of 3-20 words piped from a file into
 * `sentencekit encode`, measuring the time from start to the first result line, the total
 * time, the peak RSS (the process's own getrusage maxRSS, written at exit by a preloaded
 * hook) and the RSS sampled as it runs (/proc/<pid>/status), so a memory that grows with the
 * input shows. test/unit/cli-stream.test.ts runs it small; `node --import tsx
 * bench/cli/stream.ts --lines 1000000` runs it in full (bench/RESULTS.md).
 */
import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

export interface StreamRun {
  lines: number;
  outputLines: number;
  firstResultMs: number;
  totalMs: number;
  peakRssMb: number;
  /** RSS samples (MB) with the share of output done when each was taken. */
  samples: Array<{ done: number; rssMb: number }>;
}

const WORDS = 'the cat sat on a mat with some dogs and birds near an old house by the river while children play games in summer light'.split(' ');

/** Writes `lines` pseudo-random sentences (a fixed seed) to `file`. */
export async function writeLines(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  let chunk = '';
  for (let i = 0; i < lines; i += 1) {
    const count = 3 + (next() % 18);
    const words: string[] = [];
    for (let w = 0; w < count; w += 1) words.push(WORDS[next() % WORDS.length] as string);
    chunk += `${words.join(' ')}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `node <cliArgs…>` (the CLI script first) with `file` as stdin, counting output lines.
 * `cliArgs` e.g. ['dist/cjs/cli.js', 'encode', '--model', 'test/fixtures/tiny-bert'].
 */
export async function measureStream(file: string, lines: number, cliArgs: string[], nodeArgs: string[] = []): Promise<StreamRun> {
  const work = mkdtempSync(join(tmpdir(), 'sentencekit-cli-stream-'));
  try {
    const statsFile = join(work, 'usage.json');
    const preload = join(work, 'max-rss.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(statsFile)}, JSON.stringify(process.resourceUsage())));\n`);
    const started = performance.now();
    const input = openSync(file, 'r');
    const child = spawn(process.execPath, [...nodeArgs, '--require', preload, ...cliArgs], { stdio: [input, 'pipe', 'pipe'] });
    closeSync(input);
    const { stdout, stderr: errors } = child as typeof child & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
    let firstResultMs = Number.NaN;
    let outputLines = 0;
    let stderr = '';
    const samples: StreamRun['samples'] = [];
    errors.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    stdout.on('data', (data: Buffer) => {
      if (outputLines === 0) firstResultMs = performance.now() - started;
      for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) outputLines += 1;
    });
    const sampler = setInterval(() => {
      const rss = child.pid === undefined ? null : rssMb(child.pid);
      if (rss !== null) samples.push({ done: outputLines / lines, rssMb: rss });
    }, 100);
    const [code] = (await once(child, 'close')) as [number | null];
    clearInterval(sampler);
    const totalMs = performance.now() - started;
    if (code !== 0) throw new Error(`the CLI exited with ${code}: ${stderr}`);
    const usage = JSON.parse(readFileSync(statsFile, 'utf8')) as { maxRSS: number };
    return { lines, outputLines, firstResultMs, totalMs, peakRssMb: usage.maxRSS / 1024, samples };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv;
  const flag = (name: string, fallback: string): string => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? (argv[at + 1] ?? fallback) : fallback;
  };
  const lines = Number(flag('lines', '1000000'));
  const model = flag('model', join(__dirname, '..', '..', 'test', 'fixtures', 'tiny-bert'));
  const cli = join(__dirname, '..', '..', 'dist', 'cjs', 'cli.js');
  const work = mkdtempSync(join(tmpdir(), 'sentencekit-cli-bench-'));
  try {
    const file = join(work, 'lines.txt');
    await writeLines(file, lines);
    const run = await measureStream(file, lines, [cli, 'encode', '--model', model]);
    const at = (share: number): number => run.samples.find((s) => s.done >= share)?.rssMb ?? Number.NaN;
    console.log(`sentencekit encode --model ${model} < ${lines.toLocaleString('en-US')} lines`);
    console.log(`  output lines: ${run.outputLines.toLocaleString('en-US')}`);
    console.log(`  first result: ${run.firstResultMs.toFixed(0)} ms after start`);
    console.log(`  total: ${(run.totalMs / 1000).toFixed(1)} s (${((lines / run.totalMs) * 1000).toFixed(0)} lines/s)`);
    console.log(`  peak RSS: ${run.peakRssMb.toFixed(0)} MB; RSS at 10% / 50% / 90% of the output: ${[0.1, 0.5, 0.9].map((s) => at(s).toFixed(0)).join(' / ')} MB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
