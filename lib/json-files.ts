/**
 * Reading a model folder's files: JSON with errors that name the file.
 * Internal: not exported from the package entry point.
 */
import { readFile, stat } from 'node:fs/promises';

import { SentenceKitError } from './errors.js';

export function loadError(message: string, cause?: unknown): SentenceKitError {
  return new SentenceKitError('ERR_MODEL_LOAD', message, cause === undefined ? undefined : { cause });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JSON file; a missing file gives `fallback` when one is given. A plain-object
 * fallback (`{}`) says the file holds an object, so any other JSON value in it (`null`, a list)
 * is ERR_MODEL_LOAD here rather than a TypeError where a key is first read.
 */
export async function readJsonFile<T>(path: string, fallback?: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (fallback !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw loadError(`cannot read ${path}: ${(error as Error).message}`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw loadError(`${path} is not valid JSON: ${(error as Error).message}`, error);
  }
  if (isPlainObject(fallback) && !isPlainObject(value)) throw loadError(`${path} must hold a JSON object`);
  return value as T;
}

/** A JSON file that must exist and hold an object (a module's config.json). */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile<unknown>(path);
  if (!isPlainObject(value)) throw loadError(`${path} must hold a JSON object`);
  return value;
}
