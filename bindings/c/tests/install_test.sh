#!/usr/bin/env bash
# `make install` into a temporary prefix, then build a C program against the
# installed copy with nothing but pkg-config: shared, fully static, and the
# static library inside a program with a shared libc.
set -uo pipefail
cd "$(dirname "$0")/../../.."
prefix=$(mktemp -d /tmp/mapview-prefix.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
passed=0; failed=0
t() { # t NAME CMD...
  local name=$1; shift
  if out=$("$@" 2>&1); then passed=$((passed + 1)); echo "ok - $name"
  else failed=$((failed + 1)); echo "$out"; echo "FAIL - $name"; fi
}

t "make install PREFIX=<tmp>" make -s install PREFIX="$prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cat > "$prefix/prog.c" <<'C'
#include <mapview.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    (void)argc;
    mapview_map map;
    mapview_error *err = NULL;
    if (mapview_map_open(argv[0], MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &map, &err) != MAPVIEW_OK) {
        fprintf(stderr, "%s\n", mapview_error_message(err));
        mapview_error_free(err);
        return 1;
    }
    const uint8_t *data; size_t len;
    mapview_map_data(map, &data, &len, NULL);
    int is_elf = len > 4 && memcmp(data, "\177ELF", 4) == 0;
    mapview_map_close(map);
    printf("%s %s\n", mapview_version(), is_elf ? "elf" : "not-elf");
    return is_elf ? 0 : 1;
}
C
want="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) elf"
t "pkg-config knows mapview" pkg-config --exists mapview
t "installed header, libraries and SONAME link" test -f "$prefix/include/mapview.h" -a -f "$prefix/lib/libmapview.a" -a -L "$prefix/lib/libmapview.so.0"
# shellcheck disable=SC2046
t "build shared with pkg-config --cflags --libs" cc -o "$prefix/shared" "$prefix/prog.c" $(pkg-config --cflags --libs mapview)
t "shared program runs against the installed library" bash -c "[ \"\$(LD_LIBRARY_PATH='$prefix/lib' '$prefix/shared')\" = '$want' ]"
t "shared program records the SONAME" bash -c "readelf -d '$prefix/shared' | grep -q 'NEEDED.*libmapview.so.0'"
# shellcheck disable=SC2046
t "build static with pkg-config --static" cc -static -o "$prefix/static" "$prefix/prog.c" $(pkg-config --static --cflags --libs mapview)
t "static program runs with no libmapview.so around" bash -c "[ \"\$('$prefix/static')\" = '$want' ] && ! readelf -d '$prefix/static' 2>/dev/null | grep -q NEEDED"
# shellcheck disable=SC2046
t "build with libmapview.a and a shared libc" cc -o "$prefix/mixed" "$prefix/prog.c" $(pkg-config --cflags mapview) "$prefix/lib/libmapview.a" -lgcc_s -lpthread -ldl -lm
t "mixed program runs without libmapview.so" bash -c "[ \"\$('$prefix/mixed')\" = '$want' ] && ! readelf -d '$prefix/mixed' | grep -q libmapview"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
