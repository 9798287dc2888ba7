//! POCI's private object identifiers (SPEC.md, "Object identifiers").
//!
//! Everything lives under one arc derived from a UUID (ITU-T X.667), so nothing
//! needs registering and nothing collides:
//! `id-poci ::= { joint-iso-itu-t uuid(25) 113404983354467406595613569047916547678 }`,
//! the UUID being `5551015d-3592-41af-90b9-ab32bc698e5e`.
//!
//! The arc's number exceeds 32 bits, which general-purpose OID types refuse, so
//! POCI keeps every identifier as its DER content octets and compares bytes.

/// The UUID the arc is derived from.
pub const POCI_ARC_UUID: &str = "5551015d-3592-41af-90b9-ab32bc698e5e";

/// The arc in dotted decimal.
pub const POCI_ARC: &str = "2.25.113404983354467406595613569047916547678";

/// DER content octets of `id-poci`.
pub const POCI_ARC_DER: [u8; 20] = [
    0x69, 0x81, 0xaa, 0xd1, 0x80, 0xd7, 0xa6, 0xd9, 0x92, 0x86, 0xdf, 0x90, 0xdc, 0xea, 0xe6, 0xab,
    0xe3, 0xa6, 0x9c, 0x5e,
];

/// Appends two small arcs (each below 128) to `id-poci`.
const fn under_arc(first: u8, second: u8) -> [u8; 22] {
    let [
        a0,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        a8,
        a9,
        a10,
        a11,
        a12,
        a13,
        a14,
        a15,
        a16,
        a17,
        a18,
        a19,
    ] = POCI_ARC_DER;
    [
        a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19,
        first, second,
    ]
}

/// `id-poci-kp-deviceAttestation ::= { id-poci 1 1 }`: the EKU every device certificate carries.
pub const DEVICE_ATTESTATION_EKU_DER: [u8; 22] = under_arc(1, 1);
/// `id-poci-ext-chipIdentity ::= { id-poci 2 1 }`: the chip identity certificate extension.
pub const CHIP_IDENTITY_EXTENSION_DER: [u8; 22] = under_arc(2, 1);
/// `id-poci-msg-chipBinding ::= { id-poci 3 1 }`: domain tag of a `ChipBinding` tbs.
pub const CHIP_BINDING_DOMAIN_DER: [u8; 22] = under_arc(3, 1);
/// `id-poci-msg-heartbeat ::= { id-poci 3 2 }`: domain tag of a `Heartbeat` tbs.
pub const HEARTBEAT_DOMAIN_DER: [u8; 22] = under_arc(3, 2);
/// `id-poci-msg-leaseAcceptance ::= { id-poci 3 3 }`: domain tag of a `LeaseAcceptance` tbs.
pub const LEASE_ACCEPTANCE_DOMAIN_DER: [u8; 22] = under_arc(3, 3);
/// `id-poci-registry ::= { id-poci 4 1 }`: domain tag of the canonical chip-model registry.
pub const REGISTRY_DOMAIN_DER: [u8; 22] = under_arc(4, 1);
/// `id-poci-networkPolicy ::= { id-poci 4 2 }`: domain tag of the canonical network policy.
pub const NETWORK_POLICY_DOMAIN_DER: [u8; 22] = under_arc(4, 2);

// Standard X.509 identifiers (RFC 5280), as content octets: every module that reads or
// writes certificates, CRLs or names takes them from here.

/// `id-at-commonName` (2.5.4.3).
pub(crate) const COMMON_NAME_OID: [u8; 3] = [0x55, 0x04, 0x03];
/// `id-at-organizationName` (2.5.4.10).
pub(crate) const ORGANIZATION_OID: [u8; 3] = [0x55, 0x04, 0x0a];
#[cfg(feature = "mint")]
/// `id-ce-subjectKeyIdentifier` (2.5.29.14).
pub(crate) const SUBJECT_KEY_ID_OID: [u8; 3] = [0x55, 0x1d, 0x0e];
/// `id-ce-keyUsage` (2.5.29.15).
pub(crate) const KEY_USAGE_OID: [u8; 3] = [0x55, 0x1d, 0x0f];
/// `id-ce-subjectAltName` (2.5.29.17).
pub(crate) const SUBJECT_ALT_NAME_OID: [u8; 3] = [0x55, 0x1d, 0x11];
/// `id-ce-basicConstraints` (2.5.29.19).
pub(crate) const BASIC_CONSTRAINTS_OID: [u8; 3] = [0x55, 0x1d, 0x13];
/// `id-ce-cRLNumber` (2.5.29.20).
pub(crate) const CRL_NUMBER_OID: [u8; 3] = [0x55, 0x1d, 0x14];
/// `id-ce-nameConstraints` (2.5.29.30).
pub(crate) const NAME_CONSTRAINTS_OID: [u8; 3] = [0x55, 0x1d, 0x1e];
/// `id-ce-cRLDistributionPoints` (2.5.29.31).
pub(crate) const CRL_DISTRIBUTION_POINTS_OID: [u8; 3] = [0x55, 0x1d, 0x1f];
/// `id-ce-authorityKeyIdentifier` (2.5.29.35).
pub(crate) const AUTHORITY_KEY_ID_OID: [u8; 3] = [0x55, 0x1d, 0x23];
/// `id-ce-extKeyUsage` (2.5.29.37).
pub(crate) const EXT_KEY_USAGE_OID: [u8; 3] = [0x55, 0x1d, 0x25];
/// `id-ecPublicKey` (1.2.840.10045.2.1).
pub(crate) const EC_PUBLIC_KEY_OID: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `secp384r1` (1.3.132.0.34).
pub(crate) const SECP384R1_OID: [u8; 5] = [0x2b, 0x81, 0x04, 0x00, 0x22];
/// `id-sha384` (2.16.840.1.101.3.4.2.2).
pub(crate) const SHA384_OID: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
/// `tcg-dice-TcbInfo` (2.23.133.5.4.1): carries the firmware id of an NVIDIA attestation
/// certificate.
pub(crate) const TCG_DICE_TCB_INFO_OID: [u8; 6] = [0x67, 0x81, 0x05, 0x05, 0x04, 0x01];
/// `2.23.133.5.4.1.1`, the other spelling NVIDIA's verifier accepts for the same purpose.
pub(crate) const TCG_DICE_TCB_INFO_1_OID: [u8; 7] = [0x67, 0x81, 0x05, 0x05, 0x04, 0x01, 0x01];

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// Encodes a dotted OID independently of the constants above.
    fn encode_dotted(dotted: &str) -> Vec<u8> {
        let arcs: Vec<u128> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
        let mut out = Vec::new();
        let mut first = vec![arcs[0] * 40 + arcs[1]];
        first.extend_from_slice(&arcs[2..]);
        for mut arc in first {
            let mut chunk = vec![(arc & 0x7f) as u8];
            arc >>= 7;
            while arc > 0 {
                chunk.push(0x80 | (arc & 0x7f) as u8);
                arc >>= 7;
            }
            chunk.reverse();
            out.extend(chunk);
        }
        out
    }

    #[test]
    fn arc_matches_uuid() {
        let hex: String = POCI_ARC_UUID.chars().filter(|c| *c != '-').collect();
        let value = u128::from_str_radix(&hex, 16).unwrap();
        assert_eq!(POCI_ARC, format!("2.25.{value}"));
        assert_eq!(encode_dotted(POCI_ARC), POCI_ARC_DER);
    }

    #[test]
    fn sub_arcs_encode_as_dotted() {
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.1.1")),
            DEVICE_ATTESTATION_EKU_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.2.1")),
            CHIP_IDENTITY_EXTENSION_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.3.1")),
            CHIP_BINDING_DOMAIN_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.3.2")),
            HEARTBEAT_DOMAIN_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.3.3")),
            LEASE_ACCEPTANCE_DOMAIN_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.4.1")),
            REGISTRY_DOMAIN_DER
        );
        assert_eq!(
            encode_dotted(&format!("{POCI_ARC}.4.2")),
            NETWORK_POLICY_DOMAIN_DER
        );
    }
}
