//! Regenerates the shared test vectors in `tests/vectors/`.
//!
//! ```text
//! cargo run --example make_vectors            # writes tests/vectors/
//! cargo run --example make_vectors -- DIR     # writes DIR instead
//! ```
//!
//! The output is deterministic (fixed seeds, ids, times and fingerprints);
//! `tests/vectors.rs` fails when the committed files differ from it. Files in
//! the generated folders that the generator no longer writes are removed.

use std::path::{Path, PathBuf};

#[path = "../tests/vectors/generate.rs"]
mod generate;

/// The folders whose every file the generator owns.
const GENERATED_DIRS: [&str; 4] = ["keys", "licenses", "documents", "invalid"];

fn main() -> std::io::Result<()> {
    let out = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"),
        PathBuf::from,
    );
    let files = generate::generate();
    for dir in GENERATED_DIRS {
        let dir = out.join(dir);
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let relative = path.strip_prefix(&out).expect("inside the output folder");
            let relative = relative.to_string_lossy().replace('\\', "/");
            if !files.contains_key(&relative) {
                std::fs::remove_file(&path)?;
                println!("removed {}", path.display());
            }
        }
    }
    for (relative, bytes) in &files {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&path, bytes)?;
            println!("wrote {}", path.display());
        }
    }
    println!("{} files in {}", files.len(), out.display());
    Ok(())
}
