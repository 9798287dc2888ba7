//! NVIDIA GPU attestation reports (evidence kind `nvidia-spdm`): the SPDM 1.1
//! GET_MEASUREMENTS request a verifier sent, followed by the GPU's MEASUREMENTS response,
//! signed by the GPU's attestation key (ECDSA P-384 over SHA-384 of every byte before the
//! signature). This module reads a report strictly; it judges nothing about its chain.
//!
//! ```text
//! request (37 bytes)
//!   0      SPDMVersion        0x11
//!   1      RequestResponseCode 0xE0 (GET_MEASUREMENTS)
//!   2      Param1             0x01 (signature requested)
//!   3      Param2             0xFF (all measurement blocks)
//!   4..36  Nonce              the requester's 32-byte nonce
//!   36     SlotIDParam        0..=7
//! response
//!   0      SPDMVersion        0x11
//!   1      RequestResponseCode 0x60 (MEASUREMENTS)
//!   2      Param1, 3 Param2   (signed; not interpreted)
//!   4      NumberOfBlocks     u8, at least 1
//!   5..8   MeasurementRecordLength u24 LE
//!   ..     MeasurementRecord  NumberOfBlocks blocks, exactly filling the length:
//!            Index u8 (unique), MeasurementSpecification u8 (0x01 DMTF),
//!            MeasurementSize u16 LE, then DMTFSpecMeasurementValueType u8,
//!            DMTFSpecMeasurementValueSize u16 LE (= MeasurementSize - 3), value
//!   ..     Nonce              the responder's 32 bytes
//!   ..     OpaqueLength       u16 LE
//!   ..     OpaqueData         TLVs exactly filling the length: type u16 LE (unique),
//!                             size u16 LE, value
//!   ..     Signature          96 bytes, r || s big-endian; nothing after it
//! ```

use crate::error::{Error, MessageKind, ReportProblem, Result};
use crate::limits::{MAX_NVIDIA_OPAQUE_FIELDS, MAX_NVIDIA_REPORT_LEN};

/// Length of the GET_MEASUREMENTS request at the start of a report.
pub const REQUEST_LEN: usize = 37;
/// Length of a P-384 signature, raw `r || s`.
pub const SIGNATURE_LEN: usize = 96;
/// SPDM version 1.1, as the version byte spells it.
const SPDM_1_1: u8 = 0x11;
const GET_MEASUREMENTS: u8 = 0xe0;
const MEASUREMENTS: u8 = 0x60;
const SIGNATURE_REQUESTED: u8 = 0x01;
const ALL_BLOCKS: u8 = 0xff;
const MAX_SLOT_ID: u8 = 7;
const DMTF_SPECIFICATION: u8 = 0x01;

/// Opaque field types NVIDIA defines (facts from NVIDIA's public verifier).
pub mod opaque {
    /// The driver version, NUL-terminated text.
    pub const DRIVER_VERSION: u16 = 3;
    /// The VBIOS version, 8 bytes.
    pub const VBIOS_VERSION: u16 = 6;
    /// The chip SKU, NUL-padded text (`"882"`).
    pub const CHIP_SKU: u16 = 15;
    /// The chip SKU modifier.
    pub const CHIP_SKU_MOD: u16 = 16;
    /// The board project, NUL-padded text (`"1010"`, `"G520"`).
    pub const PROJECT: u16 = 17;
    /// The board project SKU, NUL-padded text (`"0200"`).
    pub const PROJECT_SKU: u16 = 18;
    /// The project SKU modifier.
    pub const PROJECT_SKU_MOD: u16 = 19;
    /// The firmware id: the FWID the attestation certificate carries (48 bytes).
    pub const FWID: u16 = 20;
}

/// One measurement block of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasurementBlock<'a> {
    /// The block's index.
    pub index: u8,
    /// DMTF measurement value type.
    pub value_type: u8,
    /// The measurement value (a digest, for NVIDIA's blocks).
    pub value: &'a [u8],
}

/// One opaque-data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpaqueField<'a> {
    /// The field type ([`opaque`]).
    pub field_type: u16,
    /// The raw value.
    pub value: &'a [u8],
}

/// An NVIDIA attestation report, read strictly; it borrows the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvidiaReport<'a> {
    /// The requester's nonce: what the report answers.
    pub requester_nonce: &'a [u8; 32],
    /// The SPDM slot of the certificate chain the GPU signed with.
    pub slot_id: u8,
    /// The measurement blocks, in report order.
    pub blocks: Vec<MeasurementBlock<'a>>,
    /// The responder's nonce.
    pub responder_nonce: &'a [u8; 32],
    /// The opaque fields, in report order (types unique).
    pub opaque: Vec<OpaqueField<'a>>,
    /// Every byte the signature covers: the whole report but the signature.
    pub signed: &'a [u8],
    /// The signature, raw `r || s`.
    pub signature: &'a [u8; SIGNATURE_LEN],
}

/// A cursor over the report that reports where it failed.
struct Cursor<'a> {
    input: &'a [u8],
    offset: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, problem: ReportProblem) -> Error {
        Error::ReportMalformed {
            problem,
            offset: self.offset,
        }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let end = self
            .offset
            .checked_add(len)
            .ok_or_else(|| self.error(ReportProblem::Truncated))?;
        let bytes = self
            .input
            .get(self.offset..end)
            .ok_or_else(|| self.error(ReportProblem::Truncated))?;
        self.offset = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<&'a [u8; N]> {
        let bytes = self.take(N)?;
        <&[u8; N]>::try_from(bytes).map_err(|_| self.error(ReportProblem::Truncated))
    }

    fn u8(&mut self) -> Result<u8> {
        let [byte] = *self.array::<1>()?;
        Ok(byte)
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(*self.array::<2>()?))
    }

    fn u24(&mut self) -> Result<usize> {
        let [a, b, c] = *self.array::<3>()?;
        usize::try_from(u32::from_le_bytes([a, b, c, 0]))
            .map_err(|_| self.error(ReportProblem::Truncated))
    }

    /// Reads one byte that must be `expected`.
    fn expect(&mut self, expected: u8, problem: ReportProblem) -> Result<()> {
        let at = self.offset;
        if self.u8()? == expected {
            Ok(())
        } else {
            Err(Error::ReportMalformed {
                problem,
                offset: at,
            })
        }
    }

    fn is_empty(&self) -> bool {
        self.offset >= self.input.len()
    }
}

impl<'a> NvidiaReport<'a> {
    /// Reads a report (request ‖ response ‖ signature, as NVML returns it).
    ///
    /// # Errors
    /// `MESSAGE_TOO_LARGE` over `MAX_NVIDIA_REPORT_LEN`; `REPORT_MALFORMED` naming the
    /// problem and its offset for anything else outside the layout above, including bytes
    /// after the signature.
    pub fn parse(input: &'a [u8]) -> Result<Self> {
        if input.len() > MAX_NVIDIA_REPORT_LEN {
            return Err(Error::MessageTooLarge {
                kind: MessageKind::NvidiaReport,
                len: input.len(),
                max: MAX_NVIDIA_REPORT_LEN,
            });
        }
        let mut cursor = Cursor { input, offset: 0 };
        cursor.expect(SPDM_1_1, ReportProblem::Version)?;
        cursor.expect(GET_MEASUREMENTS, ReportProblem::RequestCode)?;
        cursor.expect(SIGNATURE_REQUESTED, ReportProblem::RequestParams)?;
        cursor.expect(ALL_BLOCKS, ReportProblem::RequestParams)?;
        let requester_nonce = cursor.array::<32>()?;
        let slot_at = cursor.offset;
        let slot_id = cursor.u8()?;
        if slot_id > MAX_SLOT_ID {
            return Err(Error::ReportMalformed {
                problem: ReportProblem::RequestParams,
                offset: slot_at,
            });
        }
        cursor.expect(SPDM_1_1, ReportProblem::Version)?;
        cursor.expect(MEASUREMENTS, ReportProblem::ResponseCode)?;
        cursor.take(2)?;
        let count_at = cursor.offset;
        let count = cursor.u8()?;
        if count == 0 {
            return Err(Error::ReportMalformed {
                problem: ReportProblem::Blocks,
                offset: count_at,
            });
        }
        let record_len = cursor.u24()?;
        let record_start = cursor.offset;
        let record = cursor.take(record_len)?;
        let blocks = read_blocks(record, record_start, count)?;
        let responder_nonce = cursor.array::<32>()?;
        let opaque_len = usize::from(cursor.u16()?);
        let opaque_start = cursor.offset;
        let opaque = read_opaque(cursor.take(opaque_len)?, opaque_start)?;
        let signed_len = cursor.offset;
        let signature = cursor.array::<SIGNATURE_LEN>()?;
        if !cursor.is_empty() {
            return Err(cursor.error(ReportProblem::TrailingData));
        }
        let signed = input
            .get(..signed_len)
            .ok_or_else(|| cursor.error(ReportProblem::Truncated))?;
        Ok(Self {
            requester_nonce,
            slot_id,
            blocks,
            responder_nonce,
            opaque,
            signed,
            signature,
        })
    }

    /// The value of the opaque field of `field_type`, if the report has one.
    #[must_use]
    pub fn opaque_field(&self, field_type: u16) -> Option<&'a [u8]> {
        self.opaque
            .iter()
            .find(|field| field.field_type == field_type)
            .map(|field| field.value)
    }

    /// The text of an opaque field, without its NUL padding; `None` if absent or not
    /// printable ASCII.
    #[must_use]
    pub fn opaque_text(&self, field_type: u16) -> Option<&'a str> {
        let value = self.opaque_field(field_type)?;
        let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
        let (text, padding) = value.split_at(end);
        if padding.iter().any(|b| *b != 0) || !text.iter().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        core::str::from_utf8(text).ok()
    }

    /// The VBIOS version as NVIDIA writes it (`96.00.9f.00.01`), if the report has one.
    #[must_use]
    pub fn vbios_version(&self) -> Option<String> {
        let [b0, b1, b2, b3, b4, ..] = *self.opaque_field(opaque::VBIOS_VERSION)? else {
            return None;
        };
        Some(format!("{b3:02x}.{b2:02x}.{b1:02x}.{b0:02x}.{b4:02x}"))
    }

    /// The security version POCI reads from an NVIDIA report (SPEC.md 17.4): the VBIOS
    /// version's first four fields as written (`96.00.9f.00` of `96.00.9f.00.01`), as one
    /// big-endian number (`0x96009f00`); 0 without a VBIOS field. The VBIOS is the GPU
    /// firmware the report signs; the driver version is host software and is not used.
    #[must_use]
    pub fn security_version(&self) -> u32 {
        match self.opaque_field(opaque::VBIOS_VERSION) {
            Some([b0, b1, b2, b3, ..]) => u32::from_be_bytes([*b3, *b2, *b1, *b0]),
            _ => 0,
        }
    }
}

fn read_blocks(record: &[u8], start: usize, count: u8) -> Result<Vec<MeasurementBlock<'_>>> {
    let mut cursor = Cursor {
        input: record,
        offset: 0,
    };
    let at = |cursor: &Cursor<'_>, problem| Error::ReportMalformed {
        problem,
        offset: start.saturating_add(cursor.offset),
    };
    let mut blocks: Vec<MeasurementBlock<'_>> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let index = cursor
            .u8()
            .map_err(|_| at(&cursor, ReportProblem::Blocks))?;
        if blocks.iter().any(|block| block.index == index) {
            return Err(at(&cursor, ReportProblem::Blocks));
        }
        let specification = cursor
            .u8()
            .map_err(|_| at(&cursor, ReportProblem::Blocks))?;
        if specification != DMTF_SPECIFICATION {
            return Err(at(&cursor, ReportProblem::Blocks));
        }
        let size = usize::from(
            cursor
                .u16()
                .map_err(|_| at(&cursor, ReportProblem::Blocks))?,
        );
        let value_type = cursor
            .u8()
            .map_err(|_| at(&cursor, ReportProblem::Blocks))?;
        let value_size = usize::from(
            cursor
                .u16()
                .map_err(|_| at(&cursor, ReportProblem::Blocks))?,
        );
        if value_size.checked_add(3) != Some(size) {
            return Err(at(&cursor, ReportProblem::Blocks));
        }
        let value = cursor
            .take(value_size)
            .map_err(|_| at(&cursor, ReportProblem::Blocks))?;
        blocks.push(MeasurementBlock {
            index,
            value_type,
            value,
        });
    }
    if !cursor.is_empty() {
        return Err(at(&cursor, ReportProblem::Blocks));
    }
    Ok(blocks)
}

fn read_opaque(data: &[u8], start: usize) -> Result<Vec<OpaqueField<'_>>> {
    let mut cursor = Cursor {
        input: data,
        offset: 0,
    };
    let at = |cursor: &Cursor<'_>| Error::ReportMalformed {
        problem: ReportProblem::Opaque,
        offset: start.saturating_add(cursor.offset),
    };
    let mut fields: Vec<OpaqueField<'_>> = Vec::new();
    while !cursor.is_empty() {
        if fields.len() >= MAX_NVIDIA_OPAQUE_FIELDS {
            return Err(at(&cursor));
        }
        let field_type = cursor.u16().map_err(|_| at(&cursor))?;
        if fields.iter().any(|field| field.field_type == field_type) {
            return Err(at(&cursor));
        }
        let size = usize::from(cursor.u16().map_err(|_| at(&cursor))?);
        let value = cursor.take(size).map_err(|_| at(&cursor))?;
        fields.push(OpaqueField { field_type, value });
    }
    Ok(fields)
}
