#!/usr/bin/env bash
# Completion: every subcommand, rig run's own flags (after -m / --multirun too), config keys without --config, all
# parameters of a config's components, group options — answered by `rig __complete` and driven through the scripts
# of bash, zsh and fish (`rig completion SHELL`; zsh and fish from Debian, scripts/install-deps test).
source "$(dirname "$0")/lib/common.bash" "$(realpath "$1")" "$(realpath "$2")"
cd "$tmp" || exit 1
unset RIG_RECIPE_PATH RIG_CONFIG_PATH RIG_PLUGIN_PATH
export NO_COLOR=1
has() { grep -qxF -- "$1" <<<"$2"; }        # a whole line
lacks() { ! grep -qxF -- "$1" <<<"$2"; }
complete_() { "$rig" __complete "$@"; }

# Every subcommand `rig --help` lists (CLI11's Subcommands section) is offered for an empty word.
subs=$("$rig" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}')
check "rig --help lists subcommands" test -n "$subs"
words=$(complete_ "")
for s in $subs; do check "complete '': $s" has "$s" "$words"; done
# ... and the other way: `rig --help` sets up the verbs by name only (their options cost a start-up), so check that
# every verb a full set-up knows is still listed, each with its description.
for w in $words; do check "rig --help lists $w" bash -c "grep -qE '^  $w +[A-Z]' <<<\"\$1\"" _ "$("$rig" --help)"; done
for w in print sweep runs diff plot ls cp describe; do check "a verb rig completes: $w" has "$w" "$words"; done

# rig run's own flags, before and after -m / --multirun, and the recipe's flags.
check "complete: run -m RECIPE --d offers --dry-run" has "--dry-run" "$(complete_ run -m greet --d)"
check "complete: run RECIPE --multirun --l offers --launcher" has "--launcher" "$(complete_ run greet --multirun --l)"
check "complete: after --multirun, the recipe's flags too" has "--config" "$(complete_ run greet --multirun --c)"
check "complete: run -m '' offers the recipes" has "greet" "$(complete_ run -m '')"
check "complete: the recipe after -m gets its keys" has "who=" "$(complete_ run -m greet '')"
check "complete: --launcher VALUE" test "$(complete_ run -m greet --launcher '' | tr '\n' ' ')" = "local slurm "
check "complete: --nproc takes a value (no recipe offered)" lacks "greet" "$(complete_ run --nproc '')"
check "complete: run --nproc 2 RECIPE keys" has "times=" "$(complete_ run --nproc 2 greet t)"

# Options before RECIPE, with their values (rig run --plugin X RECIPE): the recipe is found after them.
check "complete: run --config-dir D RECIPE keys" has "who=" "$(complete_ run --config-dir /tmp greet w)"
check "complete: run --plugin X RECIPE keys" has "who=" "$(complete_ run --plugin /x.so greet w)"
check "complete: run --launcher-file F -m RECIPE keys" has "who=" "$(complete_ run --launcher-file f.yaml -m greet w)"
check "complete: validate --config shout RECIPE: shout's keys" has "greeter.volume=" "$(complete_ validate --config shout greet greeter.v)"
check "complete: --plugin VALUE is not a recipe" lacks "greet" "$(complete_ run --plugin '')"

# Config keys without --config: the recipe's default config.
out=$(complete_ run greet '')
check "complete: keys without --config (who=, times=)" bash -c "grep -qx 'who=' <<<\"\$1\" && grep -qx 'times=' <<<\"\$1\"" _ "$out"
check "complete: group names" has "greeter=" "$out"
check "complete: group options" test "$(complete_ run greet greeter= | tr '\n' ' ')" = "greeter=loud greeter=plain "
# All parameters of a component, also one the config leaves to its default: shout's greeter (greet.Loud) sets `word`
# and not `volume` (tests/recipes/greet/configs/greeter/loud.yaml).
check "the config leaves greeter.volume out" bash -c "! '$rig' run greet --config shout --print-config | grep -q volume"
out=$(complete_ run greet --config shout greeter.)
check "complete: a component's every parameter (greeter.volume=, default)" has "greeter.volume=" "$out"
check "complete: ... and the ones set (greeter.word=)" has "greeter.word=" "$out"
check "complete: validate RECIPE keys" has "greeter.volume=" "$(complete_ validate greet --config shout greeter.v)"
check "complete: schema RECIPE --config" has "shout" "$(complete_ schema greet --config s)"
check "complete: schema --component NAME" has "greet.Loud" "$(complete_ schema --component greet.L)"
check "complete: sweep subcommands" has "status" "$(complete_ sweep s)"

# ---- the shells ---------------------------------------------------------------------------------------------------
mkdir bin && ln -s "$rig" bin/rig
export PATH="$tmp/bin:$PATH"
"$rig" completion bash >rig.bash; "$rig" completion zsh >rig.zsh; "$rig" completion fish >rig.fish

# bash: the function bash calls, with COMP_LINE / COMP_POINT as bash sets them.
bash_complete() {
  bash -c 'source ./rig.bash; COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; _rig_complete; printf "%s\n" "${COMPREPLY[@]}"' _ "$1"
}
check "bash: subcommands (sweep)" has "sweep" "$(bash_complete 'rig s')"
check "bash: -m flags" has "--dry-run" "$(bash_complete 'rig run -m greet --dr')"
check "bash: group options after '='" test "$(bash_complete 'rig run greet greeter=' | tr '\n' ' ')" = "loud plain "
check "bash: component parameters" has "greeter.volume=" "$(bash_complete 'rig run greet --config shout greeter.vo')"

# zsh: the completion function with zsh's words/CURRENT, compadd recording what it is given.
if command -v zsh >/dev/null; then
  zsh_complete() {
    zsh -f -c 'compdef() { :; }; compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -l -- "$@"; }
      source ./rig.zsh; words=(${(z)1}); [[ $1 == *" " ]] && words+=(""); CURRENT=${#words}; _rig' _ "$1"
  }
  check "zsh: subcommands (sweep, schema)" bash -c "grep -qx sweep <<<\"\$1\" && grep -qx schema <<<\"\$1\"" _ "$(zsh_complete 'rig s')"
  check "zsh: -m flags" has "--dry-run" "$(zsh_complete 'rig run greet -m --d')"
  check "zsh: keys without --config" has "who=" "$(zsh_complete 'rig run greet w')"
  check "zsh: component parameters" has "greeter.volume=" "$(zsh_complete 'rig run greet --config shout greeter.v')"
else
  check "zsh is installed (scripts/install-deps test)" false
fi

# fish: `complete -C` asks fish's own completion machinery, as the prompt would.
if command -v fish >/dev/null; then
  fish_complete() { fish --no-config -c 'source ./rig.fish; complete -C $argv[1]' "$1" | cut -f1; }
  check "fish: subcommands (sweep)" has "sweep" "$(fish_complete 'rig sw')"
  check "fish: -m flags" has "--dry-run" "$(fish_complete 'rig run -m greet --dr')"
  check "fish: group options" has "greeter=loud" "$(fish_complete 'rig run greet greeter=l')"
  check "fish: component parameters" has "greeter.volume=" "$(fish_complete 'rig run greet --config shout greeter.vo')"
else
  check "fish is installed (scripts/install-deps test)" false
fi
exit $fail
