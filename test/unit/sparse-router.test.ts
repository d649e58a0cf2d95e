// cpu-level-independent: the levels stage does not run this file again.
// Router route resolution for text inputs, against the routes Python's Router._resolve_route
// picked for the same router_config.json parameters (tiny-sparse-router.reference.json).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readRouterConfig, resolveRoute } from '../../lib/sparse-router.js';
import { FIXTURES } from '../helpers/fixtures.js';

interface Case {
  routes: string[];
  parameters: Record<string, unknown>;
  resolved: Array<{ task: string | null; route: string | null }>;
}
const cases = (JSON.parse(readFileSync(join(FIXTURES, 'tiny-sparse-router.reference.json'), 'utf8')) as { route_resolution: Case[] }).route_resolution;

async function routerFor(routes: string[], parameters: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'sentencekit-router-'));
  try {
    const types = Object.fromEntries(routes.map((name) => [`${name}_0_SparseStaticEmbedding`, 'sentence_transformers.sparse_encoder.modules.SparseStaticEmbedding']));
    const structure = Object.fromEntries(routes.map((name) => [name, [`${name}_0_SparseStaticEmbedding`]]));
    writeFileSync(join(dir, 'router_config.json'), JSON.stringify({ types, structure, parameters }));
    return await readRouterConfig(dir, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('resolves every task as sentence-transformers Router does', async () => {
  assert.ok(cases.length >= 5);
  for (const { routes, parameters, resolved } of cases) {
    const router = await routerFor(routes, parameters);
    for (const { task, route } of resolved) {
      const what = `${JSON.stringify(parameters)} task ${task}`;
      if (route === null) {
        assert.throws(() => resolveRoute(router, task ?? undefined), (error: unknown) => error instanceof RangeError, what);
      } else {
        assert.is(resolveRoute(router, task ?? undefined), route, what);
      }
    }
  }
});

test('route modules are read in order with their folders', async () => {
  const router = await routerFor(['query', 'document'], { default_route: 'document' });
  assert.equal([...router.routes.keys()], ['query', 'document']);
  assert.equal(router.routes.get('query')?.map((entry) => entry.path), ['query_0_SparseStaticEmbedding']);
});

test('a malformed router_config.json is ERR_MODEL_LOAD', async () => {
  for (const parameters of [{ default_route: 'nope' }, { route_mappings: { "('query', 'text')": 'missing' } }, { route_mappings: { garbage: 'query' } }]) {
    try {
      await routerFor(['query'], parameters);
      assert.unreachable(JSON.stringify(parameters));
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD', JSON.stringify(parameters));
    }
  }
});

test.run();
