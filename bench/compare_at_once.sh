#!/usr/bin/env bash
# CPU time per request of two HTTP bench servers measured at the same
# time, so that what slows this machine down from one minute to the next
# weighs on both alike: the ratio of the two is then steady to a percent
# or two, where runs one after the other swing by 15%.
#
# Usage: bench/compare_at_once.sh A B [--runs N] [--path /plaintext]
#                                [--depth 16] [--connections 128] [--duration 3]
#   A, B: binaries of bench/http (supercell, supercell_web, hyper, ...),
#   built first with `cargo build --release` in bench/http.
#
# Both servers run on core 0 and share it; two wrk processes on core 1
# load one server each, with the same connections and pipelining depth
# (1: none), for DURATION seconds per run. For each run: each server's CPU
# time (utime + stime from /proc/PID/stat) over the requests its wrk
# counted, and B's over A's. The median of the ratios ends the output.
set -euo pipefail

a="${1:?usage: $0 A B [--runs N] [--path P] [--depth D] [--connections C] [--duration S]}"
b="${2:?usage: $0 A B [--runs N] [--path P] [--depth D] [--connections C] [--duration S]}"
shift 2
runs=8
path=/plaintext
depth=16
connections=128
duration=3
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --path) path="$2"; shift 2 ;;
        --depth) depth="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/http/target/release"
out="$here/http/target/at-once/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
lua="$here/pipeline.lua"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT

# start NAME PORT: the server on core 0, waited for until it listens.
start() {
    taskset -c 0 "$bin/$1" "$2" > "$out/$1.log" 2>&1 &
    pids+=($!)
    local tries=0
    until (exec 3<> "/dev/tcp/127.0.0.1/$2") 2> /dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 100 ] || { echo "$1 did not listen on $2" >&2; exit 1; }
        sleep 0.1
    done
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start "$a" 18700
start "$b" 18701
pid_a="${pids[0]}"
pid_b="${pids[1]}"
wrk_args() {
    local args=(-t1 "-c$connections" "-d${duration}s" --timeout 5s "http://127.0.0.1:$1$path")
    if [ "$depth" -gt 1 ]; then
        args=(-s "$lua" "${args[@]}" -- "$depth")
    fi
    echo "${args[@]}"
}
clk_tck="$(getconf CLK_TCK)"
echo "A=$a B=$b path=$path depth=$depth connections=$connections duration=${duration}s"
for run in $(seq 1 "$runs"); do
    a0="$(ticks "$pid_a")"
    b0="$(ticks "$pid_b")"
    # shellcheck disable=SC2046
    taskset -c 1 wrk $(wrk_args 18700) > "$out/wrk-a-$run.txt" 2>&1 &
    wa=$!
    # shellcheck disable=SC2046
    taskset -c 1 wrk $(wrk_args 18701) > "$out/wrk-b-$run.txt" 2>&1 &
    wb=$!
    wait "$wa" "$wb"
    a1="$(ticks "$pid_a")"
    b1="$(ticks "$pid_b")"
    req_a="$(awk '/ requests in /{ print $1 }' "$out/wrk-a-$run.txt")"
    req_b="$(awk '/ requests in /{ print $1 }' "$out/wrk-b-$run.txt")"
    awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v ra="$req_a" -v rb="$req_b" -v t="$clk_tck" 'BEGIN {
        ca = a / t * 1e6 / ra; cb = b / t * 1e6 / rb
        printf "run\t%.3f\t%d\t%.3f\t%d\t%.3f\n", ca, ra, cb, rb, cb / ca
    }' | tee -a "$out/runs.tsv" | awk -F'\t' -v n="$run" '{
        printf "  run %d: A %s us/request (%s requests), B %s us/request (%s requests), B/A %s\n", n, $2, $3, $4, $5, $6
    }'
done
sort -t$'\t' -k6,6n "$out/runs.tsv" | awk -F'\t' '{ r[NR] = $6 } END {
    m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "B/A CPU per request: median %.3f (min %.3f, max %.3f) over %d runs\n", m, r[1], r[NR], NR
}'
echo "results: $out"
