//! Lists the repository's vendor-roots/ folder for `embedded.rs`: every file, as its path
//! relative to the folder and its bytes, so that the embedded default is read by the same
//! loader as a folder on disk and no file name is written down twice.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(root, &path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "md") {
            // Notes and provenance stay in the repository, not in every binary.
        } else if let Ok(relative) = path.strip_prefix(root) {
            let components: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((components.join("/"), path.clone()));
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.join("vendor-roots");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut found = Vec::new();
    files(&root, &root, &mut found)?;
    found.sort();
    let mut code = String::from("&[\n");
    for (relative, path) in &found {
        writeln!(
            code,
            "    FolderFile {{ path: {relative:?}, bytes: include_bytes!({:?}) }},",
            path.display().to_string()
        )?;
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("vendor_roots_files.rs");
    std::fs::write(out, code)?;
    Ok(())
}
