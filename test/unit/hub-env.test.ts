// cpu-level-independent: the levels stage does not run this file again.
// The Hub settings and token read from the environment, case by case, against what Python's
// huggingface_hub makes of the same environment.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { hubEnvironment, isTruthy, resolveToken } from '../../lib/hub-env.js';
import { throwsError } from '../helpers/errors.js';
import { withTempDir } from '../helpers/hub-env.js';
import { HAS_PYTHON_HUB, NO_PYTHON_REASON, python } from '../helpers/hub-python.js';
import { testIf } from '../helpers/skip.js';

interface Seen {
  hfHome: string;
  hubCache: string;
  endpoint: string;
  offline: boolean;
  tokenPath: string;
  implicitTokenDisabled: boolean;
  symlinksDisabled: boolean;
  etagTimeout: number;
  downloadTimeout: number;
  token: string | null;
}

function node(env: Record<string, string>): Seen {
  const settings = hubEnvironment(env);
  return {
    hfHome: settings.hfHome,
    hubCache: settings.hubCache,
    endpoint: settings.endpoint,
    offline: settings.offline !== undefined,
    tokenPath: settings.tokenPath,
    implicitTokenDisabled: settings.implicitTokenDisabled,
    symlinksDisabled: settings.symlinksDisabled,
    etagTimeout: settings.etagTimeoutMs / 1000,
    downloadTimeout: settings.downloadTimeoutMs / 1000,
    token: resolveToken(undefined, settings, env)?.token ?? null,
  };
}

// Reloads huggingface_hub.constants under each environment, as a fresh interpreter would read it.
const PYTHON_SIDE = `
import importlib, json, os, sys
from huggingface_hub import constants
from huggingface_hub.utils._headers import get_token_to_send
out = []
for env in json.loads(sys.argv[1] if len(sys.argv) > 1 else os.environ["CASES"]):
    for name in [n for n in os.environ if n.startswith(("HF_", "HUGGING", "XDG_", "TRANSFORMERS_"))]:
        del os.environ[name]
    os.environ.update(env)
    importlib.reload(constants)
    out.append({
        "hfHome": constants.HF_HOME, "hubCache": constants.HF_HUB_CACHE, "endpoint": constants.ENDPOINT,
        "offline": constants.HF_HUB_OFFLINE, "tokenPath": constants.HF_TOKEN_PATH,
        "implicitTokenDisabled": constants.HF_HUB_DISABLE_IMPLICIT_TOKEN, "symlinksDisabled": constants.HF_HUB_DISABLE_SYMLINKS,
        "etagTimeout": constants.HF_HUB_ETAG_TIMEOUT, "downloadTimeout": constants.HF_HUB_DOWNLOAD_TIMEOUT,
        "token": get_token_to_send(None),
    })
print(json.dumps(out))
`;

/** Environments that exercise each rule, under a scratch HOME holding a few token files. */
function cases(home: string): Array<Record<string, string>> {
  const base = { HOME: home };
  return [
    base,
    { ...base, XDG_CACHE_HOME: join(home, 'xdg') },
    { ...base, XDG_CACHE_HOME: join(home, 'xdg'), HF_HOME: '~/hf-home' },
    { ...base, HF_HOME: '$HOME/vars/${HOME}/x', HF_HUB_CACHE: '~/hub-cache' },
    { ...base, HUGGINGFACE_HUB_CACHE: join(home, 'legacy-cache') },
    { ...base, HUGGINGFACE_HUB_CACHE: join(home, 'legacy-cache'), HF_HUB_CACHE: join(home, 'new-cache') },
    { ...base, HF_ENDPOINT: 'http://127.0.0.1:9999///' },
    ...['1', 'true', 'TRUE', 'yes', 'On', '0', 'false', 'no', ' 1', 'TRUE '].map((value) => ({ ...base, HF_HUB_OFFLINE: value })),
    { ...base, HF_HUB_OFFLINE: '', TRANSFORMERS_OFFLINE: 'yes' },
    { ...base, HF_HUB_OFFLINE: '0', TRANSFORMERS_OFFLINE: '1' },
    { ...base, HF_TOKEN: '  hf_from_env \r\n' },
    { ...base, HF_TOKEN: '', HUGGING_FACE_HUB_TOKEN: 'hf_legacy' },
    { ...base, HF_TOKEN: '   ', HF_HOME: join(home, 'with-token') },
    { ...base, HF_HOME: join(home, 'with-token') },
    { ...base, HF_HOME: join(home, 'with-token'), HF_TOKEN_PATH: '~/elsewhere/token' },
    { ...base, HF_HOME: join(home, 'with-token'), HF_HUB_DISABLE_IMPLICIT_TOKEN: '1', HF_TOKEN: 'hf_unused' },
    { ...base, HF_HOME: join(home, 'empty-token') },
    { ...base, HF_HUB_DISABLE_SYMLINKS: 'True', HF_HUB_ETAG_TIMEOUT: '3', HF_HUB_DOWNLOAD_TIMEOUT: '0' },
  ];
}

function tokenFiles(home: string): void {
  mkdirSync(join(home, 'with-token'), { recursive: true });
  writeFileSync(join(home, 'with-token', 'token'), 'hf_saved_by_login\n');
  mkdirSync(join(home, 'elsewhere'), { recursive: true });
  writeFileSync(join(home, 'elsewhere', 'token'), 'hf_at_token_path');
  mkdirSync(join(home, 'empty-token'), { recursive: true });
  writeFileSync(join(home, 'empty-token', 'token'), '\n');
}

testIf(HAS_PYTHON_HUB, NO_PYTHON_REASON)('every setting and the token agree with huggingface_hub, environment by environment', () => withTempDir(async (home) => {
  tokenFiles(home);
  const envs = cases(home);
  const expected = JSON.parse(await python(PYTHON_SIDE, { CASES: JSON.stringify(envs) })) as Seen[];
  assert.is(expected.length, envs.length);
  envs.forEach((env, i) => assert.equal(node(env), expected[i], JSON.stringify(env)));
}));

test('the rules, spelled out (these hold without Python too)', () => withTempDir(async (home) => {
  tokenFiles(home);
  const defaults = node({ HOME: home });
  assert.is(defaults.hubCache, join(home, '.cache', 'huggingface', 'hub'));
  assert.is(defaults.endpoint, 'https://huggingface.co');
  assert.is(node({ HOME: home, XDG_CACHE_HOME: '/xdg' }).hubCache, '/xdg/huggingface/hub');
  assert.is(node({ HOME: home, HF_HOME: '~/h' }).tokenPath, join(home, 'h', 'token'));
  assert.is(node({ HOME: home, HF_HOME: '$HOME/v', HF_HUB_CACHE: '${HOME}/c' }).hubCache, join(home, 'c'));
  assert.is(node({ HOME: home, HF_ENDPOINT: 'http://x:1//' }).endpoint, 'http://x:1');
  for (const on of ['1', 'ON', 'yes', 'True']) assert.ok(isTruthy(on), on);
  for (const off of ['0', 'off', '', ' 1', 'y']) assert.not.ok(isTruthy(off), JSON.stringify(off));
  assert.is(node({ HOME: home, HF_HOME: join(home, 'with-token') }).token, 'hf_saved_by_login');
  assert.is(node({ HOME: home, HF_TOKEN: ' hf_a\n' }).token, 'hf_a');
  assert.is(node({ HOME: home, HF_HOME: join(home, 'with-token'), HF_HUB_DISABLE_IMPLICIT_TOKEN: 'yes' }).token, null);
  assert.equal(resolveToken('hf_explicit', hubEnvironment({ HOME: home, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' })), { token: 'hf_explicit', source: 'the token option' });
  assert.is(resolveToken(false, hubEnvironment({ HOME: home, HF_TOKEN: 'hf_a' }), { HF_TOKEN: 'hf_a' }), undefined);
  throwsError(() => hubEnvironment({ HOME: home, HF_HUB_ETAG_TIMEOUT: 'ten' }), Error, /HF_HUB_ETAG_TIMEOUT/);
}));

test.run();
