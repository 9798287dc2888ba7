//! Certificates of a PEM text, in order: how vendors ship chains (an NVIDIA GPU's chain,
//! leaf first) and how the CLI, the generator and the tests read them.

use crate::error::{CertProblem, Error, Result};

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// The DER of every `CERTIFICATE` block of `text`, in order; text between blocks is
/// ignored, as RFC 7468 allows.
///
/// # Errors
/// `BAD_CERTIFICATE` (`Encoding`) for a block that does not decode, or a `BEGIN` line
/// without its `END`.
pub fn certificates_from_pem(text: &str) -> Result<Vec<Vec<u8>>> {
    let bad = || Error::BadCertificate {
        problem: CertProblem::Encoding,
    };
    let mut certificates = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block = rest.get(start..).ok_or_else(bad)?;
        let end = block.find(END).ok_or_else(bad)?.saturating_add(END.len());
        let (pem, after) = block.split_at_checked(end).ok_or_else(bad)?;
        let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes()).map_err(|_| bad())?;
        if label != "CERTIFICATE" {
            return Err(bad());
        }
        certificates.push(der);
        rest = after;
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_in_order_and_nothing_else() {
        let chain = include_str!("../../../silicon/nvidia/h100-a/chain.pem");
        let certificates = certificates_from_pem(&format!("a note\n{chain}\ntrailing")).unwrap();
        assert_eq!(certificates.len(), 5);
        assert!(certificates.iter().all(|der| der.first() == Some(&0x30)));
        assert_eq!(
            certificates_from_pem("no certificate").unwrap(),
            Vec::<Vec<u8>>::new()
        );
        let cut = chain.get(..chain.len() / 2).unwrap();
        assert!(certificates_from_pem(cut).is_err());
        let garbled = chain.replacen("MII", "!!!", 1);
        assert!(certificates_from_pem(&garbled).is_err());
    }
}
