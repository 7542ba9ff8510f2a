//! The shared object answers to its SONAME, liblicentia.so.MAJOR, whatever
//! cargo names the file it links (scripts/build-capi.sh renames it).

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os.ends_with("bsd") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liblicentia.so.{major}");
    }
}
