// The command line (lib/cli.ts): one JSON line per text, on either CPU engine, and a bad option
// as a one-line error with exit code 1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';

const CLI = join(__dirname, '..', '..', 'lib', 'cli.ts');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });
}

for (const cpuEngine of ['onnxruntime', 'int8', 'bf16x3'] as const) {
  test(`encode prints each text's embedding (--cpu-engine ${cpuEngine})`, async () => {
    const run = cli('encode', '--model', TINY_BERT, '--cpu-engine', cpuEngine, 'hello world', 'a second text');
    assert.is(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { text: string; dimension: number; embedding: number[] });
    assert.equal(lines.map((line) => line.text), ['hello world', 'a second text']);
    const model = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine });
    try {
      const expected = await model.encode(['hello world', 'a second text']);
      lines.forEach((line, i) => {
        assert.is(line.dimension, expected.shape[1]);
        assert.ok(maxAbsDiff(line.embedding, expected.row(i)) < 1e-6, `text ${i}`);
      });
    } finally {
      await model.dispose();
    }
  });
}

test('a bad option is one error line and exit code 1', () => {
  const run = cli('encode', '--model', TINY_BERT, '--cpu-engine', 'fast', 'x');
  assert.is(run.status, 1);
  assert.match(run.stderr, /options\.cpuEngine/);
});

test.run();
