//! Certificates of a PEM text, in order: how vendors ship chains (an NVIDIA GPU's chain,
//! leaf first) and how the CLI, the generator and the tests read them.

use std::borrow::Cow;

use crate::error::{CertProblem, Error, Field, Result};
use crate::limits::{MAX_CERTIFICATE_LEN, check_len};

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

/// Longest PEM text [`one_certificate`] decodes: one block of a `MAX_CERTIFICATE_LEN`
/// certificate (base64, lines of 64, the two boundary lines) fits with room to spare.
const MAX_CERTIFICATE_PEM_LEN: usize = MAX_CERTIFICATE_LEN.saturating_mul(2);

/// One certificate given as DER or as PEM text of exactly one `CERTIFICATE` block (text
/// around the block ignored); its DER, at most `MAX_CERTIFICATE_LEN` bytes.
///
/// # Errors
/// `FIELD_EMPTY` / `FIELD_TOO_LONG` (`certificate`) for empty or oversized input;
/// `BAD_CERTIFICATE` (`Encoding`) for PEM that is not UTF-8 or not exactly one
/// `CERTIFICATE` block.
pub(crate) fn one_certificate(input: &[u8]) -> Result<Cow<'_, [u8]>> {
    if !input.trim_ascii_start().starts_with(b"-----BEGIN ") {
        check_len(Field::Certificate, input.len(), MAX_CERTIFICATE_LEN)?;
        return Ok(Cow::Borrowed(input));
    }
    check_len(Field::Certificate, input.len(), MAX_CERTIFICATE_PEM_LEN)?;
    let bad = || Error::BadCertificate {
        problem: CertProblem::Encoding,
    };
    let text = core::str::from_utf8(input).map_err(|_| bad())?;
    let mut certificates = certificates_from_pem(text)?;
    let der = certificates.pop().ok_or_else(bad)?;
    if !certificates.is_empty() {
        return Err(bad());
    }
    check_len(Field::Certificate, der.len(), MAX_CERTIFICATE_LEN)?;
    Ok(Cow::Owned(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_certificate_der_or_one_pem_block() {
        let chain = include_str!("../../tests/data/silicon/nvidia/h100-a/chain.pem");
        let certificates = certificates_from_pem(chain).unwrap();
        let first = certificates.first().unwrap();
        let block = crate::x509::mint::to_pem("CERTIFICATE", first).unwrap();
        assert_eq!(one_certificate(first).unwrap().as_ref(), first.as_slice());
        assert_eq!(
            one_certificate(format!("  \n{block}").as_bytes())
                .unwrap()
                .as_ref(),
            first.as_slice()
        );
        let bad = Error::BadCertificate {
            problem: CertProblem::Encoding,
        };
        assert_eq!(one_certificate(chain.as_bytes()).unwrap_err(), bad);
        let crl = block.replace("CERTIFICATE", "X509 CRL");
        assert_eq!(one_certificate(crl.as_bytes()).unwrap_err(), bad);
        assert_eq!(
            one_certificate(b"").unwrap_err(),
            Error::FieldEmpty {
                field: Field::Certificate
            }
        );
        let long = vec![0x30; MAX_CERTIFICATE_LEN + 1];
        assert!(matches!(
            one_certificate(&long).unwrap_err(),
            Error::FieldTooLong { .. }
        ));
    }

    #[test]
    fn blocks_in_order_and_nothing_else() {
        let chain = include_str!("../../tests/data/silicon/nvidia/h100-a/chain.pem");
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
