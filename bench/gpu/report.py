"""Summarizes a bench/gpu/run.sh output folder into summary.md and summary.json: parity per
model and dtype, then throughput and single-query latency against sentence-transformers in
the same run, with the issue's goals beside them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

out = Path(sys.argv[1])


def load(name: str):
    path = out / name
    try:
        return json.loads(path.read_text())
    except Exception:
        return None


lines = ["# GPU check (bench/gpu/run.sh)", ""]
device = load("device.json")
if device:
    lines += [f"Device: {device['device']} (sm_{device['compute_capability']}, {device['memory_mib']} MiB), CUDA runtime "
              f"{device['runtime']}, driver {device['driver']}, cuBLASLt {device['cublaslt']}.", ""]
stages = (out / "stages.txt").read_text() if (out / "stages.txt").exists() else ""
lines += ["## Parity against sentence-transformers on torch CUDA, same weights", "",
          "| model | dtype | rows | max abs diff | min cosine | bar | result |", "|---|---|---:|---:|---:|---|---|"]
summary = {"device": device, "parity": [], "throughput": []}
for model in ("tiny-bert", "tiny-roberta", "tiny-mpnet", "minilm-l6", "bert-base", "tiny-ce-bert", "tiny-ce-roberta", "tiny-splade"):
    for dtype in ("fp32", "fp16"):
        result = load(f"parity-{model}-{dtype}.json")
        logits = model.startswith("tiny-ce") or model == "tiny-splade"
        bar = "max abs diff ≤ 1e-4" if dtype == "fp32" else ("values ≤ 2e-2 relative" if logits else "cosine ≥ 0.9999")
        if result is None:
            lines.append(f"| {model} | {dtype} | – | – | – | {bar} | not run / failed (see parity-{model}-{dtype}.log) |")
            continue
        summary["parity"].append({"model": model, **result})
        lines.append(f"| {model} | {dtype} | {result['rows']} | {result['max_abs_diff']:.2e} | {result['min_cosine']:.6f} | "
                     f"{bar} | {'pass' if result['pass'] else 'FAIL'} |")

goals = {("minilm-l6", "fp32"): 18000, ("minilm-l6", "fp16"): 18000, ("bert-base", "fp16"): 6000}
lines += ["", "## Throughput (mixed 5–200 word sentences) and one short query", "",
          "| shape | dtype | sentencekit sentences/s | sentence-transformers sentences/s (best batch) | ratio | goal | "
          "sentencekit query p50 | sentence-transformers query p50 |", "|---|---|---:|---:|---:|---:|---:|---:|"]
for shape in ("minilm-l6", "bert-base"):
    for dtype in ("fp16", "fp32"):
        ours = load(f"ours-{shape}-{dtype}.json")
        st = load(f"st-{shape}-{dtype}.json")
        summary["throughput"].append({"shape": shape, "dtype": dtype, "ours": ours, "sentence_transformers": st})
        ours_rate = f"{ours['sentences_per_second']:,.0f} ({ours['sentences']:,} sentences)" if ours else "–"
        st_rate = f"{st['sentences_per_second']:,.0f} (batch {st['best_batch_size']}, {st['sentences']:,})" if st else "–"
        ratio = f"{ours['sentences_per_second'] / st['sentences_per_second']:.2f}×" if ours and st else "–"
        goal = f"≥ {goals[(shape, dtype)]:,}" if (shape, dtype) in goals else "–"
        ours_p50 = f"{ours['query_p50_ms']:.2f} ms" if ours else "–"
        st_p50 = f"{st['query_p50_ms']:.2f} ms" if st else "–"
        lines.append(f"| {shape} | {dtype} | {ours_rate} | {st_rate} | {ratio} | {goal} | {ours_p50} | {st_p50} |")
lines += ["", "## Search over a device-resident corpus (top-10, dot product)", "",
          "| corpus | queries per batch | median ms | corpus GB/s | of d2d copy GB/s | goal |", "|---|---:|---:|---:|---:|---|"]
for kind in ("fp16", "int8"):
    search = load(f"search-{kind}.json")
    summary.setdefault("search", []).append(search)
    if search is None:
        lines.append(f"| {kind} | – | – | – | – | not run / failed (see search-{kind}.log) |")
        continue
    for batch in search["batches"]:
        goal = "≥ 70%" if kind == "fp16" else "–"
        lines.append(f"| {search['rows']:,} × {search['dim']} {kind} | {batch['queries']} | {batch['median_ms']:.3f} | "
                     f"{batch['corpus_gb_per_s']:.0f} | {100 * batch['fraction_of_copy']:.1f}% of {search['copy_gb_per_s']:.0f} | {goal} |")
lines += ["", "Goal for one short query: ≤ 1 ms. Stages:", "", "```", stages.strip(), "```", ""]
(out / "summary.md").write_text("\n".join(lines))
(out / "summary.json").write_text(json.dumps(summary, indent=2))
print("\n".join(lines))
