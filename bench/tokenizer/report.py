"""Prints the tokenizer benchmark table from run.sh's JSON files (tokens per second)."""
import json
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    ours = json.loads((out / "ours.json").read_text())
    py1 = json.loads((out / "python_1thread.json").read_text())
    pyn = json.loads((out / "python_parallel.json").read_text())
    js = json.loads((out / "js.json").read_text())
    threads = ours["threads"]
    print(f"corpus: {ours['texts']} texts, {ours['bytes'] / 1e6:.1f} MB; tokens/s (millions); batch = {threads} threads")
    header = ("family", "ours 1 thr", "py 1 thr", "js", "ours/py", "ours/js", f"ours batch", "py batch", "batch ratio")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for family, mine in ours["families"].items():
        py_single = max(py1["families"][family]["single_tokens_per_s"], py1["families"][family]["batch_tokens_per_s"])
        py_batch = pyn["families"][family]["batch_tokens_per_s"]
        js_family = js["families"][family]
        js_single = js_family.get("single_tokens_per_s")
        row = [family, mine["single_tokens_per_s"] / 1e6, py_single / 1e6, (js_single or 0) / 1e6,
               mine["single_tokens_per_s"] / py_single,
               mine["single_tokens_per_s"] / js_single if js_single else float("nan"),
               mine["batch_tokens_per_s"] / 1e6, py_batch / 1e6, mine["batch_tokens_per_s"] / py_batch]
        print("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else v for v in row) + " |")
    print("py 1 thr: the faster of encode() per text and encode_batch() with TOKENIZERS_PARALLELISM=false; "
          "js: @huggingface/tokenizers encode() per text (its token counts differ from Python's on this corpus).")


if __name__ == "__main__":
    main()
