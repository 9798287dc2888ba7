//! A testnet NVIDIA GPU (feature `mint`): deterministic reports of the real layout
//! (SPEC.md 17.1) under a testnet chain of the real profile (root, identity CA, provisioner
//! CA, per-GPU BROM identity, firmware-derived FMC alias leaf with its FWID), so vectors,
//! tests and the simulation exercise the whole `nvidia-spdm` flow. Every key comes from a
//! published seed: nothing it signs proves anything about real silicon, which is why its
//! root is a testnet root (vendor-roots/testnet/nvidia/evidence/nvidia-spdm/).
//!
//! Signatures are RFC 6979 (deterministic): one GPU, firmware and nonce give one report.

use p384::ecdsa::signature::Signer as _;
use p384::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256, Sha384};

use crate::der_builder::{octets, oid, seq, tlv, uint, utf8};
use crate::device_key::KeyId;
use crate::error::{Error, Result};
use crate::evidence::nvidia_spdm::opaque;
use crate::oid::{
    BASIC_CONSTRAINTS_OID, COMMON_NAME_OID, CRL_NUMBER_OID, EC_PUBLIC_KEY_OID, KEY_USAGE_OID,
    ORGANIZATION_OID, SECP384R1_OID, SHA384_OID, TCG_DICE_TCB_INFO_OID,
};
use crate::x509::time::encode_time;

/// The seed every key of the testnet NVIDIA chain derives from.
pub const TESTNET_NVIDIA_SEED: &str = "testnet/nvidia/nvidia-spdm";

/// Start of the testnet chain's validity: 2026-01-01T00:00:00Z.
pub const TESTNET_NOT_BEFORE: u64 = 1_767_225_600;
/// End of every certificate's validity, as NVIDIA's own: 9999-12-31T23:59:59Z.
pub const NOT_AFTER_9999: u64 = 253_402_300_799;

/// `ecdsa-with-SHA384`.
const ECDSA_WITH_SHA384_OID: [u8; 8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
/// `serialNumber` (X.520).
const SERIAL_NUMBER_OID: [u8; 3] = [0x55, 0x04, 0x05];

/// What an emulated board signs about itself, and the model the testnet rows of the NVIDIA
/// manifest map it to (`None`: no row maps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmulatedBoard {
    /// The chip family its certificates name (`GH100`).
    pub chip: &'static str,
    /// The signed board project.
    pub project: &'static str,
    /// The signed board project SKU.
    pub project_sku: &'static str,
    /// The signed chip SKU.
    pub chip_sku: &'static str,
    /// The registry model the manifest's testnet rows give it.
    pub model_id: Option<&'static str>,
}

/// The boards the emulator builds: the data-center GPUs the testnet rows map, a board no
/// row maps, and an NVSwitch (genuine, never rated).
pub const EMULATED_BOARDS: &[EmulatedBoard] = &[
    EmulatedBoard {
        chip: "GH100",
        project: "TEST",
        project_sku: "0001",
        chip_sku: "T01",
        model_id: Some("nvidia-h100-sxm"),
    },
    EmulatedBoard {
        chip: "GH100",
        project: "TEST",
        project_sku: "0002",
        chip_sku: "T01",
        model_id: Some("nvidia-h200-sxm"),
    },
    EmulatedBoard {
        chip: "GB100",
        project: "TEST",
        project_sku: "0003",
        chip_sku: "T02",
        model_id: Some("nvidia-b200"),
    },
    EmulatedBoard {
        chip: "GH100",
        project: "TEST",
        project_sku: "0099",
        chip_sku: "T01",
        model_id: None,
    },
    EmulatedBoard {
        chip: "LS10",
        project: "TEST",
        project_sku: "0004",
        chip_sku: "T03",
        model_id: None,
    },
];

/// The emulated board of `model_id`, if the emulator builds one.
#[must_use]
pub fn board_for_model(model_id: &str) -> Option<&'static EmulatedBoard> {
    EMULATED_BOARDS
        .iter()
        .find(|board| board.model_id == Some(model_id))
}

/// A P-384 key from a label: the scalar is SHA-384 of the label.
fn key_from(label: &str) -> Result<SigningKey> {
    SigningKey::from_slice(&Sha384::digest(label.as_bytes())).map_err(|_| Error::DeviceKeyInvalid)
}

fn spki(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    seq(&[
        seq(&[oid(&EC_PUBLIC_KEY_OID), oid(&SECP384R1_OID)]),
        tlv(0x03, &[&[0u8][..], point.as_bytes()].concat()),
    ])
}

/// A Name: `serialNumber` (device certificates only), `O`, `CN`.
fn name(serial_number: Option<&str>, organization: &str, common_name: &str) -> Vec<u8> {
    let attribute = |kind: &[u8], value: Vec<u8>| tlv(0x31, &seq(&[oid(kind), value]));
    let mut rdns = Vec::new();
    if let Some(serial) = serial_number {
        rdns.push(attribute(&SERIAL_NUMBER_OID, tlv(0x13, serial.as_bytes())));
    }
    rdns.push(attribute(&ORGANIZATION_OID, utf8(organization)));
    rdns.push(attribute(&COMMON_NAME_OID, utf8(common_name)));
    seq(&rdns)
}

/// A positive INTEGER from big-endian bytes.
fn integer(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = trimmed;
    if content.first().is_none_or(|b| *b >= 0x80) {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

fn extension(kind: &[u8], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(kind)];
    if critical {
        parts.push(tlv(0x01, &[0xff]));
    }
    parts.push(octets(&value));
    seq(&parts)
}

/// basicConstraints CA and keyUsage keyCertSign + cRLSign, both critical.
fn ca_extensions() -> Vec<Vec<u8>> {
    vec![
        extension(&BASIC_CONSTRAINTS_OID, true, seq(&[tlv(0x01, &[0xff])])),
        extension(&KEY_USAGE_OID, true, tlv(0x03, &[0x01, 0x06])),
    ]
}

/// One certificate of the chain.
struct Certificate<'a> {
    serial: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    subject_key: &'a SigningKey,
    extensions: Vec<Vec<u8>>,
}

impl Certificate<'_> {
    fn sign(&self, issuer_key: &SigningKey) -> Result<Vec<u8>> {
        let algorithm = seq(&[oid(&ECDSA_WITH_SHA384_OID)]);
        let tbs = seq(&[
            tlv(0xa0, &uint(2)),
            integer(self.serial),
            algorithm.clone(),
            self.issuer.to_vec(),
            seq(&[
                encode_time(TESTNET_NOT_BEFORE)?,
                encode_time(NOT_AFTER_9999)?,
            ]),
            self.subject.to_vec(),
            spki(self.subject_key),
            tlv(0xa3, &seq(&self.extensions)),
        ]);
        let signature: Signature = issuer_key.sign(&tbs);
        let bits = [&[0u8][..], signature.to_der().as_bytes()].concat();
        Ok(seq(&[tbs, algorithm, tlv(0x03, &bits)]))
    }
}

/// The testnet NVIDIA device identity CA.
#[derive(Debug, Clone)]
pub struct NvidiaTestnetCa {
    seed: String,
    key: SigningKey,
    name: Vec<u8>,
    root_der: Vec<u8>,
}

impl NvidiaTestnetCa {
    /// The CA of `seed` ([`TESTNET_NVIDIA_SEED`] for the published testnet root).
    ///
    /// # Errors
    /// `DEVICE_KEY_INVALID` in the 2^-190 case of a seed whose digest is no scalar.
    pub fn new(seed: &str) -> Result<Self> {
        let key = key_from(&format!("{seed}/root"))?;
        let name = name(
            None,
            "NVIDIA (testnet)",
            "POCI Testnet NVIDIA Device Identity CA",
        );
        let root_der = Certificate {
            serial: &[1],
            issuer: &name,
            subject: &name,
            subject_key: &key,
            extensions: ca_extensions(),
        }
        .sign(&key)?;
        Ok(Self {
            seed: seed.to_owned(),
            key,
            name,
            root_der,
        })
    }

    /// The published testnet CA.
    ///
    /// # Errors
    /// As [`NvidiaTestnetCa::new`].
    pub fn testnet() -> Result<Self> {
        Self::new(TESTNET_NVIDIA_SEED)
    }

    /// The root certificate (DER).
    #[must_use]
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }

    /// A GPU of `board`, its identity from `gpu_seed`, running `firmware`.
    ///
    /// # Errors
    /// As [`NvidiaTestnetCa::new`].
    pub fn gpu(
        &self,
        board: &EmulatedBoard,
        gpu_seed: &str,
        firmware: &str,
    ) -> Result<EmulatedGpu> {
        let family = board.chip;
        let seed = &self.seed;
        let FamilyCas {
            identity_key,
            identity_name,
            provisioner_key,
            provisioner_name,
        } = self.family_cas(family)?;
        let brom_key = key_from(&format!("{seed}/gpu/{gpu_seed}/brom"))?;
        let brom_serial: Vec<u8> = Sha256::digest(format!("{seed}/gpu/{gpu_seed}/serial"))
            .get(..9)
            .unwrap_or_default()
            .to_vec();
        let organization = "NVIDIA Corporation (testnet)";
        let brom_name = name(
            Some(&hex::encode_upper(&brom_serial)),
            organization,
            &format!("{family} A01 GSP BROM"),
        );
        let leaf_key = key_from(&format!("{seed}/gpu/{gpu_seed}/fmc/{firmware}"))?;
        let fwid: [u8; 48] = Sha384::digest(format!("firmware/{family}/{firmware}")).into();
        let leaf_serial: Vec<u8> = Sha256::digest(spki(&leaf_key))
            .get(..20)
            .unwrap_or_default()
            .to_vec();
        let leaf_name = name(
            Some(&hex::encode_upper(&leaf_serial)),
            organization,
            &format!("{family} A01 GSP FMC LF"),
        );
        // TcbInfo as NVIDIA's leaves carry it: version, the alias key, the FWID.
        let tcb_info = seq(&[
            uint(1),
            spki(&leaf_key),
            seq(&[oid(&SHA384_OID), octets(&fwid)]),
        ]);
        let leaf = Certificate {
            serial: &leaf_serial,
            issuer: &brom_name,
            subject: &leaf_name,
            subject_key: &leaf_key,
            extensions: vec![
                extension(&KEY_USAGE_OID, true, tlv(0x03, &[0x07, 0x80])),
                extension(&TCG_DICE_TCB_INFO_OID, false, tcb_info),
            ],
        }
        .sign(&brom_key)?;
        let brom = Certificate {
            serial: &brom_serial,
            issuer: &provisioner_name,
            subject: &brom_name,
            subject_key: &brom_key,
            extensions: vec![
                extension(&BASIC_CONSTRAINTS_OID, true, seq(&[tlv(0x01, &[0xff])])),
                extension(&KEY_USAGE_OID, true, tlv(0x03, &[0x02, 0x04])),
            ],
        }
        .sign(&provisioner_key)?;
        let provisioner = Certificate {
            serial: &[2],
            issuer: &identity_name,
            subject: &provisioner_name,
            subject_key: &provisioner_key,
            extensions: ca_extensions(),
        }
        .sign(&identity_key)?;
        let identity = Certificate {
            serial: &[3],
            issuer: &self.name,
            subject: &identity_name,
            subject_key: &identity_key,
            extensions: ca_extensions(),
        }
        .sign(&self.key)?;
        Ok(EmulatedGpu {
            board: *board,
            measurement_seed: format!("{family}/{firmware}"),
            responder_seed: format!("{seed}/gpu/{gpu_seed}/{firmware}"),
            driver_version: "560.35.03".to_owned(),
            leaf_key,
            fwid,
            chain: vec![leaf, brom, provisioner, identity, self.root_der.clone()],
        })
    }
}

/// The two CAs of a chip family, between the root and the GPUs.
struct FamilyCas {
    identity_key: SigningKey,
    identity_name: Vec<u8>,
    provisioner_key: SigningKey,
    provisioner_name: Vec<u8>,
}

impl NvidiaTestnetCa {
    fn family_cas(&self, family: &str) -> Result<FamilyCas> {
        let seed = &self.seed;
        Ok(FamilyCas {
            identity_key: key_from(&format!("{seed}/{family}/identity"))?,
            identity_name: name(
                None,
                "NVIDIA (testnet)",
                &format!("POCI Testnet NVIDIA {family} Identity"),
            ),
            provisioner_key: key_from(&format!("{seed}/{family}/provisioner"))?,
            provisioner_name: name(
                None,
                "NVIDIA (testnet)",
                &format!("POCI Testnet NVIDIA {family} Provisioner ICA 1"),
            ),
        })
    }

    /// A CRL of `family`'s provisioner CA (the issuer of its GPUs' identity certificates)
    /// revoking the certificates of `revoked` serials (content octets), valid from
    /// `this_update` to `next_update` (unix seconds), CRL number `number`.
    ///
    /// # Errors
    /// As [`NvidiaTestnetCa::new`]; a time after 9999.
    pub fn provisioner_crl(
        &self,
        family: &str,
        revoked: &[&[u8]],
        this_update: u64,
        next_update: u64,
        number: u64,
    ) -> Result<Vec<u8>> {
        let cas = self.family_cas(family)?;
        let algorithm = seq(&[oid(&ECDSA_WITH_SHA384_OID)]);
        let mut tbs = vec![
            uint(1),
            algorithm.clone(),
            cas.provisioner_name,
            encode_time(this_update)?,
            encode_time(next_update)?,
        ];
        if !revoked.is_empty() {
            let entries: Vec<Vec<u8>> = revoked
                .iter()
                .map(|serial| Ok(seq(&[integer(serial), encode_time(this_update)?])))
                .collect::<Result<_>>()?;
            tbs.push(seq(&entries));
        }
        let crl_number = seq(&[oid(&CRL_NUMBER_OID), octets(&uint(u128::from(number)))]);
        tbs.push(tlv(0xa0, &seq(&[crl_number])));
        let tbs = seq(&tbs);
        let signature: Signature = cas.provisioner_key.sign(&tbs);
        let bits = [&[0u8][..], signature.to_der().as_bytes()].concat();
        Ok(seq(&[tbs, algorithm, tlv(0x03, &bits)]))
    }
}

/// One emulated GPU running one firmware.
#[derive(Debug, Clone)]
pub struct EmulatedGpu {
    board: EmulatedBoard,
    measurement_seed: String,
    responder_seed: String,
    driver_version: String,
    leaf_key: SigningKey,
    fwid: [u8; 48],
    chain: Vec<Vec<u8>>,
}

impl EmulatedGpu {
    /// Its certificate chain, leaf first, root last (as NVML returns it).
    #[must_use]
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// Its board.
    #[must_use]
    pub const fn board(&self) -> &EmulatedBoard {
        &self.board
    }

    /// Its key id: SHA-256 of the BROM identity certificate's `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    /// Not expected: the emulator's own certificates read.
    pub fn key_id(&self) -> Result<KeyId> {
        let identity = self.chain.get(1).ok_or(Error::UnknownIssuer)?;
        let certificate =
            crate::evidence::nvidia_certificate::NvidiaCertificate::from_der(identity)?;
        Ok(KeyId(Sha256::digest(certificate.spki).into()))
    }

    /// Its identity certificate's serial number (content octets): its serial in the ledger.
    ///
    /// # Errors
    /// Not expected: the emulator's own certificates read.
    pub fn identity_serial(&self) -> Result<Vec<u8>> {
        let identity = self.chain.get(1).ok_or(Error::UnknownIssuer)?;
        let certificate =
            crate::evidence::nvidia_certificate::NvidiaCertificate::from_der(identity)?;
        Ok(certificate.serial.to_vec())
    }

    /// Its firmware id (as the leaf certifies it and reports state it).
    #[must_use]
    pub const fn fwid(&self) -> &[u8; 48] {
        &self.fwid
    }

    /// A report answering `nonce`: request ‖ response ‖ signature, as NVML returns it.
    ///
    /// # Errors
    /// Not expected (lengths are fixed and small).
    pub fn report(&self, nonce: &[u8; 32]) -> Result<Vec<u8>> {
        let mut report = vec![0x11, 0xe0, 0x01, 0xff];
        report.extend_from_slice(nonce);
        report.push(0);
        let mut record = Vec::new();
        let count = 4u8;
        for index in 1..=count {
            let value = Sha384::digest(format!("{}/measurement/{index}", self.measurement_seed));
            record.extend([index, 0x01, 51, 0, 0x01, 48, 0]);
            record.extend_from_slice(&value);
        }
        let record_len = u32::try_from(record.len()).map_err(|_| Error::AmountOverflow)?;
        report.extend([0x11, 0x60, 0x00, 0x00, count]);
        report.extend(record_len.to_le_bytes().get(..3).unwrap_or_default());
        report.extend(record);
        let mut responder_nonce = Sha256::new();
        responder_nonce.update(self.responder_seed.as_bytes());
        responder_nonce.update(nonce);
        report.extend(responder_nonce.finalize());
        let mut driver = self.driver_version.as_bytes().to_vec();
        driver.push(0);
        let fields: [(u16, Vec<u8>); 6] = [
            (opaque::DRIVER_VERSION, driver),
            (
                opaque::VBIOS_VERSION,
                vec![0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0],
            ),
            (opaque::CHIP_SKU, self.board.chip_sku.as_bytes().to_vec()),
            (opaque::PROJECT, self.board.project.as_bytes().to_vec()),
            (
                opaque::PROJECT_SKU,
                self.board.project_sku.as_bytes().to_vec(),
            ),
            (opaque::FWID, self.fwid.to_vec()),
        ];
        let mut opaque_data = Vec::new();
        for (field_type, value) in fields {
            let size = u16::try_from(value.len()).map_err(|_| Error::AmountOverflow)?;
            opaque_data.extend(field_type.to_le_bytes());
            opaque_data.extend(size.to_le_bytes());
            opaque_data.extend(value);
        }
        let opaque_len = u16::try_from(opaque_data.len()).map_err(|_| Error::AmountOverflow)?;
        report.extend(opaque_len.to_le_bytes());
        report.extend(opaque_data);
        let signature: Signature = self.leaf_key.sign(&report);
        report.extend_from_slice(&signature.to_bytes());
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::evidence::nvidia_spdm::NvidiaReport;

    #[test]
    fn reports_read_and_are_deterministic() {
        let ca = NvidiaTestnetCa::testnet().unwrap();
        let gpu = ca
            .gpu(&EMULATED_BOARDS[0], "gpu-0", "96.00.9f.00.01")
            .unwrap();
        let nonce = [9u8; 32];
        let report = gpu.report(&nonce).unwrap();
        assert_eq!(report, gpu.report(&nonce).unwrap());
        let parsed = NvidiaReport::parse(&report).unwrap();
        assert_eq!(parsed.requester_nonce, &nonce);
        assert_eq!(parsed.opaque_text(opaque::PROJECT), Some("TEST"));
        assert_eq!(parsed.opaque_field(opaque::FWID), Some(&gpu.fwid()[..]));
        // A firmware update changes the leaf, never the identity.
        let updated = ca
            .gpu(&EMULATED_BOARDS[0], "gpu-0", "96.00.a0.00.01")
            .unwrap();
        assert_eq!(updated.key_id().unwrap(), gpu.key_id().unwrap());
        assert_ne!(updated.chain()[0], gpu.chain()[0]);
        let other = ca
            .gpu(&EMULATED_BOARDS[0], "gpu-1", "96.00.9f.00.01")
            .unwrap();
        assert_ne!(other.key_id().unwrap(), gpu.key_id().unwrap());
    }
}
