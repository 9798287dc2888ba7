//! Writes the deterministic test vendors into a vendor-roots/ folder:
//! `cargo run -p poci --example mint_test_vendors -- vendor-roots`.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use poci::x509::mint::{TEST_VENDORS, test_vendor_files};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "vendor-roots".to_owned()),
    );
    for spec in TEST_VENDORS {
        for (path, contents) in test_vendor_files(spec)? {
            let file = out.join(spec.vendor_id).join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&file, contents)?;
            println!("wrote {}", file.display());
        }
    }
    Ok(())
}
