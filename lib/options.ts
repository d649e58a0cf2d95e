/**
 * The one check every options object goes through: it must be a plain object whose keys are
 * all known. A key we do not know is a TypeError naming it and the closest valid name, so a
 * misspelt option (`normalize`, `batchsize`) or a Python name (`normalize_embeddings`,
 * `top_k`) fails loudly instead of being ignored.
 *
 * Not part of the package's public API.
 */
import { describeValue } from './validate.js';

/**
 * Every key of an options interface, listed as `{ key: true }` so the compiler refuses a list
 * that misses one (or names one the interface does not have).
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Python names whose camelCase form is not our name for the same thing. */
const PYTHON_ALIASES: Readonly<Record<string, string>> = {
  activation_fn: 'activation',
  activation_function: 'activation',
  model_name_or_path: 'pathOrId',
  local_files_only: 'localFilesOnly',
  cache_folder: 'cacheDir',
  cache_dir: 'cacheDir',
  file_name: 'fileName',
  backend: 'cpuEngine',
  corpus_embeddings: 'corpus',
  query_embeddings: 'queries',
  max_length: 'maxSeqLength',
};

/** snake_case (or kebab-case) to camelCase: `normalize_embeddings` → `normalizeEmbeddings`. */
function camelCase(name: string): string {
  return name.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] as number;
      previous[j] = Math.min(above + 1, (previous[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

/**
 * The valid name `name` most likely meant, or null: its camelCase or case-insensitive twin
 * (`normalize_embeddings`, `batchsize`), a known Python alias, a valid name it starts
 * (`normalize` → `normalizeEmbeddings`), else the closest by edit distance within a third of
 * its length.
 */
export function nearestName(name: string, valid: readonly string[]): string | null {
  const camel = camelCase(name);
  const folded = camel.toLowerCase();
  const exact = valid.find((candidate) => candidate.toLowerCase() === folded);
  if (exact !== undefined) return exact;
  const alias = PYTHON_ALIASES[name] ?? PYTHON_ALIASES[name.toLowerCase()];
  if (alias !== undefined && valid.includes(alias)) return alias;
  if (folded.length >= 4) {
    const extended = valid.filter((candidate) => candidate.toLowerCase().startsWith(folded));
    if (extended.length === 1) return extended[0] as string;
  }
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(folded.length / 3)) + 1;
  for (const candidate of valid) {
    const distance = editDistance(folded, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The message for an unknown name: "unknown option 'x' — did you mean 'y'?" plus where. */
export function unknownNameMessage(kind: string, name: string, valid: readonly string[], where: string): string {
  const nearest = nearestName(name, valid);
  const hint = nearest === null ? '' : ` — did you mean '${nearest}'?`;
  return `unknown ${kind} '${name}'${hint} (${where} takes ${valid.length === 0 ? 'none' : valid.join(', ')})`;
}

/**
 * `value` as an options object: undefined gives {}, anything but a plain object is a
 * TypeError, and so is any key not in `known`. `where` names the call in messages, e.g.
 * 'encode() options'.
 */
export function validateOptionsObject<T extends object>(value: unknown, where: string, known: OptionKeys<T>): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError(`expected ${where} to be an options object but received ${describeValue(value)}`);
  }
  const valid = Object.keys(known);
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) throw new TypeError(unknownNameMessage('option', key, valid, where));
  }
  return value as Partial<T>;
}
