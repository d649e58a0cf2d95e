/**
 * sentence-transformers' Router module for text inputs: router_config.json read into routes
 * (each a list of module folders) and the route a call takes, resolved in Router's order:
 * route_mappings for (task, "text"), (task, any), (any, "text"), (any, any); then a route
 * named like the task; then one named "text"; an unknown task is an error; no task takes
 * default_route (or, with allow_empty_key, the first route).
 * Internal: not exported from the package entry point.
 */
import { join } from 'node:path';

import { loadError, readJsonFile } from './json-files.js';
import type { ModuleEntry } from './model-folder.js';
import { describeValue } from './validate.js';

export interface RouteMapping {
  task: string | null;
  modality: string | null;
  route: string;
}

export interface RouterConfig {
  /** Route name → its modules in order, paths relative to the model root. */
  routes: Map<string, ModuleEntry[]>;
  defaultRoute: string | null;
  mappings: RouteMapping[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Python writes the tuple keys with str(): "('query', 'text')", "(None, 'text')", "('query', None)".
const TUPLE_KEY = /^\(\s*(None|'[^']*'|"[^"]*")\s*,\s*(None|'[^']*'|"[^"]*"|\(.*\))\s*\)$/;

function parseMappingPart(part: string): string | null | undefined {
  if (part === 'None') return null;
  if (part.startsWith('(')) return undefined; // a multimodal tuple: never a text input's modality
  return part.slice(1, -1);
}

/** router_config.json of a Router module at `dir` (`prefix` is its path from the model root). */
export async function readRouterConfig(dir: string, prefix: string): Promise<RouterConfig> {
  const file = join(dir, 'router_config.json');
  // Older saves (the Asym era) wrote the same content as config.json.
  let config = await readJsonFile<unknown>(file, null);
  if (config === null) config = await readJsonFile<unknown>(join(dir, 'config.json'));
  if (!isObject(config) || !isObject(config.types) || !isObject(config.structure)) {
    throw loadError(`${file}: expected "types" and "structure" objects`);
  }
  const types = config.types;
  const routes = new Map<string, ModuleEntry[]>();
  for (const [route, ids] of Object.entries(config.structure)) {
    if (!Array.isArray(ids) || ids.length === 0) throw loadError(`${file}: route ${JSON.stringify(route)} must list its modules`);
    routes.set(route, ids.map((id, idx) => {
      const type = typeof id === 'string' ? types[id] : undefined;
      if (typeof id !== 'string' || typeof type !== 'string' || id.includes('..')) {
        throw loadError(`${file}: route ${JSON.stringify(route)} names module ${JSON.stringify(id)} without a type`);
      }
      return { idx, name: id, path: prefix ? `${prefix}/${id}` : id, type };
    }));
  }
  if (routes.size === 0) throw loadError(`${file}: no routes`);

  const parameters = isObject(config.parameters) ? config.parameters : {};
  let defaultRoute = parameters.default_route ?? null;
  if (defaultRoute !== null && (typeof defaultRoute !== 'string' || !routes.has(defaultRoute))) {
    throw loadError(`${file}: default_route ${JSON.stringify(defaultRoute)} is not one of the routes ${JSON.stringify([...routes.keys()])}`);
  }
  if (defaultRoute === null && parameters.allow_empty_key !== false) defaultRoute = routes.keys().next().value as string;

  const mappings: RouteMapping[] = [];
  for (const [key, route] of Object.entries(isObject(parameters.route_mappings) ? parameters.route_mappings : {})) {
    const match = TUPLE_KEY.exec(key);
    if (!match || typeof route !== 'string' || !routes.has(route)) throw loadError(`${file}: cannot read route mapping ${JSON.stringify(key)} → ${JSON.stringify(route)}`);
    const task = parseMappingPart(match[1] as string);
    const modality = parseMappingPart(match[2] as string);
    if (task === undefined || modality === undefined) continue;
    mappings.push({ task, modality, route });
  }
  return { routes, defaultRoute: defaultRoute as string | null, mappings };
}

/** The route text inputs with `task` take, as Router._resolve_route decides it. */
export function resolveRoute(router: RouterConfig, task: string | undefined): string {
  const mapped = (t: string | null, m: string | null): string | undefined =>
    router.mappings.find((mapping) => mapping.task === t && mapping.modality === m)?.route;
  const t = task ?? null;
  const route = mapped(t, 'text') ?? mapped(t, null) ?? mapped(null, 'text') ?? mapped(null, null) ??
    (task !== undefined && router.routes.has(task) ? task : undefined) ?? (router.routes.has('text') ? 'text' : undefined);
  if (route !== undefined) return route;
  if (task !== undefined) {
    throw new RangeError(`expected options.task to be one of ${JSON.stringify([...router.routes.keys()])} but received ${describeValue(task)}`);
  }
  if (router.defaultRoute === null) {
    throw new RangeError(`expected options.task to be one of ${JSON.stringify([...router.routes.keys()])} (the model's Router has no default route) but received undefined`);
  }
  return router.defaultRoute;
}
