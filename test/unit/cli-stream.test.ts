// cpu-level-independent: the levels stage does not run this file again.
// The command line as a Unix filter (issue 16): stdin is read line by line and results are
// written as each chunk finishes (output appears while stdin is still open), the first result
// comes in the first tenth of a long input's run, memory stays bounded whatever the input's length,
// and a progress bar (texts/s, ETA) is drawn on stderr only when stderr is a terminal,
// checked through a real pseudo-terminal (util-linux `script`).
//
// The timed runs use the CLI compiled to JavaScript (as installed), not tsx.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { measureStream, writeLines } from '../../bench/cli/stream.js';
import { TINY_BERT } from '../helpers/fixtures.js';

const ROOT = join(__dirname, '..', '..');
// Inside the package, so the CLI finds package.json and the native build as the installed one does.
const OUT = join(ROOT, 'node_modules', '.cache', 'sentencekit-cli-test');
const CLI = join(OUT, 'cli.js');
const WORK = mkdtempSync(join(tmpdir(), 'sentencekit-cli-stream-'));

test.before(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { stdio: 'inherit' });
});

test.after(() => {
  rmSync(WORK, { recursive: true, force: true });
  rmSync(OUT, { recursive: true, force: true });
});

test('results are written while stdin is still open', async () => {
  const child = spawn(process.execPath, [CLI, 'encode', '--model', TINY_BERT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const linesOut = (): number => stdout.split('\n').length - 1;
  const waitFor = async (count: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (linesOut() < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} lines, got ${linesOut()}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  try {
    child.stdin.write('first\nsecond\n');
    await waitFor(2);
    // Nothing was held back for the end of input, and later lines keep flowing.
    child.stdin.write('\nthird\n');
    await waitFor(3);
    child.stdin.end('fourth');
    const [code] = (await once(child, 'close')) as [number];
    assert.is(code, 0, stderr);
    assert.equal(stdout.trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text), ['first', 'second', 'third', 'fourth']);
  } finally {
    child.kill();
  }
});

test('a long input: the first result in the first tenth of the run, memory bounded by the chunk, not the input', async () => {
  const large = join(WORK, 'large.txt');
  await writeLines(large, 100_000);
  const run = await measureStream(large, 100_000, [CLI, 'encode', '--model', TINY_BERT]);
  const between = (from: number, to: number): number[] => run.samples.filter((s) => s.done >= from && s.done < to).map((s) => s.rssMb);
  const early = between(0.1, 0.3);
  const late = between(0.7, 1.01);
  console.log(`# cli 100k lines: first result ${run.firstResultMs.toFixed(0)} ms, ${(run.totalMs / 1000).toFixed(1)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB, ` +
    `RSS ${Math.max(...early).toFixed(0)} MB at 10-30% of the output, ${Math.max(...late).toFixed(0)} MB at 70-100%`);
  assert.is(run.outputLines, 100_000);
  // Streaming means output starts while most of the input is still unread; a CLI that waited for
  // stdin to close would print its first line near the end. A share of the run's own length, not
  // a wall-clock bound, so a busy machine slows both sides alike.
  assert.ok(run.firstResultMs < run.totalMs / 10, `first result after ${run.firstResultMs.toFixed(0)} ms of ${run.totalMs.toFixed(0)} ms`);
  // Once warm (V8's heap and ONNX Runtime's arena at their working size), memory stays flat
  // as the input goes on: nothing is kept per line. (bench/RESULTS.md: the same on 1M lines.)
  assert.ok(early.length > 0 && late.length > 0, 'RSS was sampled through the run');
  assert.ok(Math.max(...late) < Math.max(...early) + 16, `RSS grew from ${Math.max(...early).toFixed(0)} to ${Math.max(...late).toFixed(0)} MB`);
  assert.ok(run.peakRssMb < 256, `peak RSS ${run.peakRssMb.toFixed(0)} MB`);
});

test('a progress bar with texts/s and ETA on a terminal\'s stderr; nothing on a pipe', async () => {
  const input = join(WORK, 'progress.txt');
  await writeLines(input, 3_000);
  const output = join(WORK, 'progress.jsonl');
  // `script` gives the command a pseudo-terminal; stdout goes to a file so the terminal shows stderr alone.
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} encode --model ${JSON.stringify(TINY_BERT)} --batch-size 8 < ${JSON.stringify(input)} > ${JSON.stringify(output)}`;
  const run = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
  assert.is(run.status, 0, run.stdout + run.stderr);
  const terminal = run.stdout;
  assert.match(terminal, /texts\/s/);
  assert.match(terminal, /ETA \d\d:\d\d/, 'stdin is a file, so its size gives an ETA');
  assert.match(terminal, /\[#+-*\] +\d+%/, 'a bar');
  assert.match(terminal, /\r/, 'redrawn in place');
  assert.match(terminal, /3,000 texts in \d\d:\d\d/, 'a summary line at the end');
  const lines = execFileSync('wc', ['-l', output], { encoding: 'utf8' });
  assert.match(lines, /^3000 /);

  // The same run with stderr on a pipe draws nothing.
  const piped = spawnSync(process.execPath, [CLI, 'encode', '--model', TINY_BERT, '--batch-size', '8'], { input: 'a\nb\n', encoding: 'utf8' });
  assert.is(piped.status, 0);
  assert.is(piped.stderr, '');

  // Texts as arguments: their count gives the bar its total.
  const args = spawnSync('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} encode --model ${JSON.stringify(TINY_BERT)} one two three > /dev/null`, '/dev/null'], { encoding: 'utf8' });
  assert.is(args.status, 0);
  assert.match(args.stdout, /100%/);
});

test.run();
