"""Prints the search benchmark's table from the three JSON files run.sh wrote."""
import json
import os
import sys

data = sys.argv[1]
ours = json.load(open(os.path.join(data, "ours.json")))
peers = json.load(open(os.path.join(data, "peers.json")))
try:
    usearch = json.load(open(os.path.join(data, "usearch.json")))
except FileNotFoundError:
    usearch = {}
corpus_gb = ours["rows"] * ours["dim"] * 4 / 1e9
print(f"corpus {ours['rows']} x {ours['dim']} float32 ({corpus_gb:.2f} GB), k={ours['k']}, "
      f"{ours['threads']} threads, level {ours['level']}, faiss threads {peers['faiss_threads']}")
print(f"memory bandwidth: STREAM copy {ours['copy_gbs']:.1f} GB/s, read-only sum {ours['read_gbs']:.1f} GB/s")
print()
header = ("queries", "ours f32 ms", "faiss ms", "numpy ms", "usearch ms", "faiss/ours", "numpy/ours", "usearch/ours",
          "ours GB/s", "int8 ms", "f32/int8", "binary ms", "f32/binary")
print(" | ".join(header))
for nq in (1, 32, 1024):
    o, p, u = ours[f"q{nq}"], peers[f"q{nq}"], usearch.get(f"q{nq}", {})
    us = u.get("usearch_s")
    row = [str(nq), f"{o['float32_s'] * 1e3:.2f}", f"{p['faiss_s'] * 1e3:.2f}", f"{p['numpy_s'] * 1e3:.2f}",
           f"{us * 1e3:.2f}" if us else "-", f"{p['faiss_s'] / o['float32_s']:.2f}x",
           f"{p['numpy_s'] / o['float32_s']:.2f}x", f"{us / o['float32_s']:.2f}x" if us else "-",
           f"{corpus_gb / o['float32_s']:.1f}", f"{o['int8_s'] * 1e3:.2f}", f"{o['float32_s'] / o['int8_s']:.2f}x",
           f"{o['binary_s'] * 1e3:.2f}", f"{o['float32_s'] / o['binary_s']:.2f}x"]
    print(" | ".join(row))
print()
print("the same searches in process CPU time (all threads; less sensitive to other jobs on the machine):")
print("queries | f32 cpu ms | int8 cpu ms | f32/int8 | binary cpu ms | f32/binary")
for nq in (1, 32, 1024):
    o = ours[f"q{nq}"]
    if "float32_cpu_s" not in o:
        break
    print(f"{nq} | {o['float32_cpu_s'] * 1e3:.2f} | {o['int8_cpu_s'] * 1e3:.2f} | {o['float32_cpu_s'] / o['int8_cpu_s']:.2f}x | "
          f"{o['binary_cpu_s'] * 1e3:.2f} | {o['float32_cpu_s'] / o['binary_cpu_s']:.2f}x")
print()
print("single query: ours scans at "
      f"{corpus_gb / ours['q1']['float32_s'] / ours['read_gbs'] * 100:.0f}% of read bandwidth, "
      f"{corpus_gb / ours['q1']['float32_s'] / ours['copy_gbs'] * 100:.0f}% of STREAM copy bandwidth")
print()
print("recall@10 vs exact float32 (k x %d candidates, then rescored):" % 4)
print("queries | int8 raw | int8 rescored (ST: query . int8) | int8 rescored (float32 rows) | "
      "binary raw | binary rescored (ST: query . bits) | binary rescored (float32 rows)")
for nq in (1, 32, 1024):
    o = ours[f"q{nq}"]
    print(f"{nq} | {o['int8_recall_raw']:.3f} | {o['int8_recall_rescored_st']:.3f} | {o['int8_recall_rescored_f32']:.3f} | "
          f"{o['binary_recall_raw']:.3f} | {o['binary_recall_rescored_st']:.3f} | {o['binary_recall_rescored_f32']:.3f}")
print()
print("agreement of peers' ids with ours (float32):",
      ", ".join(f"q{nq}: faiss {peers[f'q{nq}']['faiss_agreement_with_ours']:.4f} numpy "
                f"{peers[f'q{nq}']['numpy_agreement_with_ours']:.4f}"
                + (f" usearch {usearch[f'q{nq}']['usearch_agreement_with_ours']:.4f}" if f"q{nq}" in usearch else "")
                for nq in (1, 32, 1024)))
