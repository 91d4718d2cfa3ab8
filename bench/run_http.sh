#!/usr/bin/env bash
# HTTP benchmarks (the crate in bench/http): servers under wrk, user memory
# per idle keep-alive connection, and the HTTP clients.
#
# Usage: bench/run_http.sh [--rounds R] [--duration SECONDS] [--servers "ceiling hyper ..."]
#                          [--concurrency N] [--idle N] [--server-only | --client-only]
#
# Servers run on core 0 (taskset -c 0), one thread each; wrk and the clients
# run on core 1. Each round starts every server (a waiting server uses no
# CPU) and runs each case on each server in turn, in an order of servers
# rotated by one per round, for DURATION seconds each: /plaintext and /json
# at 64 connections, 256 connections, and 256 connections pipelined 16
# deep. For each run: wrk's requests/s, and the server's CPU time (utime +
# stime from /proc/PID/stat) divided by the requests wrk counted. Then, on a
# fresh server process, VmRSS before and after IDLE (5,000) keep-alive
# connections are opened, used once and left idle. Last, client_bench against
# the hyper server: requests/s and the client's CPU time per request, from one
# task and from CONCURRENCY (64) tasks. Results go to
# bench/http/target/http-results/<time>/; the tables printed at the end are
# medians with min-max over the rounds.
set -euo pipefail

rounds=5
duration=10
servers="ceiling hyper axum actix supercell"
concurrency=64
idle=5000
mode=all
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --servers) servers="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --idle) idle="$2"; shift 2 ;;
        --server-only) mode=server; shift ;;
        --client-only) mode=client; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
crate="$here/http"
bin="$crate/target/release"
out="$crate/target/http-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

if ! command -v wrk > /dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        apt-get install -y wrk > /dev/null || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }
    else
        echo "wrk is missing (apt-get install wrk)" >&2
        exit 1
    fi
fi

(cd "$crate" && cargo build --release --bins)

# 5,000 held connections need as many descriptors on both sides.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"

clk_tck="$(getconf CLK_TCK)"
next_port=18000
live_pids=()

cleanup() {
    for pid in "${live_pids[@]}"; do
        kill "$pid" 2> /dev/null || true
    done
    for pid in "${live_pids[@]}"; do
        wait "$pid" 2> /dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pipeline_lua="$here/pipeline.lua"

# start_server NAME: starts it on core 0 on a new port; sets server_pid, server_port.
start_server() {
    local name="$1"
    server_port=$next_port
    next_port=$((next_port + 1))
    taskset -c 0 "$bin/$name" "$server_port" > "$out/$name-$server_port.log" 2>&1 &
    server_pid=$!
    live_pids+=("$server_pid")
    local tries=0
    until (exec 3<> "/dev/tcp/127.0.0.1/$server_port") 2> /dev/null; do
        tries=$((tries + 1))
        if [ $tries -ge 100 ] || ! kill -0 "$server_pid" 2> /dev/null; then
            echo "$name did not start listening on $server_port (see $out/$name-$server_port.log)" >&2
            exit 1
        fi
        sleep 0.1
    done
}

# stop_pid PID: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
    local pid="$1" tries=0
    kill "$pid" 2> /dev/null || true
    while kill -0 "$pid" 2> /dev/null && [ $tries -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
}

cpu_ticks() {
    # utime + stime of the whole process (all its threads), in clock ticks.
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# run_wrk NAME CASE PATH CONNECTIONS DEPTH: one measured run on the live server.
run_wrk() {
    local name="$1" case="$2" path="$3" conns="$4" depth="$5"
    local log="$out/wrk-$name-${case//\//_}-r$round.txt"
    local args=(-t1 "-c$conns" "-d${duration}s" --timeout 5s "http://127.0.0.1:$server_port$path")
    if [ "$depth" -gt 1 ]; then
        args=(-s "$pipeline_lua" "${args[@]}" -- "$depth")
    fi
    local before after
    before="$(cpu_ticks "$server_pid")"
    timeout $((duration + 30)) taskset -c 1 wrk "${args[@]}" > "$log" 2>&1 || true
    after="$(cpu_ticks "$server_pid")"
    local requests rps errors
    requests="$(awk '/ requests in / { print $1 }' "$log")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$log")"
    errors="$(grep -E 'Non-2xx|Socket errors' "$log" | tr '\n' ' ' || true)"
    if [ -z "$requests" ] || [ -z "$rps" ] || [ "$requests" = 0 ]; then
        echo "  $name $case: wrk failed (see $log)" >&2
        return
    fi
    local cpu_us
    cpu_us="$(awk -v t="$((after - before))" -v hz="$clk_tck" -v n="$requests" \
        'BEGIN { printf "%.3f", t / hz * 1e6 / n }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$case" "$rps" "$cpu_us" "$errors" "$round" >> "$out/server.tsv"
    printf '  %-10s %-18s %12s req/s %8s µs/req %s\n' "$name" "$case" "$rps" "$cpu_us" "$errors"
}

cases=(
    "plaintext/64 /plaintext 64 1"
    "plaintext/256 /plaintext 256 1"
    "plaintext/256x16 /plaintext 256 16"
    "json/64 /json 64 1"
    "json/256 /json 256 1"
    "json/256x16 /json 256 16"
)

# start_warm NAME: starts the server and warms it up on both routes (not
# measured); sets server_pid, server_port.
start_warm() {
    start_server "$1"
    timeout 30 taskset -c 1 wrk -t1 -c64 -d2s "http://127.0.0.1:$server_port/plaintext" > /dev/null 2>&1 || true
    timeout 30 taskset -c 1 wrk -t1 -c64 -d1s "http://127.0.0.1:$server_port/json" > /dev/null 2>&1 || true
}

# bench_round NAME...: starts every server (a waiting server uses no CPU),
# then runs each case on each server in turn, in the given order, so that
# the runs of one case on the different servers follow each other within
# seconds and the machine's drift over the round does not favour any.
bench_round() {
    local names=("$@") pids=() ports=() i spec
    for i in "${!names[@]}"; do
        start_warm "${names[$i]}"
        pids[i]=$server_pid
        ports[i]=$server_port
    done
    for spec in "${cases[@]}"; do
        for i in "${!names[@]}"; do
            server_pid=${pids[$i]}
            server_port=${ports[$i]}
            # shellcheck disable=SC2086
            run_wrk "${names[$i]}" $spec
        done
    done
    for i in "${!names[@]}"; do
        stop_pid "${pids[$i]}"
    done
}

bench_memory() {
    local name="$1"
    start_server "$name"
    # Warm-up: a few connections used and closed, so first-use allocations
    # are not counted per connection.
    timeout 60 taskset -c 1 "$bin/hold_conns" "$server_port" 50 /plaintext 0 > /dev/null
    sleep 1
    local before after ready_log="$out/hold-$name-r$round.txt"
    before="$(rss_kib "$server_pid")"
    : > "$ready_log"
    taskset -c 1 "$bin/hold_conns" "$server_port" "$idle" /plaintext 120 > "$ready_log" 2>&1 &
    local holder=$!
    live_pids+=("$holder")
    local tries=0
    until grep -q '^ready' "$ready_log"; do
        tries=$((tries + 1))
        if [ $tries -ge 600 ] || ! kill -0 "$holder" 2> /dev/null; then
            echo "  $name: the $idle connections were not all opened (see $ready_log)" >&2
            stop_pid "$holder"
            stop_pid "$server_pid"
            return
        fi
        sleep 0.1
    done
    sleep 1
    after="$(rss_kib "$server_pid")"
    stop_pid "$holder"
    stop_pid "$server_pid"
    local per_conn
    per_conn="$(awk -v a="$after" -v b="$before" -v n="$idle" 'BEGIN { printf "%.2f", (a - b) / n }')"
    printf '%s\tidle/%s\t%s\t%s\t%s\n' "$name" "$idle" "$per_conn" "$before" "$after" >> "$out/memory.tsv"
    printf '  %-10s idle/%-13s %8s KiB/conn (VmRSS %s -> %s KiB)\n' "$name" "$idle" "$per_conn" "$before" "$after"
}

# median_range SCALE DECIMALS: "median (min–max)" of the numbers on
# standard input (one per line), each divided by SCALE; "—" for none.
median_range() {
    sort -g |
        awk -v scale="$1" -v d="$2" '
            { v[NR] = $1 / scale }
            END {
                if (NR == 0) { printf "—"; exit }
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                fmt = "%." d "f (%." d "f–%." d "f)"
                printf fmt, m, v[1], v[NR]
            }'
}

# ratio_cell FILE NAME CASE: "median (min–max)" over the rounds of
# supercell's requests/s divided by NAME's in the same round and case.
ratio_cell() {
    awk -F '\t' -v s="$2" -v c="$3" '
        $2 == c && $1 == "supercell" { mine[$6] = $3 }
        $2 == c && $1 == s { theirs[$6] = $3 }
        END { for (r in mine) if (r in theirs && theirs[r] > 0) print mine[r] / theirs[r] }' "$1" |
        median_range 1 3
}

# median_cell FILE NAME CASE COLUMN SCALE DECIMALS: "median (min–max)".
median_cell() {
    awk -F '\t' -v s="$2" -v c="$3" -v col="$4" '$1 == s && $2 == c { print $col }' "$1" |
        median_range "$5" "$6"
}

# table_head TITLE NAME...: the header and rule lines of a table with a
# column per NAME.
table_head() {
    local header="| $1 |" rule="|---|" name
    shift
    for name in "$@"; do
        header="$header $name |"
        rule="$rule---|"
    done
    echo "$header"
    echo "$rule"
}

print_table() {
    local title="$1" file="$2" col="$3" scale="$4" decimals="$5"
    shift 5
    local name case
    # shellcheck disable=SC2086
    table_head "$title" $servers
    for case in "$@"; do
        local row="| $case |"
        for name in $servers; do
            row="$row $(median_cell "$file" "$name" "$case" "$col" "$scale" "$decimals") |"
        done
        echo "$row"
    done
}

# print_ratio_table CASE...: supercell's requests/s over each other
# server's, same case and round (see ratio_cell).
print_ratio_table() {
    local others=() name case
    for name in $servers; do
        [ "$name" = supercell ] || others+=("$name")
    done
    table_head "case" "${others[@]}"
    for case in "$@"; do
        local row="| $case |"
        for name in "${others[@]}"; do
            row="$row $(ratio_cell "$out/server.tsv" "$name" "$case") |"
        done
        echo "$row"
    done
}

case_names=(plaintext/64 plaintext/256 plaintext/256x16 json/64 json/256 json/256x16)
read -r -a server_list <<< "$servers"

if [ "$mode" != client ]; then
    echo "# servers: ${server_list[*]}; $rounds rounds of ${duration} s runs; results in $out"
    for round in $(seq 1 "$rounds"); do
        echo "## round $round"
        count=${#server_list[@]}
        order=()
        for i in $(seq 0 $((count - 1))); do
            order+=("${server_list[$(((i + round - 1) % count))]}")
        done
        bench_round "${order[@]}"
        for i in $(seq 0 $((count - 1))); do
            name="${server_list[$(((i + round - 1) % count))]}"
            bench_memory "$name"
        done
    done
    {
        echo
        echo "Requests/s, thousands: median (min–max) of $rounds rounds"
        echo
        print_table "case" "$out/server.tsv" 3 1000 1 "${case_names[@]}"
        echo
        echo "Server CPU time per request, µs: median (min–max)"
        echo
        print_table "case" "$out/server.tsv" 4 1 2 "${case_names[@]}"
        echo
        echo "User memory (VmRSS) per idle keep-alive connection, KiB: median (min–max)"
        echo
        print_table "case" "$out/memory.tsv" 3 1 1 "idle/$idle"
        if [[ " $servers " == *" supercell "* ]]; then
            echo
            echo "supercell's requests/s over each server's, same case and round: median (min–max) of $rounds rounds"
            echo
            print_ratio_table "${case_names[@]}"
        fi
        if awk -F '\t' '$5 != "" { found = 1 } END { exit !found }' "$out/server.tsv"; then
            echo
            echo "Runs where wrk reported errors:"
            awk -F '\t' '$5 != "" { print "  " $1 " " $2 ": " $5 }' "$out/server.tsv"
        fi
    } | tee "$out/summary.md"
fi

if [ "$mode" != server ]; then
    echo "# clients: $rounds rounds of ${duration} s runs against hyper on core 0"
    round=0
    start_server hyper
    timeout $((rounds * duration * 6 + 120)) taskset -c 1 "$bin/client_bench" \
        --port "$server_port" --duration "$duration" --rounds "$rounds" \
        --concurrency "$concurrency" | tee "$out/client.md"
    stop_pid "$server_pid"
fi
