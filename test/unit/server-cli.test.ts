// cpu-level-independent: the levels stage does not run this file again (the server is compared with the same model in-process, at whatever level both run).
// `sentencekit serve` as a process: flags, --workers on the cluster module (each worker
// answers, SIGTERM drains them all and the primary exits 0), the drain of a request in flight
// on SIGTERM, and usage errors (exit 2).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { TINY_BERT } from '../helpers/fixtures.js';

const CLI = join(__dirname, '..', '..', 'lib', 'cli.ts');

interface Serving {
  child: ChildProcess;
  port: number;
  stderr(): string;
  exit: Promise<number | null>;
}

/** Starts serve and waits until `readyLines` processes report ready. */
function serve(args: string[], readyLines = 1): Promise<Serving> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--hostname', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not get ready: ${stderr}`)), 60_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const ready = [...stderr.matchAll(/ready on http:\/\/127\.0\.0\.1:(\d+)/g)];
      if (ready.length >= readyLines) {
        clearTimeout(timer);
        resolve({ child, port: Number(ready[0]?.[1]), stderr: () => stderr, exit });
      }
    });
    void exit.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

test('--workers 2: two processes on one port, each answering; SIGTERM stops them all with exit 0', async () => {
  const serving = await serve(['--model', TINY_BERT, '--workers', '2'], 2);
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const expected = await model.encode(['hello'], { normalizeEmbeddings: true });
    const answers = await Promise.all(Array.from({ length: 16 }, () => fetch(`http://127.0.0.1:${serving.port}/embed`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: 'hello' }),
    }).then((r) => r.json() as Promise<number[][]>)));
    for (const rows of answers) assert.equal(Float32Array.from(rows[0] ?? []), expected.row(0));
    assert.is([...serving.stderr().matchAll(/\[worker \d+\]: ready/g)].length, 2);
  } finally {
    await model.dispose();
    serving.child.kill('SIGTERM');
  }
  assert.is(await serving.exit, 0);
  assert.match(serving.stderr(), /all workers stopped/);
});

test('SIGTERM: a request in flight finishes with 200, then the process exits 0', async () => {
  const serving = await serve(['--model', TINY_BERT]);
  const body = JSON.stringify({ inputs: 'in flight' });
  const socket = connect(serving.port, '127.0.0.1');
  let response = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { response += chunk; });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.write(`POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 4)}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  serving.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.write(body.slice(4));
  await closed;
  assert.match(response, /^HTTP\/1\.1 200/);
  assert.match(response, /connection: close/i);
  assert.is(await serving.exit, 0);
});

test('usage: no model, an unknown flag or a bad number is exit 2 with the reason; --help exit 0', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], { encoding: 'utf8' });
  const none = run([]);
  assert.is(none.status, 2);
  assert.match(none.stderr, /serve needs a model: --model, --reranker or --sparse-model/);
  const typo = run(['--model', TINY_BERT, '--max-batch-token', '5']);
  assert.is(typo.status, 2);
  assert.match(typo.stderr, /unknown option '--max-batch-token' — did you mean '--max-batch-tokens'\?/);
  const bad = run(['--model', TINY_BERT, '--workers', '0']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--workers expects an integer from 1 to 256 but received "0"/);
  const help = run(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /--max-client-batch-size <n>/);
});

test.run();
