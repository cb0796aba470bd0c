#!/usr/bin/env bash
# End-to-end: `rig print --config-dir DIR NAME [OVERRIDES...]` composes like a recipe would.
source "$(dirname "$0")/lib/common.bash" "$@"

mkdir -p "$tmp/conf/model" "$tmp/conf/optim" "$tmp/env"
printf 'defaults:\n  - model: mlp\n  - optim: adam\n  - _self_\nseed: 1\ncallbacks: [ckpt]\n' > "$tmp/conf/train.yaml"
printf 'layers: 2\n' > "$tmp/conf/model/mlp.yaml"
printf 'channels: 16\n' > "$tmp/conf/model/convnet.yml"
printf '{"lr": 0.001}\n' > "$tmp/conf/optim/adam.json"
printf 'from_env: true\n' > "$tmp/env/extra.yaml"

out=$("$rig" print --config-dir "$tmp/conf" train); rc=$?
check "compose exits 0" test "$rc" -eq 0
check "composed yaml" test "$out" = $'model:\n  layers: 2\noptim:\n  lr: 0.001\nseed: 1\ncallbacks:\n  - ckpt'

out=$("$rig" print --config-dir "$tmp/conf" train model=convnet optim.lr=0.1 'callbacks+=[early]' --json); rc=$?
check "overrides exit 0" test "$rc" -eq 0
check "group choice, value override and append apply" python3 -c '
import json,sys; d=json.loads(sys.stdin.read())
assert d == {"model": {"channels": 16}, "optim": {"lr": 0.1}, "seed": 1, "callbacks": ["ckpt", "early"]}, d' <<<"$out"

out=$("$rig" print --config-dir "$tmp/conf" --show-origin train model=convnet); rc=$?
check "show-origin points at the group file" grep -q "channels: 16  # $tmp/conf/model/convnet.yml:1:11" <<<"$out"

out=$("$rig" print --config-dir "$tmp/conf" --defaults-tree train model=convnet); rc=$?
check "defaults tree exits 0" test "$rc" -eq 0
check "defaults tree shows the choice and where it was made" grep -q "^  model: convnet  (@model, chosen at argv\[6\]:1:7, $tmp/conf/model/convnet.yml)" <<<"$out"

out=$(RIG_CONFIG_PATH="$tmp/env" "$rig" print extra); rc=$?
check "RIG_CONFIG_PATH is searched" test "$rc" -eq 0 -a "$out" = "from_env: true"

err=$(NO_COLOR=1 "$rig" print --config-dir "$tmp/conf" trian 2>&1 >/dev/null); rc=$?
check "unknown name exits 2" test "$rc" -eq 2
check "unknown name lists names" grep -q "error\[rig.compose.unknown_config\]: no config named 'trian'" <<<"$err"
check "unknown name suggests the closest" grep -q "did you mean 'train'?" <<<"$err"

err=$(NO_COLOR=1 "$rig" print --config-dir "$tmp/conf" train model=convnt 2>&1 >/dev/null); rc=$?
check "unknown option exits 2" test "$rc" -eq 2
check "unknown option points at the argument" grep -q "^argv\[5\]:1:7: error\[rig.compose.unknown_option\]" <<<"$err"
check "unknown option lists the options" grep -q "options of 'model': convnet, mlp" <<<"$err"

(cd "$tmp/conf" && "$rig" print train >/dev/null 2>&1); rc=$?
check "a name is never retried as a path" test "$rc" -eq 2

out=$("$rig" print "$tmp/conf/train.yaml" model=convnet); rc=$?
check "a primary given by path searches its own directory" grep -q "channels: 16" <<<"$out"

exit $fail
