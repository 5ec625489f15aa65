package mapview

// #include "mapview.h"
import "C"

import "fmt"

// The version of the header this package was compiled against.
const (
	HeaderVersionMajor = C.MAPVIEW_VERSION_MAJOR
	HeaderVersionMinor = C.MAPVIEW_VERSION_MINOR
	HeaderVersionPatch = C.MAPVIEW_VERSION_PATCH
)

// HeaderVersion is the header's version as "major.minor.patch".
var HeaderVersion = fmt.Sprintf("%d.%d.%d", HeaderVersionMajor, HeaderVersionMinor, HeaderVersionPatch)

// Version is the version of the library that is running, e.g. "0.1.0".
// With the shared library it may be newer than HeaderVersion.
func Version() string {
	// A static string: nothing to free.
	return C.GoString(C.mapview_version())
}

// PageSize is the size of a memory page on this system, in bytes.
func PageSize() int {
	return int(C.mapview_page_size())
}
