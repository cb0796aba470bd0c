#!/usr/bin/env bash
# A stand-in for a recipe in the sweep tests: prints its arguments and environment, writes two metrics lines.
# a=3 fails on purpose (exit 3) unless the file named by $SWEEP_TEST_FIXED exists; sleep=S sleeps first (unless
# SWEEP_TEST_NO_SLEEP is set).
a=; sleep_s=0
trap 'echo "stopped by SIGTERM" >&2; exit 143' TERM  # a cancelled job must not go on to succeed
for kv in "$@"; do
  case "$kv" in a=*) a=${kv#a=} ;; sleep=*) sleep_s=${kv#sleep=} ;; esac
done
echo "job=$RIG_JOB_INDEX a=$a omp=$OMP_NUM_THREADS setup=${FROM_SETUP:-} args=$*"
# A sleep cut short by a signal ends the job with its status: bash runs the TERM trap only once the foreground sleep
# returns, and a SIGTERM that reached the sleep but not bash itself (seen once under load) must not become success.
if [[ -z "${SWEEP_TEST_NO_SLEEP:-}" ]]; then sleep "$sleep_s" || exit $?; fi
if [[ "$a" == 3 && ! -e "${SWEEP_TEST_FIXED:-/nonexistent}" ]]; then
  echo "a=3 fails on purpose" >&2
  exit 3
fi
printf '{"step": 1, "loss": 1.0}\n{"step": 2, "loss": 0.%s}\n' "$a" >>"$RIG_RUN_DIR/metrics.jsonl"
