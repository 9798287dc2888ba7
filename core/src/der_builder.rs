//! Hand-built DER for test inputs, including ones the library refuses to produce (a wrong
//! tag, a field out of bounds): the one builder that core's tests and the
//! conformance generator share. Definite, minimal lengths; nothing here is checked.

/// One TLV (definite, minimal length).
#[must_use]
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    let len_bytes = len.to_be_bytes();
    let significant: Vec<u8> = len_bytes.iter().copied().skip_while(|b| *b == 0).collect();
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
            out.extend(significant);
        }
    }
    out.extend_from_slice(content);
    out
}

/// A non-negative INTEGER.
#[must_use]
pub fn uint(value: u128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let mut content: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if content.first().is_none_or(|b| *b >= 0x80) {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// SEQUENCE of parts.
#[must_use]
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// OCTET STRING.
#[must_use]
pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// UTF8String.
#[must_use]
pub fn utf8(text: &str) -> Vec<u8> {
    tlv(0x0c, text.as_bytes())
}

/// OBJECT IDENTIFIER from content octets.
#[must_use]
pub fn oid(content: &[u8]) -> Vec<u8> {
    tlv(0x06, content)
}
