//go:build !mapview_static

package mapview

// By default the binding links the shared library built by `make lib` and
// records its directory as an rpath, so test binaries and programs built
// from this module run without LD_LIBRARY_PATH. The program then depends
// on the SONAME libmapview.so.0.

// #cgo LDFLAGS: -L${SRCDIR}/../../build/lib -lmapview -Wl,-rpath,${SRCDIR}/../../build/lib
import "C"
