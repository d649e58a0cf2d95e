/**
 * The lock huggingface_hub takes around each blob download, taken from Node.
 *
 * huggingface_hub locks `<cache>/.locks/<repo folder>/<etag>.lock` with filelock's
 * UnixFileLock: open(O_RDWR | O_CREAT | O_NOFOLLOW, 0o664), then flock(LOCK_EX); it truncates
 * the file and chmods it 0o664 once it holds the lock, and never deletes it. Node has no
 * flock(), so we open the same file ourselves and hand that descriptor to util-linux's
 * `flock(1)` as its fd 3: `flock --exclusive 3` blocks until it locks the open file
 * description, then exits. A flock lock belongs to the open file description, not to the
 * process, and our descriptor still refers to it, so the lock stays held by us until we close
 * it — or until the kernel closes it when this process dies, exactly as for Python. Python
 * and Node therefore exclude each other on the same lock, with no addon and no long-lived
 * helper process.
 *
 * Where no lock can be taken (no flock(1), or a filesystem without flock), huggingface_hub
 * falls back to a soft lock; we go on unlocked instead, which stays correct for the same
 * reason huggingface_hub gives for its best-effort lock: every download writes its own
 * uniquely named temporary file and renames it into place atomically. The caller is told
 * (`held: false`) so it adopts no partial download it cannot prove abandoned.
 * Internal: not exported from the package entry point.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileLock {
  /** Whether the flock is really held (false: no flock(1) or no flock on this filesystem). */
  readonly held: boolean;
  release(): Promise<void>;
}

let warned = false;

function warnUnlocked(path: string, why: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(`sentencekit: cannot lock ${path} (${why}); downloading without the lock huggingface_hub uses (still safe: each download writes its own temporary file)`, { code: 'SENTENCEKIT_HUB_LOCK' });
}

/** Runs `flock --exclusive 3` on `handle`; resolves true once our descriptor holds the lock. */
function flockDescriptor(handle: FileHandle, signal: AbortSignal | undefined): Promise<{ ok: boolean; why: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn('flock', ['--exclusive', '3'], { stdio: ['ignore', 'ignore', 'pipe', handle.fd] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ ok: false, why: error.code === 'ENOENT' ? 'flock(1) from util-linux is not installed' : error.message });
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      resolve({ ok: code === 0, why: stderr.trim() || `flock exited with ${code}` });
    });
  });
}

/**
 * Takes the exclusive lock on `path`, waiting for whoever (Python or Node) holds it; `signal`
 * abandons the wait.
 */
export async function lockFile(path: string, signal: AbortSignal | undefined): Promise<FileLock> {
  for (;;) {
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o664);
    } catch (error) {
      // Another user's lock file we may not write, a read-only cache: no lock, but no failure.
      warnUnlocked(path, (error as Error).message);
      return { held: false, release: async () => undefined };
    }
    let result: { ok: boolean; why: string };
    try {
      result = await flockDescriptor(handle, signal);
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (!result.ok) {
      await handle.close();
      warnUnlocked(path, result.why);
      return { held: false, release: async () => undefined };
    }
    // As filelock: a lock on a file unlinked meanwhile guards nothing; start again.
    if ((await handle.stat()).nlink === 0) {
      await handle.close();
      continue;
    }
    await handle.truncate(0);
    await handle.chmod(0o664).catch(() => undefined);
    let released = false;
    return {
      held: true,
      release: async () => {
        if (released) return;
        released = true;
        await handle.close();
      },
    };
  }
}
