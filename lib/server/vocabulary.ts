/**
 * Token strings by id, read from the model's tokenizer.json (model.vocab, and added_tokens),
 * for /tokenize.
 * Internal: not exported from the package entry point.
 */
import { readFile } from 'node:fs/promises';

export interface TokenVocabulary {
  token(id: number): string;
}

export async function readVocabulary(tokenizerPath: string, tokenizerJson?: string): Promise<TokenVocabulary> {
  const doc = JSON.parse(tokenizerJson ?? await readFile(tokenizerPath, 'utf8')) as {
    model?: { vocab?: Record<string, number> | Array<[string, number]> };
    added_tokens?: Array<{ id: number; content: string }>;
  };
  const tokens = new Map<number, string>();
  const vocab = doc.model?.vocab;
  if (Array.isArray(vocab)) vocab.forEach(([piece], id) => tokens.set(id, piece));
  else if (vocab !== undefined) for (const [piece, id] of Object.entries(vocab)) tokens.set(id, piece);
  for (const added of doc.added_tokens ?? []) tokens.set(added.id, added.content);
  return { token: (id) => tokens.get(id) ?? '' };
}
