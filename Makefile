# mapview: the two commands a new user needs are `make demo` and `make test`.
# Everything builds with one cargo profile (release) so nothing is built twice.

PREFIX ?= /usr/local
CARGO ?= cargo
CC ?= cc
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
SOMAJOR := 0
LIBDIR := build/lib
CBUILD := build/c
CFLAGS_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic -g -Iinclude
RPATH := -Wl,-rpath,$(abspath $(LIBDIR))
C_TEST_SRC := $(wildcard bindings/c/tests/*.c)
C_TEST_HDR := $(wildcard bindings/c/tests/*.h)
C_EXAMPLES := $(patsubst bindings/c/examples/%.c,$(CBUILD)/%,$(wildcard bindings/c/examples/*.c))

.PHONY: all lib header header-check demo test bench install c-tests c-examples guests clean

all: lib c-examples

# libmapview.so.$(VERSION) with SONAME libmapview.so.$(SOMAJOR), the usual
# symlinks, and libmapview.a.
lib:
	$(CARGO) build --release -p mapview-ffi
	@mkdir -p $(LIBDIR)
	@# Copy then rename, and only when changed: a program running with the
	@# old library keeps its file (rewriting it in place crashes it).
	@cmp -s target/release/libmapview_ffi.so $(LIBDIR)/libmapview.so.$(VERSION) || { \
	  cp target/release/libmapview_ffi.so $(LIBDIR)/.libmapview.so.tmp && \
	  mv -f $(LIBDIR)/.libmapview.so.tmp $(LIBDIR)/libmapview.so.$(VERSION); }
	ln -sf libmapview.so.$(VERSION) $(LIBDIR)/libmapview.so.$(SOMAJOR)
	ln -sf libmapview.so.$(SOMAJOR) $(LIBDIR)/libmapview.so
	@cmp -s target/release/libmapview_ffi.a $(LIBDIR)/libmapview.a || { \
	  cp target/release/libmapview_ffi.a $(LIBDIR)/.libmapview.a.tmp && \
	  mv -f $(LIBDIR)/.libmapview.a.tmp $(LIBDIR)/libmapview.a; }

# include/mapview.h is generated; never edit it by hand.
header:
	cbindgen -q --config ffi/cbindgen.toml --crate mapview-ffi --output include/mapview.h ffi

header-check:
	cbindgen -q --config ffi/cbindgen.toml --crate mapview-ffi --output include/mapview.h --verify ffi

$(CBUILD)/test_mapview: $(C_TEST_SRC) $(C_TEST_HDR) include/mapview.h lib
	@mkdir -p $(CBUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $(C_TEST_SRC) -L$(LIBDIR) -lmapview $(RPATH)

$(CBUILD)/test_mapview_asan: $(C_TEST_SRC) $(C_TEST_HDR) include/mapview.h lib
	@mkdir -p $(CBUILD)
	$(CC) $(CFLAGS_STRICT) -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer -o $@ $(C_TEST_SRC) -L$(LIBDIR) -lmapview $(RPATH)

$(CBUILD)/%: bindings/c/examples/%.c include/mapview.h lib
	@mkdir -p $(CBUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ $< -L$(LIBDIR) -lmapview $(RPATH)

c-examples: $(C_EXAMPLES)

# Example WebAssembly guests (docs/guest-abi.md), built without bulk
# memory: Rust (no_std; wasm-host/guests/rust/.cargo/config.toml) and Zig
# (wasm32-freestanding; wasm-host/guests/zig/build.sh).
guests:
	cd wasm-host/guests/rust && $(CARGO) build --release -q
	bash wasm-host/guests/zig/build.sh

c-tests: $(CBUILD)/test_mapview $(CBUILD)/test_mapview_asan c-examples

# Both entry points install what they need first (scripts/bootstrap.sh
# checks before it installs, so it is quick when all is there).
demo:
	@bash scripts/bootstrap.sh demo
	$(CARGO) build --release -q -p mapview-cli
	@$(MAKE) -s guests
	@bash scripts/demo.sh

# The one test command. Ends with the line `N passed, N failed`.
test:
	@bash scripts/bootstrap.sh test
	@bash scripts/test-all.sh

bench: guests
	$(CARGO) bench -p mapview --bench core
	$(CARGO) bench -p mapview --bench event_log
	$(CARGO) bench -p mapview-ffi --bench abi_overhead
	$(CARGO) bench -p mapview-wasm --bench views
	$(CARGO) bench -p mapview-cli --bench grep
	@for b in bindings/*/bench.sh; do [ -f "$$b" ] && bash "$$b" || true; done

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(LIBDIR)/libmapview.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmapview.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libmapview.so.$(SOMAJOR)
	ln -sf libmapview.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libmapview.so
	install -m 0644 $(LIBDIR)/libmapview.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 include/mapview.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' bindings/c/mapview.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mapview.pc

clean:
	rm -rf build
	$(CARGO) clean
