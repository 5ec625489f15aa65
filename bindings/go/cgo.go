package mapview

// The header comes from the repository's include/ directory; which library
// is linked (shared or static) is chosen in link_shared.go / link_static.go.

// #cgo CFLAGS: -I${SRCDIR}/../../include
import "C"
