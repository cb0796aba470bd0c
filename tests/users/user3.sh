#!/usr/bin/env bash
# User 3: an out-of-tree CMake project (tests/users/user3) with its own main and loop, using rig::torch components
# and rig::instantiate, built against an installed rig. Usage: user3.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash" "$@"
cp -r "$root/tests/users/user3" "$tmp/user3"
cd "$tmp/user3" || exit 1
configure_and_build . build
check "user 3: the project builds against the installed rig (find_package(rig COMPONENTS torch))" test -x build/user3
out=$(build/user3 train.yaml 2>&1); rc=$?
echo "$out"
check "user 3: runs" test "$rc" -eq 0
check "user 3: learns its synthetic task (accuracy >= 0.9)" python3 -c '
import re, sys; a = float(re.search(r"^accuracy: ([0-9.]+)$", sys.argv[1], re.M).group(1)); assert a >= 0.9, a' "$out"
# 8 inputs -> 32 hidden -> 4 classes: (8*32 + 32) + (32*4 + 4) parameters; the sizes come through ${data...}.
check "user 3: the model is built from the config" grep -qx "parameters: 420" <<<"$out"
out=$(build/user3 train.yaml model.hidden=[16,16] data.num_features=6 2>&1)
# 6*16+16 + 16*16+16 + 16*4+4
check "user 3: overrides reach the components" grep -qx "parameters: 452" <<<"$out"
out=$(build/user3 train.yaml model.hiden=[3] 2>&1); rc=$?
check "user 3: a misspelt key is rig's located error, exit 2" \
  test "$rc" -eq 2 -a -n "$(grep -F "did you mean 'model.hidden'" <<<"$out")"
exit $fail
