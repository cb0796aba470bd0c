#!/bin/bash
# The rig tool on hostile or mistaken command lines: the argument parser's errors, special files and files read once,
# all in rig's diagnostic format with exit status 2.
source "$(dirname "$0")/lib/common.bash" "$@"

printf 'a: 1\n' > "$tmp/f.yaml"
out=$("$rig" print "$tmp/f.yaml" -- a=2 2>&1); st=$?
check "argument parser error: exit 2" test "$st" = 2
check "argument parser error: rig's format" grep -q '^error\[rig.usage.arguments\]: ' <<<"$out"
check "argument parser error: hint" grep -q 'hint: see rig print --help' <<<"$out"
out=$("$rig" print --no-such-flag "$tmp/f.yaml" 2>&1); st=$?
check "unknown flag: exit 2 in rig's format" bash -c "[ $st = 2 ] && grep -q '^error\[rig.usage.arguments\]' <<<'$out'"

mkfifo "$tmp/p.yaml"
out=$(timeout 5 "$rig" print "$tmp/p.yaml" 2>&1); st=$?
check "FIFO: refused at once" test "$st" = 2
check "FIFO: rig.io.not_a_file with the path" grep -q "^$tmp/p.yaml: error\[rig.io.not_a_file\]" <<<"$out"
ln -s /dev/zero "$tmp/z.yaml"
out=$(timeout 5 "$rig" print "$tmp/z.yaml" 2>&1); st=$?
check "/dev/zero through a symlink: refused" bash -c "[ $st = 2 ] && grep -q 'rig.io.not_a_file' <<<'$out'"
out=$(timeout 5 "$rig" print /dev/urandom 2>&1); st=$?
check "/dev/urandom by name: refused" bash -c "[ $st = 2 ] && grep -q 'rig.io.not_a_file' <<<'$out'"

# The config file is opened once (strace, when present, counts the opens).
if command -v strace >/dev/null; then
  n=$(strace -f -e trace=open,openat "$rig" print "$tmp/f.yaml" 2>&1 >/dev/null | grep -c "f.yaml")
  check "the config file is opened once ($n)" test "$n" = 1
else
  echo "skip opened-once check: strace is not installed"
fi
exit $fail
