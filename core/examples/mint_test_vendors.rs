//! Writes the deterministic test vendors and the testnet roots of the real vendors into a
//! vendor-roots/ folder:
//! `cargo run -p poci --example mint_test_vendors -- vendor-roots`.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use poci::x509::mint::generated_vendor_roots;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "vendor-roots".to_owned()),
    );
    let real_vendors = poci::ChipModelRegistry::embedded()?;
    for (path, contents) in generated_vendor_roots(&real_vendors)? {
        let file = out.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, contents)?;
        println!("wrote {}", file.display());
    }
    Ok(())
}
