#!/usr/bin/env bash
# QuantScope's engine against llama.cpp's llama-bench on the same GGUF files: prints the README's markdown table
# (per file: size, QuantScope pp/tg, llama.cpp pp/tg, the ratios) with the command that made it under the table.
#
#   bench/vs_llama_cpp.sh [--llama-cpp PATH] [--threads N] [--rounds R] [--pp N] [--tg N] [--llama-poll 0] MODEL.gguf...
#
# PATH is llama.cpp's `llama` multi-tool, its folder or llama-bench (default: ../shared/tools/llama.cpp beside the
# project). Each file runs R alternating rounds (default 3), each engine a fresh process per round; see bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
llama="$root/../shared/tools/llama.cpp"
threads=2
rounds=3
extra=()
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --llama-cpp) llama=${2:?--llama-cpp needs a path}; shift 2 ;;
    --threads) threads=${2:?--threads needs a number}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --pp|--tg|-r|--llama-poll) extra+=("$1" "${2:?$1 needs a number}"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "vs_llama_cpp.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ ${#models[@]} -eq 0 ]; then
  echo "vs_llama_cpp.sh: give one or more GGUF files (see --help)" >&2
  exit 2
fi
quantscope="$root/target/quantscope"
if [ ! -x "$quantscope" ]; then
  echo "vs_llama_cpp.sh: no $quantscope; build it first: ./mvnw -q -B package -DskipTests" >&2
  exit 1
fi
# Both engines' figures move with the machine's load (llama.cpp's threads spin while they wait for each other, and
# a busy core stalls them): say so before minutes of work, as the table's note will.
cores=$(nproc)
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c / 2) }'; then
  echo "vs_llama_cpp.sh: load average $load on $cores cores: other work will move both engines' figures" >&2
fi
exec "$quantscope" bench "${models[@]}" --vs-llama-cpp "$llama" --threads "$threads" --rounds "$rounds" \
  "${extra[@]}" --markdown
