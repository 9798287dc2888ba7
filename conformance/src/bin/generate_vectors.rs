//! Writes conformance/vectors/*.json: `cargo run -p poci-conformance --bin generate_vectors -- DIR`.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "conformance/vectors".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut cases = 0usize;
    for file in poci_conformance::generate::all_files()? {
        let path = dir.join(format!("{}.json", file.name));
        cases = cases.saturating_add(
            file.groups
                .iter()
                .map(|group| group.cases.len())
                .sum::<usize>(),
        );
        std::fs::write(&path, poci_conformance::to_text(&file)?)?;
        println!("wrote {}", path.display());
    }
    println!("{cases} cases");
    Ok(())
}
