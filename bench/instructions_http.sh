#!/usr/bin/env bash
# User-space instructions per request of one HTTP bench server, counted by
# valgrind's callgrind: a deterministic figure for A/B comparisons on a
# machine whose timings swing between runs.
#
# Usage: [BENCH_PATH=/json] bench/instructions_http.sh SERVER [PORT]
#   SERVER: a binary of bench/http (ceiling, hyper, axum, actix, supercell,
#   supercell_web), built first with `cargo build --release` in bench/http.
#   BENCH_PATH: the path requested (default /plaintext).
#   CALLGRIND_FLAGS: more callgrind options, e.g. "--cache-sim=yes" to
#   count instruction-cache misses too (then printed per request).
#
# The server runs under callgrind; wrk sends 2 s of pipelined requests
# (16 connections, 16 requests deep on each) to warm it up, the counters
# are zeroed, wrk runs 4 s more, the counters are dumped. The figure is
# the instructions counted over those 4 s divided by the requests wrk
# counted (the kernel's work is not in it). The profile stays in
# bench/http/target/callgrind/ for callgrind_annotate.
set -euo pipefail

server="${1:?usage: $0 SERVER [PORT]}"
port="${2:-19390}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/http/target/release/$server"
out="$here/http/target/callgrind"
lua="$here/pipeline.lua"
mkdir -p "$out"
rm -f "$out/$server".*
# shellcheck disable=SC2086
valgrind --tool=callgrind ${CALLGRIND_FLAGS:-} --callgrind-out-file="$out/$server.%p" "$bin" "$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 3
url="http://127.0.0.1:$port${BENCH_PATH:-/plaintext}"
timeout 20 wrk -t1 -c16 -d2s -s "$lua" "$url" -- 16 >/dev/null 2>&1
callgrind_control -z "$pid" >/dev/null 2>&1
result=$(timeout 40 wrk -t1 -c16 -d4s -s "$lua" "$url" -- 16 2>&1)
callgrind_control -d "$pid" >/dev/null 2>&1
sleep 1
requests=$(echo "$result" | awk '/ requests in / {print $1}')
profile=$(ls -t "$out/$server".*.* | head -1)
instructions=$(grep -m1 '^summary:' "$profile" | awk '{print $2}')
echo "$server: $requests requests, $instructions instructions, $((instructions / requests)) per request ($profile)"
if [ -n "${CALLGRIND_FLAGS:-}" ]; then
    # Every event counted, per request.
    paste <(grep -m1 '^events:' "$profile" | tr ' ' '\n' | tail -n +2) \
        <(grep -m1 '^summary:' "$profile" | tr ' ' '\n' | tail -n +2) |
        awk -v r="$requests" '{ printf "  %s: %.1f per request\n", $1, $2 / r }'
fi
