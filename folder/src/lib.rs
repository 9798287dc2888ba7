//! The file-system side of loading a vendor-roots/ folder, shared by the CLI and the Node
//! and Python bindings: list the folder, read the files core's loader reads
//! ([`poci::is_vendor_roots_file`]), and hand them over as (relative path, bytes) pairs to
//! [`poci::TrustStore::from_folder`], which alone decides what they mean. Core does no I/O;
//! this crate does nothing else.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The folder format's deepest file: `testnet/<vendor>/evidence/<kind>/<file>.pem`.
const MAX_DEPTH: usize = 5;

/// Largest file read: far above any certificate, CRL or manifest of the format
/// (`MAX_CRL_LEN` is the largest), so a stray huge file cannot exhaust memory.
pub const MAX_FILE_LEN: u64 = 16 << 20;

/// A file the folder could not be read at.
#[derive(Debug)]
pub struct FolderError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

impl core::fmt::Display for FolderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for FolderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError {
        path: path.to_path_buf(),
        source,
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, FolderError> {
    let len = std::fs::metadata(path).map_err(at(path))?.len();
    if len > MAX_FILE_LEN {
        return Err(FolderError {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{len} bytes, more than the {MAX_FILE_LEN} a vendor-roots file may have"),
            ),
        });
    }
    std::fs::read(path).map_err(at(path))
}

/// The files of `folder` that the loader reads, as (path relative to the folder with `/`
/// separators, bytes), in no particular order (the loader sorts).
///
/// # Errors
/// A folder or file that cannot be listed or read, or a file over [`MAX_FILE_LEN`].
pub fn read_vendor_roots(folder: &Path) -> Result<Vec<(String, Vec<u8>)>, FolderError> {
    let mut files = Vec::new();
    let mut pending = vec![(folder.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(at(&dir))? {
            let entry = entry.map_err(at(&dir))?;
            // A name that is not UTF-8 cannot be a vendor id or a file of the format.
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                if depth.saturating_add(1) < MAX_DEPTH {
                    pending.push((path, relative, depth.saturating_add(1)));
                }
            } else if poci::is_vendor_roots_file(&relative) {
                files.push((relative, read_bounded(&path)?));
            }
        }
    }
    Ok(files)
}

/// The borrowed form [`poci::TrustStore::from_folder`] takes.
#[must_use]
pub fn as_folder(files: &[(String, Vec<u8>)]) -> Vec<poci::FolderFile<'_>> {
    files
        .iter()
        .map(|(path, bytes)| poci::FolderFile { path, bytes })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_repository_folder_is_the_embedded_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots");
        let mut files = read_vendor_roots(&root).unwrap();
        files.sort();
        let embedded: Vec<(String, Vec<u8>)> = poci::embedded::FILES
            .iter()
            .filter(|file| poci::is_vendor_roots_file(file.path))
            .map(|file| (file.path.to_owned(), file.bytes.to_vec()))
            .collect();
        assert_eq!(files, embedded);
        assert!(files.iter().all(|(path, _)| path != "README.md"));
    }

    #[test]
    fn a_missing_folder_names_itself() {
        let error = read_vendor_roots(Path::new("/nonexistent/vendor-roots")).unwrap_err();
        assert_eq!(error.path, Path::new("/nonexistent/vendor-roots"));
    }
}
