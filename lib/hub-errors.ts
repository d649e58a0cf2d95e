/**
 * A failed Hub response as a SentenceKitError, classified the way huggingface_hub's
 * `hf_raise_for_status` classifies it: by the Hub's X-Error-Code first, then X-Error-Message,
 * then the status. The Hub's own words (X-Error-Message, or the JSON body's "error") are always
 * in the message, so an invalid token reads as an invalid token, not as a gated model.
 * Internal: not exported from the package entry point.
 */
import { SentenceKitError } from './errors.js';

/** Why a request failed, as huggingface_hub's error classes tell the cases apart. */
export type HubFailure = 'repo-not-found' | 'revision-not-found' | 'entry-not-found' | 'gated' | 'unauthorized' | 'disabled' | 'forbidden' | 'rate-limited' | 'server' | 'other';

/** A SentenceKitError from a Hub response; `failure` drives the fall-back-to-cache decision. */
export class HubHttpError extends SentenceKitError {
  readonly status: number;
  readonly failure: HubFailure;

  constructor(code: 'ERR_HUB' | 'ERR_MODEL_NOT_FOUND', message: string, status: number, failure: HubFailure) {
    super(code, message);
    this.status = status;
    this.failure = failure;
  }
}

/** The response a failure came from, read before the body is gone. */
export interface FailedResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

/** Where the request went and what credentials it carried, for the advice in the message. */
export interface FailureContext {
  /** e.g. "model org/name at revision main", or "org/name/onnx/model.onnx". */
  what: string;
  repo: string;
  endpoint: string;
  /** Where the token sent came from, or undefined when none was sent. */
  tokenSource: string | undefined;
}

/** The Hub's explanation: X-Error-Message, then the JSON body's error(s), as `_format` gathers them. */
function serverMessage(response: FailedResponse): string {
  const messages: string[] = [];
  const header = response.headers.get('x-error-message');
  if (header) messages.push(header);
  try {
    const data = JSON.parse(response.body) as { error?: unknown; error_description?: unknown; errors?: Array<{ message?: unknown }> };
    const errors = Array.isArray(data.error) ? data.error : data.error !== undefined ? [data.error] : [];
    messages.push(...errors.map(String));
    if (typeof data.error_description === 'string') messages.push(data.error_description);
    for (const item of Array.isArray(data.errors) ? data.errors : []) if (item?.message !== undefined) messages.push(String(item.message));
  } catch {
    const type = response.headers.get('content-type') ?? '';
    if (response.body.trim() && !type.toLowerCase().includes('html')) messages.push(response.body.trim().slice(0, 500));
  }
  return [...new Set(messages.map((m) => m.trim()).filter(Boolean))].join('; ');
}

const LOGIN_ADVICE = 'pass { token }, set HF_TOKEN, or run `hf auth login`';

export function hubHttpError(response: FailedResponse, context: FailureContext): HubHttpError {
  const code = response.headers.get('x-error-code');
  const server = serverMessage(response);
  const said = `HTTP ${response.status}${code ? ` ${code}` : ''}${server ? `: ${server}` : ''}`;
  const { what, repo, endpoint, tokenSource } = context;
  const token = tokenSource ? `the token from ${tokenSource}` : 'no token';
  if (code === 'RevisionNotFound') {
    return new HubHttpError('ERR_MODEL_NOT_FOUND', `${what}: revision not found on ${endpoint} (${said}); check the revision`, response.status, 'revision-not-found');
  }
  if (code === 'EntryNotFound') {
    return new HubHttpError('ERR_MODEL_NOT_FOUND', `${what}: file not found on ${endpoint} (${said})`, response.status, 'entry-not-found');
  }
  if (code === 'GatedRepo') {
    return new HubHttpError('ERR_HUB', `${what}: ${repo} is a gated model (${said}); request access on ${endpoint}/${repo}, then ${tokenSource ? `check that ${token} belongs to an account that has it` : LOGIN_ADVICE}`, response.status, 'gated');
  }
  if (response.headers.get('x-error-message') === 'Access to this resource is disabled.') {
    return new HubHttpError('ERR_HUB', `${what}: access to ${repo} is disabled on ${endpoint} (${said})`, response.status, 'disabled');
  }
  if (response.status === 401 && response.headers.get('x-error-message') === 'Invalid credentials in Authorization header') {
    return new HubHttpError('ERR_HUB', `${what}: ${endpoint} rejected ${token} (${said}); replace it with a valid token`, response.status, 'unauthorized');
  }
  if (code === 'RepoNotFound' || response.status === 401) {
    // The Hub answers 401 for missing, private and gated repositories alike when no valid token is sent.
    return new HubHttpError('ERR_MODEL_NOT_FOUND', `${what}: repository not found on ${endpoint} (${said}); check the id, and for a private or gated model ${tokenSource ? `check that ${token} has access` : LOGIN_ADVICE}`, response.status, 'repo-not-found');
  }
  if (response.status === 403) {
    return new HubHttpError('ERR_HUB', `${what}: forbidden by ${endpoint} (${said}); ${tokenSource ? `check the permissions of ${token}` : LOGIN_ADVICE}`, response.status, 'forbidden');
  }
  if (response.status === 429) {
    return new HubHttpError('ERR_HUB', `${what}: rate-limited by ${endpoint} (${said}); retry later${tokenSource ? '' : ', or sign in for a higher limit'}`, response.status, 'rate-limited');
  }
  if (response.status === 404) {
    return new HubHttpError('ERR_MODEL_NOT_FOUND', `${what}: not found on ${endpoint} (${said})`, response.status, 'repo-not-found');
  }
  const failure: HubFailure = response.status >= 500 || response.status === 408 ? 'server' : 'other';
  return new HubHttpError('ERR_HUB', `${what}: ${endpoint} answered ${said} (${response.url})`, response.status, failure);
}
