//! Writes `fuzz/corpus/<target>/` from the conformance vectors: each seed once, named by
//! its SHA-256, so re-running adds nothing. The structure-aware targets get every seed of
//! every target: arbitrary bytes they read as choices.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

fn main() -> std::io::Result<()> {
    let seeds = poci_fuzz::seeds::from_vectors();
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut written = 0usize;
    for (target, _) in poci_fuzz::TARGETS {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        let list: Vec<&[u8]> = if poci_fuzz::STRUCTURED.contains(target) {
            seeds.all().map(|(_, seed)| seed).collect()
        } else {
            seeds.of(target).iter().map(Vec::as_slice).collect()
        };
        for seed in list {
            let name = hex::encode(Sha256::digest(seed));
            std::fs::write(dir.join(name), seed)?;
            written = written.saturating_add(1);
        }
    }
    println!("{written} seeds in {}", corpus.display());
    Ok(())
}
