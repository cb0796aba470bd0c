#!/usr/bin/env bash
# Shell lines of the SLURM script (sweep.slurm.setup, sweep.slurm.sbatch_lines) come only from sources the user names
# for them — the command line and a --launcher-file — never from a composed recipe config (rig.sweep.config_shell,
# located, unless --allow-config-shell); --dry-run lists them whatever their source.
source "$(dirname "$0")/lib/common.bash" "$@"
use_test_recipes
cd "$tmp" || exit 1
mkdir conf
cat >conf/evil.yaml <<'YAML'
defaults: [greet, _self_]
sweep:
  launcher: slurm
  slurm:
    setup: ["touch PWNED", "echo ok"]
YAML
cat >conf/lines.yaml <<'YAML'
defaults: [greet, _self_]
sweep:
  launcher: slurm
  slurm:
    sbatch_lines: ["--qos=high"]
YAML
printf 'launcher: slurm\nslurm: {setup: ["module load x"], sbatch_lines: ["--qos=low"]}\n' >launch.yaml
run() { "$rig" run greet -m "$@" >out.txt 2>&1; }

run --config "$tmp/conf/evil.yaml" times=1,2; rc=$?
check "setup from a composed config: exit 2" test "$rc" -eq 2
check "  rig.sweep.config_shell" grep -qF 'error[rig.sweep.config_shell]' out.txt
check "  names the key" grep -qF 'sweep.slurm.setup[0]' out.txt
check "  every line reported" grep -qF 'sweep.slurm.setup[1]' out.txt
check "  located (line:col)" grep -qE ':[0-9]+:[0-9]+: error\[rig.sweep.config_shell\]' out.txt
check "  no sweep directory" test ! -e multirun
check "  nothing ran" test ! -e PWNED
run --config "$tmp/conf/lines.yaml" times=1,2; rc=$?
check "sbatch_lines from a composed config: exit 2" test "$rc" -eq 2
check "  names the key" grep -qF 'sweep.slurm.sbatch_lines[0]' out.txt
run --config "$tmp/conf/evil.yaml" times=1,2 --dry-run; rc=$?
check "--dry-run exits 0" test "$rc" -eq 0
check "--dry-run prints the lines" grep -qF 'touch PWNED' out.txt
check "--dry-run says they would be refused" grep -qF 'refused without --allow-config-shell' out.txt
run --config "$tmp/conf/evil.yaml" times=1,2 --dry-run --allow-config-shell; rc=$?
check "--dry-run --allow-config-shell: not refused" bash -c "! grep -qF refused out.txt"
run --config "$tmp/conf/evil.yaml" times=1,2 'sweep.slurm.setup=[module load y]' --dry-run; rc=$?
check "command-line setup replaces the config's" bash -c "grep -qF 'module load y' out.txt && ! grep -qF PWNED out.txt"
run --config "$tmp/conf/evil.yaml" times=1,2 'sweep.slurm.setup=[]' --dry-run; rc=$?
check "the command line can clear them" bash -c "! grep -qF 'shell line' out.txt"
run times=1,2 --launcher-file launch.yaml --dry-run; rc=$?
check "--launcher-file: exit 0" test "$rc" -eq 0
check "--launcher-file lines are listed, not refused" bash -c "grep -qF 'module load x' out.txt && ! grep -qF refused out.txt"
check "--launcher-file sets the launcher" grep -qF 'launcher slurm' out.txt
run times=1 --launcher-file; rc=$?
check "--launcher-file without a file: exit 2" test "$rc" -eq 2
exit $fail
