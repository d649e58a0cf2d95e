/**
 * Placeholder until the Hub client lands: resolves local folders only.
 * @internal
 */
import { existsSync } from 'node:fs';

import { SentenceKitError } from './errors.js';

export interface HubOptions {
  revision?: string;
  cacheDir?: string;
  endpoint?: string;
  token?: string;
  localFilesOnly?: boolean;
  onnxFile?: string;
  signal?: AbortSignal;
}

export async function resolveModelFolder(pathOrId: string, _options: HubOptions = {}): Promise<string> {
  if (existsSync(pathOrId)) return pathOrId;
  throw new SentenceKitError('ERR_MODEL_LOAD', `model folder not found: ${pathOrId}`);
}
