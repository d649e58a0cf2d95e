#!/usr/bin/env bash
# Creates test/tools/.venv with the Python tools that generate fixtures and run the Python
# peers of the benchmarks. Uses pip's configured index (a local mirror here, PyPI elsewhere).
# Skips the install when requirements.txt has not changed since the last successful run.
set -euo pipefail
cd "$(dirname "$0")"

stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "test/tools/.venv is up to date"
  exit 0
fi
[[ -x .venv/bin/python ]] || python3 -m venv .venv
# --retries 0: an unreachable default index fails fast and pip moves on to the extra ones.
.venv/bin/pip install --retries 0 --disable-pip-version-check -q -r requirements.txt
echo "$want" > "$stamp"
echo "test/tools/.venv ready"
