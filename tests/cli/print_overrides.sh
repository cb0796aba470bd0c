#!/usr/bin/env bash
# `rig print FILE... [OVERRIDES...]`: overrides, --config, env, --history, --help's precedence list, exit codes.
# Usage: print_overrides.sh RIG_BINARY SOURCE_DIR
set -u
rig=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE EXPECTED_STDOUT_SUBSTRING ARGS... (stderr goes to $tmp/err)
expect() {
  local code=$1 want=$2
  shift 2
  local out
  out=$(env -u NO_COLOR "$rig" "$@" 2>"$tmp/err")
  local got=$?
  [[ $got == "$code" ]] || fail "rig $* exited $got, wanted $code; stderr: $(cat "$tmp/err")"
  [[ -z $want || $out == *"$want"* ]] || fail "rig $* printed:
$out
wanted it to contain: $want"
}
expect_err() {  # expect_err SUBSTRING: the last command's stderr contains it
  grep -qF -- "$1" "$tmp/err" || fail "stderr lacks '$1':
$(cat "$tmp/err")"
}

cat >"$tmp/a.yaml" <<'EOF'
optimizer:
  _component_: torch.optim.AdamW
  lr: 0.001
  betas: [0.9, 0.999]
seed: 1
tags: [a]
EOF
cat >"$tmp/b.yaml" <<'EOF'
seed: 2
EOF

unset "${!RIG_@}" 2>/dev/null || true

expect 0 "lr: 0.1" print "$tmp/a.yaml" optimizer.lr=0.1
expect 0 'name: a=b' print "$tmp/a.yaml" +name=a=b
expect 0 "seed: 2" print "$tmp/a.yaml" "$tmp/b.yaml"
expect 0 "seed: 2" print --config "$tmp/a.yaml" --config "$tmp/b.yaml"
expect 0 "seed: 3" print "$tmp/a.yaml" "$tmp/b.yaml" seed=3
expect 0 '"lr": 0.5' print --json "$tmp/a.yaml" optimizer.lr=0.5
expect 0 "lr: 0.5  # argv[4]:1:14" print --show-origin "$tmp/a.yaml" optimizer.lr=0.5
expect 0 "- c" print "$tmp/a.yaml" 'tags+=[b, c]'
out=$("$rig" print "$tmp/a.yaml" '~optimizer.betas' 2>&1)
[[ $out != *betas* ]] || fail "~optimizer.betas kept the key: $out"
expect 0 "_component_: torch.optim.SGD" print "$tmp/a.yaml" 'optimizer:={_component_: torch.optim.SGD, lr: 0.1}'

# Interpolations from overrides stay unresolved until --resolve.
expect 0 'run: ${seed}' print "$tmp/a.yaml" '+run=${seed}'
expect 0 "run: 7" print --resolve "$tmp/a.yaml" seed=7 '+run=${seed}'
expect 0 "run: /out/7" print --resolve "$tmp/a.yaml" seed=7 '+run=/out/${seed}'

# Environment variables sit between files and the command line.
RIG_OPTIMIZER__LR=0.01 expect 0 "lr: <redacted:env RIG_OPTIMIZER__LR>" print "$tmp/a.yaml"
RIG_OPTIMIZER__LR=0.01 expect 0 "lr: 0.01" print --show-env "$tmp/a.yaml"
RIG_OPTIMIZER__LR=0.01 expect 0 "lr: 0.2" print "$tmp/a.yaml" optimizer.lr=0.2

# --history: each value and who set it, oldest first.
RIG_OPTIMIZER__LR=0.01 expect 0 "" print --history optimizer.lr "$tmp/a.yaml" optimizer.lr=0.2
out=$(RIG_OPTIMIZER__LR=0.01 "$rig" print --history optimizer.lr "$tmp/a.yaml" optimizer.lr=0.2)
line1=$(sed -n 2p <<<"$out")
line2=$(sed -n 3p <<<"$out")
line3=$(sed -n 4p <<<"$out")
[[ $line1 == *"0.001"*"$tmp/a.yaml:3:7"* ]] || fail "history line 1: $line1"
[[ $line2 == *"<redacted:env RIG_OPTIMIZER__LR>"*"env RIG_OPTIMIZER__LR"* ]] || fail "history line 2: $line2"
out=$(RIG_OPTIMIZER__LR=0.01 "$rig" print --show-env --history optimizer.lr "$tmp/a.yaml" optimizer.lr=0.2)
[[ $(sed -n 3p <<<"$out") == *"0.01"*"env RIG_OPTIMIZER__LR"* ]] || fail "history --show-env: $out"
[[ $line3 == *"0.2"*"argv[5]"*"(current)"* ]] || fail "history line 3: $line3"
expect 0 "$tmp/b.yaml:1:7" print --history seed "$tmp/a.yaml" "$tmp/b.yaml"

# --help prints the precedence order.
expect 0 "lowest to highest precedence" print --help
out=$("$rig" print --help)
[[ $out =~ defaults.*config\ files.*environment.*command-line.*hooks ]] || fail "precedence order in --help: $out"

# Errors exit 2 with a caret under the offending character of the argument.
expect 2 "" print "$tmp/a.yaml" optimzer.lr=0.1
expect_err "argv[3]:1:1: error[rig.override.unknown_key]"
expect_err "did you mean 'optimizer.lr'?"
expect 2 "" print "$tmp/a.yaml" 'seed=[1, 2'
expect_err " 1 | seed=[1, 2"
expect_err "   |      ^"
expect 2 "" print "$tmp/a.yaml" seed=1,2
expect_err "--multirun"
expect 2 "" print "$tmp/a.yaml" +seed=2
expect_err "rig.override.key_exists"
expect 2 "" print "$tmp/a.yaml" seed=1 notanoverride
expect_err "rig.override.missing_equals"
expect 2 "" print seed=1
expect_err "rig.usage.no_config"
expect 2 "" print --history nope "$tmp/a.yaml"
expect_err "rig.key.not_found"
RIG_SEDE=1 expect 2 "" print "$tmp/a.yaml"
expect_err "env RIG_SEDE"
expect 2 "" print "$tmp/a.yaml" 'optimizer={_component_: torch.optim.SGD}'
expect_err "optimizer:={_component_: torch.optim.SGD}"

# No colour when NO_COLOR is set or stderr is not a TTY.
NO_COLOR=1 "$rig" print "$tmp/a.yaml" nope=1 2>"$tmp/err"
if grep -q $'\033' "$tmp/err"; then fail "colour escape codes with NO_COLOR"; fi

if ((failures > 0)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "ok"
