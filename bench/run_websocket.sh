#!/usr/bin/env bash
# WebSocket benchmarks (the crate in bench/websocket): echo servers under
# ws_load, and user memory per idle WebSocket connection.
#
# Usage: bench/run_websocket.sh [--rounds R] [--duration SECONDS]
#                               [--servers "supercell_ws fastwebsockets tungstenite"] [--idle N]
#
# Servers run on core 0 (taskset -c 0), one thread each; ws_load and ws_hold
# run on core 1. Each round starts every server (a waiting server uses no
# CPU), warms each up, and runs each case on each server in turn, in an
# order of servers rotated by one per round: 16 and 256 connections, each
# with 16 B, 1 KiB and 64 KiB binary messages, every connection sending one
# message and waiting for its echo before the next. ws_load counts echoes
# for DURATION (10) seconds after 1 second of warm-up, and reads the
# server's CPU time (utime + stime from /proc/PID/stat) over the same
# seconds: messages/s, server CPU time per message, and the client's share
# of its core (near 1.0, the client was the limit). Then, on a fresh server
# process, VmRSS before and after IDLE (10,000) connections are opened, each
# used for one echo and left idle. Results go to
# bench/websocket/target/websocket-results/<time>/; the tables printed at the
# end are medians with min-max over the rounds.
set -euo pipefail

rounds=5
duration=10
servers="supercell_ws fastwebsockets tungstenite"
idle=10000
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --servers) servers="$2"; shift 2 ;;
        --idle) idle="$2"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
crate="$here/websocket"
bin="$crate/target/release"
out="$crate/target/websocket-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

(cd "$crate" && cargo build --release --bins)

# IDLE held connections need as many descriptors on both sides.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((idle + 256)) ]; then
    echo "the descriptor limit ($(ulimit -n)) is too low for $idle connections" >&2
    exit 1
fi

next_port=19000
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

# start_server NAME: starts it on core 0 on a new port; sets server_pid, server_port.
start_server() {
    local name="$1"
    server_port=$next_port
    next_port=$((next_port + 1))
    taskset -c 0 "$bin/$name" --port "$server_port" > "$out/$name-$server_port.log" 2>&1 &
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

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# field LINE NAME: the value of NAME=... in ws_load's line.
field() {
    tr ' ' '\n' <<< "$1" | awk -F '=' -v n="$2" '$1 == n { print $2 }'
}

# run_load NAME CASE CONNS SIZE: one measured run on the live server.
run_load() {
    local name="$1" case="$2" conns="$3" size="$4"
    local log="$out/load-$name-${case//\//_}-r$round.txt"
    local status=0
    timeout $((duration + 90)) taskset -c 1 "$bin/ws_load" \
        --url "ws://127.0.0.1:$server_port/" --conns "$conns" --size "$size" \
        --duration "$duration" --warmup 1 --server-pid "$server_pid" > "$log" 2>&1 || status=$?
    local line rate cpu_us client
    line="$(grep '^msgs_per_sec=' "$log" || true)"
    rate="$(field "$line" msgs_per_sec)"
    cpu_us="$(field "$line" server_cpu_us_per_msg)"
    client="$(field "$line" client_cpu)"
    if [ "$status" != 0 ] || [ -z "$rate" ] || [ -z "$cpu_us" ]; then
        echo "  $name $case: ws_load failed, status $status (see $log)" >&2
        return
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$case" "$rate" "$cpu_us" "$client" "$round" >> "$out/server.tsv"
    printf '  %-15s %-10s %12s msgs/s %9s µs/msg  client CPU %s\n' "$name" "$case" "$rate" "$cpu_us" "$client"
}

cases=(
    "16c/16B 16 16"
    "16c/1KiB 16 1024"
    "16c/64KiB 16 65536"
    "256c/16B 256 16"
    "256c/1KiB 256 1024"
    "256c/64KiB 256 65536"
)
case_names=(16c/16B 16c/1KiB 16c/64KiB 256c/16B 256c/1KiB 256c/64KiB)

# start_warm NAME: starts the server and warms it up (not measured); sets
# server_pid, server_port.
start_warm() {
    start_server "$1"
    timeout 60 taskset -c 1 "$bin/ws_load" --url "ws://127.0.0.1:$server_port/" \
        --conns 16 --size 1024 --duration 1 --warmup 0.5 > /dev/null 2>&1 || true
    timeout 60 taskset -c 1 "$bin/ws_load" --url "ws://127.0.0.1:$server_port/" \
        --conns 16 --size 65536 --duration 0.5 --warmup 0.1 > /dev/null 2>&1 || true
}

# bench_round NAME...: starts every server, then runs each case on each
# server in turn, in the given order, so that the runs of one case on the
# different servers follow each other within seconds and the machine's
# drift over the round does not favour any.
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
            run_load "${names[$i]}" $spec
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
    timeout 60 taskset -c 1 "$bin/ws_hold" --url "ws://127.0.0.1:$server_port/" \
        --conns 50 --hold 0 > /dev/null || true
    sleep 1
    local before after ready_log="$out/hold-$name-r$round.txt"
    before="$(rss_kib "$server_pid")"
    : > "$ready_log"
    taskset -c 1 "$bin/ws_hold" --url "ws://127.0.0.1:$server_port/" \
        --conns "$idle" --hold 150 > "$ready_log" 2>&1 &
    local holder=$!
    live_pids+=("$holder")
    local tries=0
    until grep -q '^ready' "$ready_log"; do
        tries=$((tries + 1))
        if [ $tries -ge 1200 ] || ! kill -0 "$holder" 2> /dev/null; then
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
    printf '  %-15s idle/%-8s %8s KiB/conn (VmRSS %s -> %s KiB)\n' "$name" "$idle" "$per_conn" "$before" "$after"
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
# supercell_ws's messages/s divided by NAME's in the same round and case.
ratio_cell() {
    [ -f "$1" ] || { printf "—"; return; }
    awk -F '\t' -v s="$2" -v c="$3" '
        $2 == c && $1 == "supercell_ws" { mine[$6] = $3 }
        $2 == c && $1 == s { theirs[$6] = $3 }
        END { for (r in mine) if (r in theirs && theirs[r] > 0) print mine[r] / theirs[r] }' "$1" |
        median_range 1 3
}

# median_cell FILE NAME CASE COLUMN SCALE DECIMALS: "median (min–max)".
median_cell() {
    [ -f "$1" ] || { printf "—"; return; }
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

# print_ratio_table CASE...: supercell_ws's messages/s over each other
# server's, same case and round (see ratio_cell).
print_ratio_table() {
    local others=() name case
    for name in $servers; do
        [ "$name" = supercell_ws ] || others+=("$name")
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

read -r -a server_list <<< "$servers"

echo "# servers: ${server_list[*]}; $rounds rounds of ${duration} s runs; results in $out"
for round in $(seq 1 "$rounds"); do
    echo "## round $round"
    count=${#server_list[@]}
    order=()
    for i in $(seq 0 $((count - 1))); do
        order+=("${server_list[$(((i + round - 1) % count))]}")
    done
    bench_round "${order[@]}"
    for name in "${order[@]}"; do
        bench_memory "$name"
    done
done
{
    echo
    echo "Messages/s, thousands (each an echo round trip): median (min–max) of $rounds rounds"
    echo
    print_table "case" "$out/server.tsv" 3 1000 1 "${case_names[@]}"
    echo
    echo "Server CPU time per message, µs: median (min–max)"
    echo
    print_table "case" "$out/server.tsv" 4 1 2 "${case_names[@]}"
    echo
    echo "ws_load's share of its core (near 1.00: the client was the limit): median (min–max)"
    echo
    print_table "case" "$out/server.tsv" 5 1 2 "${case_names[@]}"
    echo
    echo "User memory (VmRSS) per idle WebSocket connection, KiB: median (min–max)"
    echo
    print_table "case" "$out/memory.tsv" 3 1 1 "idle/$idle"
    if [[ " $servers " == *" supercell_ws "* ]] && [ "${#server_list[@]}" -gt 1 ]; then
        echo
        echo "supercell_ws's messages/s over each server's, same case and round: median (min–max) of $rounds rounds"
        echo
        print_ratio_table "${case_names[@]}"
    fi
} | tee "$out/summary.md"
