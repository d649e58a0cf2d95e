/**
 * Argument checks shared by the public API. They run before anything reaches native code and
 * throw TypeError / RangeError worded "expected … but received …". Options objects are checked by
 * options.ts. Not part of the package's public API.
 */

/** A short description of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `the number ${value}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

/**
 * The longest text accepted, in UTF-16 code units (4 Mi, "War and Peace" is 3.2 M). A text is
 * tokenized whole before it is truncated, as in Python, at about 32 bytes of working memory
 * per character: a 512 M-character string (1 GB of UTF-8) would need 16 GB before truncation
 * kept its first few hundred tokens.
 */
export const MAX_TEXT_LENGTH = 1 << 22;

/** Throws a RangeError for a text longer than MAX_TEXT_LENGTH. */
export function checkTextLength(text: string, what: string): void {
  if (text.length > MAX_TEXT_LENGTH) {
    throw new RangeError(`expected ${what} of at most ${MAX_TEXT_LENGTH} UTF-16 code units but received ${text.length} (texts are tokenized whole before truncation; cut longer documents into parts first)`);
  }
}

/** One string or an array of strings; remembers which, since a single string gives one row. */
export function validateTexts(input: unknown, what = 'texts'): { texts: string[]; single: boolean } {
  if (typeof input === 'string') {
    checkTextLength(input, what);
    return { texts: [input], single: true };
  }
  if (!Array.isArray(input)) {
    throw new TypeError(`expected ${what} to be a string or an array of strings but received ${describeValue(input)}`);
  }
  for (let i = 0; i < input.length; i += 1) {
    if (typeof input[i] !== 'string') {
      throw new TypeError(`expected ${what}[${i}] to be a string but received ${describeValue(input[i])}`);
    }
    checkTextLength(input[i] as string, `${what}[${i}]`);
  }
  return { texts: input as string[], single: false };
}

export function validatePositiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`expected ${what} to be an integer but received ${describeValue(value)}`);
  }
  if (value <= 0) throw new RangeError(`expected ${what} to be positive but received ${value}`);
  return value;
}

export function validateNonNegativeNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`expected ${what} to be a number but received ${describeValue(value)}`);
  }
  if (value < 0 || !Number.isFinite(value)) throw new RangeError(`expected ${what} to be a finite number ≥ 0 but received ${value}`);
  return value;
}

export function validateUnitInterval(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`expected ${what} to be a number but received ${describeValue(value)}`);
  }
  if (value < 0 || value > 1) throw new RangeError(`expected ${what} to be a number in [0, 1] but received ${value}`);
  return value;
}

export function validateBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`expected ${what} to be a boolean but received ${describeValue(value)}`);
  }
  return value;
}
