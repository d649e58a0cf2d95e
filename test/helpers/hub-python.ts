/**
 * Python's huggingface_hub (test/tools/.venv, made by `npm run setup:python`) run beside
 * sentencekit in the Hub tests, pointed at the fake Hub through HF_ENDPOINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const VENV = join(__dirname, '..', 'tools', '.venv', 'bin');
export const PYTHON = join(VENV, 'python');
export const HF_CLI = join(VENV, 'hf');
export const HAS_PYTHON_HUB = existsSync(PYTHON) && existsSync(HF_CLI);
export const NO_PYTHON_REASON = 'test/tools/.venv with huggingface_hub is missing (npm run setup:python)';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for a Python child: only what is given (plus PATH), so no real token or cache leaks in. */
export function pythonEnv(vars: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_UPDATE_CHECK: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', ...vars };
}

/** Starts `command`; `done` settles with its output when it exits. */
export function start(command: string, args: string[], env: Record<string, string>, cwd?: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs a Python snippet (`args` are its sys.argv[1:]); rejects with its stderr when it fails. */
export async function python(code: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  const run = await start(PYTHON, ['-c', code, ...args], pythonEnv(env)).done;
  if (run.code !== 0) throw new Error(`python exited with ${run.code ?? run.signal}:\n${run.stderr}`);
  return run.stdout;
}

/** snapshot_download of the whole repository; prints the snapshot folder. */
export const SNAPSHOT_DOWNLOAD = 'import sys\nfrom huggingface_hub import snapshot_download\nprint(snapshot_download(sys.argv[1]))';

/** sentence-transformers' way: hf_hub_download file by file (no trees/ listing is written). */
export const FILE_BY_FILE = 'import sys\nfrom huggingface_hub import hf_hub_download\nfor f in sys.argv[2:]:\n    print(hf_hub_download(sys.argv[1], f))';

/** The names of the partial downloads scan_cache_dir reports in HF_HUB_CACHE. */
export async function scanIncomplete(env: Record<string, string>): Promise<string[]> {
  const out = await python('import json\nfrom huggingface_hub import scan_cache_dir\nprint(json.dumps([f.file_path.name for f in scan_cache_dir().incomplete_files]))', env);
  return JSON.parse(out) as string[];
}

/** `hf cache verify <repo> --fail-on-extra-files` (checksums against the Hub's listing); its output, or a failure. */
export async function hfCacheVerify(repo: string, env: Record<string, string>): Promise<string> {
  const run = await start(HF_CLI, ['cache', 'verify', repo, '--fail-on-extra-files'], pythonEnv(env)).done;
  if (run.code !== 0) throw new Error(`hf cache verify exited with ${run.code ?? run.signal}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout + run.stderr;
}
