/**
 * Flag readers shared by the `sentencekit` commands (lib/cli.ts) and `serve`
 * (lib/cli-serve.ts): node:util parseArgs values read strictly, each mistake a UsageError.
 * Internal: not exported from the package entry point.
 */
import { nearestName } from './options.js';

/** A mistake in the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

export type Values = Record<string, string | boolean | undefined>;

/** A positive integer, or one within [min, max] when a range is given. */
export function integerFlag(values: Values, name: string, range?: { min: number; max: number }): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const min = range?.min ?? 1;
  const max = range?.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(range === undefined
      ? `--${name} expects a positive integer but received ${JSON.stringify(raw)}`
      : `--${name} expects an integer from ${min} to ${max} but received ${JSON.stringify(raw)}`);
  }
  return value;
}

export function choiceFlag<T extends string>(values: Values, name: string, choices: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} expects one of ${choices.join(', ')} but received ${JSON.stringify(raw)}`);
  return raw as T;
}

export function stringFlag(values: Values, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** parseArgs' messages, with the closest flag suggested for an unknown one. */
export function parseError(error: unknown, known: readonly string[]): UsageError {
  const err = error as { code?: string; message?: string };
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'(-{1,2}[^']*)'/.exec(err.message ?? '')?.[1] ?? '';
    const nearest = flag.startsWith('--') ? nearestName(flag.slice(2), known) : null;
    return new UsageError(`unknown option '${flag}'${nearest === null ? '' : ` — did you mean '--${nearest}'?`}`);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError((err.message ?? '').split('\n')[0] ?? '');
  return new UsageError(err.message ?? String(error));
}
