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

/** Parses a JSON file; a missing file gives `fallback` when one is given. */
export async function readJsonFile<T>(path: string, fallback?: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (fallback !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw loadError(`cannot read ${path}: ${(error as Error).message}`, error);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw loadError(`${path} is not valid JSON: ${(error as Error).message}`, error);
  }
}

