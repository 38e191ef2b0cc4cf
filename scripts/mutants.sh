#!/usr/bin/env bash
# Mutation check (issue 17; not in CI): plants each listed bug alone in a scratch clone of HEAD,
# builds and runs the test meant to catch it, and prints caught / survived per mutant as a
# markdown table (docs/testing.md records a run). The table of mutants is in scripts/mutants.py.
# Usage: scripts/mutants.sh [--list] [--keep] [NAME ...]
set -euo pipefail
exec python3 "$(dirname "$0")/mutants.py" "$@"
