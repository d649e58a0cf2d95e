"""Token ids of the bench corpus from the model's tokenizer.json (Python `tokenizers`, as
bench/peers/ort_peer.py makes them), for bench/encode/ort-node-ab.ts.
  test/tools/.venv/bin/python bench/encode/ort_token_ids.py [texts]"""
import json
import sys
from pathlib import Path

import tokenizers

ROOT = Path(__file__).resolve().parents[2]
count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
texts = json.loads((ROOT / "bench" / ".cache" / "corpus-10000-5-200-42.json").read_text())[:count]
tokenizer = tokenizers.Tokenizer.from_file(str(ROOT / "bench" / "models" / "minilm-l6" / "tokenizer.json"))
tokenizer.enable_truncation(max_length=256)
tokenizer.no_padding()
ids = [e.ids for e in tokenizer.encode_batch(texts)]
(ROOT / "bench" / ".cache" / f"token-ids-{count}.json").write_text(json.dumps(ids))
