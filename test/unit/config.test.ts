// cpu-level-independent: the levels stage does not run this file again.
// Configuration (issue 18): every SENTENCEKIT_* variable read once, native ones in
// native/core/config.cc and lib's in lib/config.ts, and reported by runtimeInfo().environment.
// (The search thread count as a per-call option: search.test.ts.)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runtimeInfo } from '../../lib/index.js';

const ROOT = join(__dirname, '..', '..');

/** runtimeInfo() in a fresh node with `env` added: the variables are read once, at first use. */
function childRuntimeInfo(env: Record<string, string>): { cpuLevel: string; environment: Record<string, string> } {
  const script = "const { runtimeInfo } = require('./lib/index.ts'); process.stdout.write(JSON.stringify(runtimeInfo()));";
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as { cpuLevel: string; environment: Record<string, string> };
}

test('runtimeInfo().environment reports the SENTENCEKIT_* variables set, native and lib alike, and they take effect', () => {
  const info = childRuntimeInfo({ SENTENCEKIT_CPU_LEVEL: 'scalar', SENTENCEKIT_THREADS: '2', SENTENCEKIT_NATIVE: join(ROOT, 'build', 'Release', 'sentencekit.node') });
  assert.is(info.environment.SENTENCEKIT_CPU_LEVEL, 'scalar');
  assert.is(info.environment.SENTENCEKIT_THREADS, '2');
  assert.is(info.environment.SENTENCEKIT_NATIVE, join(ROOT, 'build', 'Release', 'sentencekit.node'));
  assert.is(info.cpuLevel, 'scalar', 'the level the variable asks for');
});

test('runtimeInfo().environment leaves out what is not set', () => {
  const environment = runtimeInfo().environment;
  for (const name of Object.keys(environment)) assert.ok(process.env[name] !== undefined, `${name} is set`);
  if (process.env.SENTENCEKIT_AMX === undefined) assert.not.ok('SENTENCEKIT_AMX' in environment);
});

test.run();
