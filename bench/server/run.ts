// sentencekit serve under load against the same model in-process, in one run:
//   nice -n 5 node --import tsx bench/server/run.ts [--requests 100000] [--connections 64] [--rounds 4]
//        [--model bench/models/minilm-l6] [--cpu-engine onnxruntime] [--min-words 3] [--max-words 60]
//        [--max-batch-tokens N (serve's --max-batch-tokens; default serve's own)]
// In-process: `connections` callers each awaiting model.encode([text], { normalizeEmbeddings })
// until `requests` are answered. Server: `sentencekit serve` in a child process, autocannon
// (in this process) with `connections` keep-alive connections POSTing /embed {"inputs": text}
// until `requests` are answered; texts of mixed length (bench/corpus.ts, seed 42) in turn.
// The requests are split into `rounds` rounds, in-process and server alternating, so both see
// the same machine on average (it is shared); totals are over all rounds, latency percentiles
// over every request. The server's RSS is sampled from /proc every second.
// Needs `npm run bench:models` for the default model.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';

import { SentenceTransformer } from '../../lib/index.js';
import type { CpuEngine } from '../../lib/device.js';
import { option } from '../cli-option.js';
import { mixedLengthCorpus } from '../corpus.js';
import { concurrent, percentile } from '../peer-timing.js';

const ROOT = join(__dirname, '..', '..');

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function startServer(model: string, engine: string, extra: string[]): Promise<{ port: number; pid: number; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'lib', 'cli.ts'), 'serve', '--model', model, '--cpu-engine', engine,
    '--hostname', '127.0.0.1', '--port', '0', '--max-concurrent-requests', '1024', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const ready = /ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (ready) resolve(Number(ready[1]));
    });
    void exit.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { port, pid: child.pid as number, stop: async () => { child.kill('SIGTERM'); return exit; } };
}

function load(port: number, texts: string[], connections: number, amount: number): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      amount,
      timeout: 60,
      requests: [{
        method: 'POST',
        path: '/embed',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ inputs: texts[next++ % texts.length] }) }),
      }],
    }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function main(): Promise<void> {
  const requests = Number(option('requests', '100000'));
  const connections = Number(option('connections', '64'));
  const model = option('model', join(ROOT, 'bench', 'models', 'minilm-l6'));
  const engine = option('cpu-engine', 'onnxruntime') as CpuEngine;
  const { texts } = mixedLengthCorpus(2000, Number(option('min-words', '3')), Number(option('max-words', '60')));
  const warmup = Math.max(connections, Math.min(2000, Math.ceil(requests / 20)));
  console.log(`CPU: ${cpus()[0]?.model} × ${cpus().length}; load average at start ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`${requests} requests, ${connections} connections/callers, ${texts.length} texts of mixed length, model ${model} (${engine})`);

  const rounds = Number(option('rounds', '4'));
  const perRound = Math.ceil(requests / rounds);
  // The in-process model is loaded for its rounds only: an idle second model in this process
  // slowed the server rounds (its ONNX Runtime threads share the two cores).
  const loadInProcess = async () => {
    const inProcess = await SentenceTransformer.fromPretrained(model, { cpuEngine: engine });
    const encodeOne = (text: string) => inProcess.encode([text], { normalizeEmbeddings: true });
    await concurrent(encodeOne, texts, connections, warmup);
    return { encodeOne, dispose: () => inProcess.dispose() };
  };
  const batchTokens = option('max-batch-tokens', '');
  const server = await startServer(model, engine, batchTokens === '' ? [] : ['--max-batch-tokens', batchTokens]);
  await load(server.port, texts, connections, warmup);

  const local = { seconds: 0, requests: 0, samples: [] as number[] };
  const served = { seconds: 0, requests: 0, errors: 0, non2xx: 0, timeouts: 0, p50: [] as number[], p99: [] as number[] };
  const rss: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { encodeOne, dispose } = await loadInProcess();
    const started = process.hrtime.bigint();
    const samples: number[] = [];
    await concurrent(async (text) => {
      const t = process.hrtime.bigint();
      await encodeOne(text);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }, texts, connections, perRound);
    local.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    local.requests += perRound;
    local.samples.push(...samples);
    await dispose();

    const sampler = setInterval(() => rss.push(rssMb(server.pid)), 1000);
    const begun = process.hrtime.bigint();
    const result = await load(server.port, texts, connections, perRound);
    clearInterval(sampler);
    const seconds = Number(process.hrtime.bigint() - begun) / 1e9;
    served.seconds += seconds;
    served.requests += result.requests.total;
    served.errors += result.errors;
    served.non2xx += result.non2xx;
    served.timeouts += result.timeouts;
    served.p50.push(result.latency.p50);
    served.p99.push(result.latency.p99);
    const localSeconds = Number(begun - started) / 1e9;
    console.log(`round ${round + 1}: in-process ${(perRound / localSeconds).toFixed(1)} req/s, server ${(result.requests.total / seconds).toFixed(1)} req/s ` +
      `(p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms); load ${loadavg()[0]?.toFixed(2)}`);
  }
  const code = await server.stop();
  const localRate = local.requests / local.seconds;
  const servedRate = served.requests / served.seconds;
  console.log(`in-process: ${localRate.toFixed(1)} req/s, p50 ${percentile(local.samples, 50).toFixed(1)} ms, p99 ${percentile(local.samples, 99).toFixed(1)} ms (${local.seconds.toFixed(1)} s)`);
  console.log(`server: ${servedRate.toFixed(1)} req/s, p50 ${Math.max(...served.p50)} ms and p99 ${Math.max(...served.p99)} ms (worst round) (${served.seconds.toFixed(1)} s); ` +
    `${served.requests} answered, errors ${served.errors}, non-2xx ${served.non2xx}, timeouts ${served.timeouts}; exit ${code}`);
  const tenth = rss[Math.floor(rss.length / 10)] ?? Number.NaN;
  console.log(`server RSS: ${tenth.toFixed(0)} MB after 10% of the run, ${(rss.at(-1) ?? Number.NaN).toFixed(0)} MB at the end, max ${Math.max(...rss).toFixed(0)} MB (${rss.length} samples)`);
  console.log(`server ÷ in-process throughput: ${(servedRate / localRate).toFixed(3)}; load average at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
