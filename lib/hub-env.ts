/**
 * The Hub settings huggingface_hub reads from the environment (its constants.py and
 * utils/_auth.py), read the same way so Node and Python agree on one cache, one endpoint,
 * one offline switch and one saved token. Read at each call rather than once at import (as
 * Python does) so a long-lived process sees what its environment says now.
 * Internal: not exported from the package entry point.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { SentenceKitError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** huggingface_hub's ENV_VARS_TRUE_VALUES, compared case-insensitively. */
const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);

export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && TRUE_VALUES.has(value.toUpperCase());
}

/** os.path.expanduser for '~' and '~/…' (what a shell leaves unexpanded in a quoted variable). */
function expandUser(path: string, env: Env): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  return (env.HOME || homedir()) + path.slice(1);
}

/** os.path.expandvars: $NAME and ${NAME} of set variables; unknown ones stay as written. */
function expandVars(path: string, env: Env): string {
  return path.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, bare: string | undefined, braced: string | undefined) => env[(bare ?? braced) as string] ?? whole);
}

/** posixpath.join: no normalisation, so a path reads exactly as Python builds it. */
function join(...parts: string[]): string {
  return parts.reduce((path, part) => (part.startsWith('/') || path === '' ? part : path.endsWith('/') ? path + part : `${path}/${part}`), '');
}

function expand(path: string, env: Env): string {
  return expandVars(expandUser(path, env), env);
}

function seconds(name: string, env: Env, fallback: number): number {
  const value = env[name];
  if (value === undefined) return fallback * 1000;
  const parsed = Number(value.trim());
  if (!Number.isInteger(parsed) || value.trim() === '') {
    throw new SentenceKitError('ERR_INVALID_ARGUMENT', `${name} must be a whole number of seconds but is ${JSON.stringify(value)}`);
  }
  // Python's `_as_int(value) or default`: 0 means the default.
  return (parsed || fallback) * 1000;
}

/** Python's `_is_true(os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE"))`, named. */
function offlineSetting(env: Env): string | undefined {
  const name = env.HF_HUB_OFFLINE ? 'HF_HUB_OFFLINE' : 'TRANSFORMERS_OFFLINE';
  return isTruthy(env[name]) ? `${name}=${env[name]}` : undefined;
}

/** What huggingface_hub would use, given `env`. */
export interface HubEnvironment {
  /** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
  hfHome: string;
  /** $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub. */
  hubCache: string;
  /** $HF_ENDPOINT without trailing slashes, else https://huggingface.co. */
  endpoint: string;
  /**
   * The setting that turned offline mode on ('HF_HUB_OFFLINE=1'), or undefined: HF_HUB_OFFLINE
   * (or, when that is unset or empty, TRANSFORMERS_OFFLINE) is 1, ON, YES or TRUE.
   */
  offline: string | undefined;
  /** $HF_TOKEN_PATH, else $HF_HOME/token: where `hf auth login` saves the token. */
  tokenPath: string;
  /** HF_HUB_DISABLE_IMPLICIT_TOKEN: send no token unless one is passed explicitly. */
  implicitTokenDisabled: boolean;
  /** HF_HUB_DISABLE_SYMLINKS: snapshot files are copies, not links into blobs/. */
  symlinksDisabled: boolean;
  /** HF_HUB_ETAG_TIMEOUT, for metadata requests (default 10 s). */
  etagTimeoutMs: number;
  /** HF_HUB_DOWNLOAD_TIMEOUT, for a download that receives nothing (default 10 s). */
  downloadTimeoutMs: number;
}

export function hubEnvironment(env: Env = process.env): HubEnvironment {
  const defaultHome = join(expandUser('~', env), '.cache');
  const hfHome = expand(env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? defaultHome, 'huggingface'), env);
  return {
    hfHome,
    hubCache: expand(env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, 'hub'), env),
    endpoint: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    offline: offlineSetting(env),
    tokenPath: expand(env.HF_TOKEN_PATH ?? join(hfHome, 'token'), env),
    implicitTokenDisabled: isTruthy(env.HF_HUB_DISABLE_IMPLICIT_TOKEN),
    symlinksDisabled: isTruthy(env.HF_HUB_DISABLE_SYMLINKS),
    etagTimeoutMs: seconds('HF_HUB_ETAG_TIMEOUT', env, 10),
    downloadTimeoutMs: seconds('HF_HUB_DOWNLOAD_TIMEOUT', env, 10),
  };
}

/** A token and where it came from, so an error about it can say which one to fix. */
export interface HubToken {
  token: string;
  source: string;
}

/** huggingface_hub's `_clean_token`: no CR/LF, trimmed, empty means none. */
function cleanToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return token.replace(/[\r\n]/g, '').trim() || undefined;
}

/**
 * The token to send, as huggingface_hub's `get_token_to_send` picks it: an explicit string;
 * none for `false`; otherwise (unless HF_HUB_DISABLE_IMPLICIT_TOKEN) $HF_TOKEN (or the older
 * $HUGGING_FACE_HUB_TOKEN), else the file `hf auth login` saved.
 */
export function resolveToken(explicit: string | false | undefined, settings: HubEnvironment, env: Env = process.env): HubToken | undefined {
  if (typeof explicit === 'string') return { token: explicit, source: 'the token option' };
  if (explicit === false || settings.implicitTokenDisabled) return undefined;
  const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    const token = cleanToken(fromEnv);
    if (token !== undefined) return { token, source: env.HF_TOKEN ? '$HF_TOKEN' : '$HUGGING_FACE_HUB_TOKEN' };
  }
  let saved: string;
  try {
    saved = readFileSync(settings.tokenPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SentenceKitError('ERR_HUB', `could not read the saved Hugging Face token at ${settings.tokenPath}: ${(error as Error).message}`, { cause: error });
  }
  const token = cleanToken(saved);
  return token === undefined ? undefined : { token, source: `the token saved at ${settings.tokenPath}` };
}
