/**
 * Request fields read as TEI's serde structs read them (router/src/http/types.rs): unknown
 * fields are ignored, a missing optional field takes TEI's default, a field of the wrong type
 * is a 422 naming it.
 * Internal: not exported from the package entry point.
 */
import { invalidBody } from './errors.js';

export type Body = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : typeof value;
}

export function asObject(value: unknown, what = 'the request body'): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidBody(`expected ${what} to be a JSON object but received ${describe(value)}`);
  return value as Body;
}

export function optionalBool(body: Body, name: string): boolean | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw invalidBody(`expected \`${name}\` to be a boolean but received ${describe(value)}`);
  return value;
}

export function boolField(body: Body, name: string, fallback: boolean): boolean {
  return optionalBool(body, name) ?? fallback;
}

export function stringField(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw invalidBody(`expected \`${name}\` to be a string but received ${describe(value)}`);
  return value;
}

export function optionalString(body: Body, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidBody(`expected \`${name}\` to be a string but received ${describe(value)}`);
  return value;
}

export function optionalPositiveInt(body: Body, name: string): number | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw invalidBody(`expected \`${name}\` to be a positive integer but received ${JSON.stringify(value)}`);
  return value;
}

export function stringList(body: Body, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value)) throw invalidBody(`expected \`${name}\` to be an array of strings but received ${describe(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalidBody(`expected \`${name}[${i}]\` to be a string but received ${describe(item)}`);
  });
  return value as string[];
}

/** TEI's TruncationDirection: serde's variant names, "Left" or "Right" (default). */
export function truncationDirection(body: Body): 'Left' | 'Right' {
  const value = body.truncation_direction;
  if (value === undefined || value === null) return 'Right';
  if (value !== 'Left' && value !== 'Right') throw invalidBody(`expected \`truncation_direction\` to be "Left" or "Right" but received ${JSON.stringify(value)}`);
  return value;
}

/** One input of TEI's `Input`: a string, or token ids. */
export type InputItem = string | number[];

function isIds(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
}

/**
 * TEI's untagged `Input`: a string, a list of token ids, or a batch of either. As serde tries
 * Single first, `[1, 2]` is one input of ids, not two.
 */
export function inputs(body: Body, name: string): { items: InputItem[]; single: boolean } {
  const value = body[name];
  if (typeof value === 'string') return { items: [value], single: true };
  if (Array.isArray(value)) {
    if (value.length > 0 && isIds(value)) return { items: [value], single: true };
    value.forEach((item, i) => {
      if (typeof item !== 'string' && !isIds(item)) throw invalidBody(`expected \`${name}[${i}]\` to be a string or an array of token ids but received ${describe(item)}`);
    });
    return { items: value as InputItem[], single: false };
  }
  throw invalidBody(`expected \`${name}\` to be a string, an array of token ids, or an array of either but received ${describe(value)}`);
}
