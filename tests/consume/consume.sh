#!/usr/bin/env bash
# Consumes rig one way and builds and runs tests/consume/main.cpp:
#   consume.sh find_package|subdirectory|fetchcontent|pkg-config BUILD_DIR SOURCE_DIR
# find_package and pkg-config use rig installed from BUILD_DIR into a temporary prefix; subdirectory and
# fetchcontent build rig's core library from SOURCE_DIR inside the consumer's build.
set -u
way="$1"; build=$(realpath "$2"); root=$(realpath "$3")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
here="$root/tests/consume"
fail=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
expected="w20 60"
install_rig() {
  if ! cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"; echo "FAIL cmake --install"; exit 1
  fi
}
# subdirectory and fetchcontent compile rig's sources with the same commands: through ccache (scripts/install-deps
# installs it) the second of the two reuses the first's objects instead of compiling them again. The cache lives in
# BUILD_DIR unless the caller has one; ctest runs the two one after the other (RESOURCE_LOCK in tests/CMakeLists.txt).
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR="${CCACHE_DIR:-$build/consume-ccache}"
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

case "$way" in
  find_package)
    install_rig
    check "LICENSE installed to share/doc/rig" cmp -s "$tmp/prefix/share/doc/rig/LICENSE" "$root/LICENSE"
    args=(-DRIG_CONSUME=find_package -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release) ;;
  subdirectory|fetchcontent)
    # No build type: rig must not force one on the parent (the parent's cache keeps it empty).
    args=(-DRIG_CONSUME="$way" -DRIG_SOURCE="$root" -DRIG_EXPECTED_BUILD_TYPE= "${launcher[@]}") ;;
  pkg-config)
    install_rig
    pcdir=$(dirname "$(find "$tmp/prefix" -name rig.pc | head -1)")
    check "rig.pc installed" test -f "$pcdir/rig.pc"
    check "rig-torch.pc installed (when rig::torch is built)" \
      bash -c "test ! -e '$tmp/prefix/include/rig/torch' || test -f '$pcdir/rig-torch.pc'"
    export PKG_CONFIG_PATH="$pcdir"
    check "pkg-config --modversion rig" test "$(pkg-config --modversion rig)" = "$(sed -n 's/^project(rig VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
    if [[ -f "$pcdir/rig-torch.pc" ]]; then
      check "rig-torch.pc resolves (rig, zlib)" pkg-config --exists rig-torch
    fi
    # A plain compiler command, no CMake.
    if g++ -Wall -Wextra "$here/main.cpp" -o "$tmp/consumer" $(pkg-config --cflags --libs rig) >"$tmp/cc.log" 2>&1; then
      check "g++ with pkg-config --cflags --libs rig builds the program" true
    else
      cat "$tmp/cc.log"; check "g++ with pkg-config --cflags --libs rig builds the program" false
    fi
    out=$("$tmp/consumer" 2>&1)
    check "the pkg-config-built program runs" test "$out" = "$expected"
    exit $fail ;;
  *) echo "usage: consume.sh find_package|subdirectory|fetchcontent|pkg-config BUILD_DIR SOURCE_DIR" >&2; exit 2 ;;
esac

if cmake -S "$here" -B "$tmp/b" -G Ninja "${args[@]}" >"$tmp/configure.log" 2>&1 &&
   cmake --build "$tmp/b" -j2 --target consumer >"$tmp/build.log" 2>&1; then
  check "$way: configures and builds the program" true
else
  cat "$tmp/configure.log" "$tmp/build.log" 2>/dev/null | tail -40
  check "$way: configures and builds the program" false
  exit 1
fi
out=$("$tmp/b/consumer" 2>&1)
check "$way: the program runs" test "$out" = "$expected"
if [[ "$way" != find_package ]]; then
  # rig's own sources keep -Werror; the consumer's (warning: unused variable) must not get it.
  check "$way: rig's own sources build with -Werror" grep -q -- "-Werror" "$tmp/b/build.ninja"
  check "$way: the consumer's source warned and still built" grep -q "unused_on_purpose" "$tmp/build.log"
fi
exit $fail
