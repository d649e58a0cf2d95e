/**
 * Token strings by id, read from the model's tokenizer.json (model.vocab, and added_tokens
 * with their special flag), for /tokenize.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

export interface TokenVocabulary {
  token(id: number): string;
  special(id: number): boolean;
}

export async function readVocabulary(tokenizerPath: string, tokenizerJson?: string): Promise<TokenVocabulary> {
  const doc = JSON.parse(tokenizerJson ?? await readFile(tokenizerPath, 'utf8')) as {
    model?: { vocab?: Record<string, number> | Array<[string, number]> };
    added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  };
  const tokens = new Map<number, string>();
  const vocab = doc.model?.vocab;
  if (Array.isArray(vocab)) vocab.forEach(([piece], id) => tokens.set(id, piece));
  else if (vocab !== undefined) for (const [piece, id] of Object.entries(vocab)) tokens.set(id, piece);
  const special = new Set<number>();
  for (const added of doc.added_tokens ?? []) {
    tokens.set(added.id, added.content);
    if (added.special === true) special.add(added.id);
  }
  return {
    token: (id) => tokens.get(id) ?? '',
    special: (id) => special.has(id),
  };
}
