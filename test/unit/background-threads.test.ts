// backgroundThreads: a model's owner thread and ONNX Runtime's intra-op threads run at nice
// +10 (Linux), below the JavaScript thread, so a busy model cannot starve the event loop;
// backgroundThreads: false leaves every thread at the process's priority. Read from
// /proc/self/task/<tid>/stat (field 19 is the nice value).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { TINY_BERT } from '../helpers/fixtures.js';

const linux = process.platform === 'linux' && existsSync('/proc/self/task');

/** tid -> nice for every thread of this process. */
function threadNice(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: split after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nice.set(Number(tid), Number(fields[16]));
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return nice;
}

function lowered(before: Map<number, number>): number[] {
  const base = threadNice().get(process.pid) ?? 0;
  return [...threadNice()].filter(([tid, nice]) => !before.has(tid) && nice > base).map(([tid]) => tid);
}

test('default: the model thread and ONNX Runtime threads run below the JavaScript thread', async () => {
  if (!linux) return console.log('  (skipped: per-thread nice values are Linux only)');
  const before = threadNice();
  // Two intra-op threads: ORT runs one on the calling (owner) thread and creates the other.
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { intraOpThreads: 2 });
  await model.encode(['one sentence', 'and another one']);
  const background = lowered(before);
  assert.ok(background.length >= 2, `expected the owner thread and an ORT thread at a higher nice value, found ${background.length}`);
  for (const tid of background) assert.is(threadNice().get(tid), (threadNice().get(process.pid) ?? 0) + 10);
  assert.is(threadNice().get(process.pid), before.get(process.pid), 'the JavaScript thread keeps its priority');
  await model.dispose();
});

test('backgroundThreads: false keeps every thread at the process priority', async () => {
  if (!linux) return console.log('  (skipped: per-thread nice values are Linux only)');
  const before = threadNice();
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { intraOpThreads: 2, backgroundThreads: false });
  await model.encode(['one sentence']);
  assert.equal(lowered(before), []);
  await model.dispose();
});

test('backgroundThreads must be a boolean', async () => {
  try {
    await SentenceTransformer.fromPretrained(TINY_BERT, { backgroundThreads: 'yes' as unknown as boolean });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /expected options\.backgroundThreads to be a boolean/);
  }
});

test.run();
