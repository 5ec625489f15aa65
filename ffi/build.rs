// The shared library carries a SONAME so programs link against the ABI
// major version (libmapview.so.0), not the file they happened to find.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmapview.so.0");
}
