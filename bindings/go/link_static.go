//go:build mapview_static

package mapview

// With the build tag mapview_static the binding links libmapview.a into the
// program, which then has no dependency on libmapview.so. The Rust code in
// the archive needs the unwinder from libgcc_s and the usual system
// libraries (see docs/c-api.md, "Building and linking").

// #cgo LDFLAGS: ${SRCDIR}/../../build/lib/libmapview.a -lgcc_s -lpthread -ldl -lm
import "C"
