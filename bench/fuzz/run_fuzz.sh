#!/bin/sh
# run_fuzz.sh — runs the config fuzzer for a fixed time and sums up the run.
#
#   run_fuzz.sh FUZZER SECONDS WORKDIR SEEDS_DIR DICT CRASH_DIR
#
# New inputs go to WORKDIR/corpus (kept between runs, so a later run starts where
# this one stopped); SEEDS_DIR is only read. A crash, leak, timeout or out-of-memory
# input is written to CRASH_DIR by libFuzzer and the script exits 1 naming it.
# The full log is WORKDIR/fuzz.log; the last lines printed are the figures:
# executions, executions per second, coverage (edges) and features.
set -u
fuzzer=$1 seconds=$2 work=$3 seeds=$4 dict=$5 crashes=$6

mkdir -p "$work/corpus" "$work/run" "$crashes"
before=$(ls "$crashes" | wc -l)
# libFuzzer's own exit status is kept in a file: sh has no pipefail.
{
	cd "$work/run" && "$fuzzer" "$work/corpus" "$seeds" -dict="$dict" \
		-max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" -print_final_stats=1 -print_pcs=0
	echo $? >"$work/status"
} 2>&1 | tee "$work/fuzz.log" | grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE)'
status=$(cat "$work/status")

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$work/fuzz.log" | tail -n 1)
cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
after=$(ls "$crashes" | wc -l)

echo "fuzz: ${execs:-?} executions, ${speed:-?} execs/s, coverage ${cov:-?} edges," \
	"${ft:-?} features, corpus ${corp:-?} in ${seconds}s"
if [ "$status" != 0 ] || [ "$after" -gt "$before" ]; then
	echo "fuzz: FAILED (libFuzzer exit $status); inputs kept in $crashes:"
	ls -t "$crashes" | head -n 5 | sed 's/^/  /'
	exit 1
fi
echo "fuzz: no crash"
