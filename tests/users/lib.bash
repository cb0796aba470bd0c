# Shared by the user end-to-end tests: `source lib.bash BUILD_DIR SOURCE_DIR`. Installs the build tree into a
# temporary prefix (as a user would install rig) and gives $build, $root, $tmp, $prefix, check NAME CONDITION...
set -u
build=$(realpath "$1"); root=$(realpath "$2")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
prefix="$tmp/prefix"
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"; echo "FAIL cmake --install"; exit 1
fi
export PATH="$prefix/bin:$PATH"
unset RIG_RECIPE_PATH RIG_CONFIG_PATH
export NO_COLOR=1 OMP_WAIT_POLICY=PASSIVE
# configure_and_build SRC BUILD: an out-of-tree CMake project against the installed rig.
configure_and_build() {
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$2.log" 2>&1 &&
    cmake --build "$2" -j2 >>"$2.log" 2>&1 || { cat "$2.log"; return 1; }
}
