// Generated from the parity table (matrix.ts): every model class × engine × architecture row
// against Python sentence-transformers 6.0.1 at the engine's tolerance (engine-checks.ts), and on
// sentencekit's own engines, outputs independent of lanes and batching.
import { test } from 'uvu';

import { checkLanes, checkOutputs } from './engine-checks.js';
import { PARITY, rowName } from './matrix.js';

for (const row of PARITY) {
  for (const engine of row.engines) {
    test(`${rowName(row, engine)}: outputs match Python`, async () => {
      console.log(`  ${rowName(row, engine)}: ${await checkOutputs(row, engine)}`);
    });
    if (engine !== 'onnx') test(`${rowName(row, engine)}: lanes and batching do not change a bit`, () => checkLanes(row, engine));
  }
}

test.run();
