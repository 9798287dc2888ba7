//! A hand-written DER builder for inputs the library refuses to produce.

/// One TLV (definite, minimal length).
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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
pub(crate) fn uint(value: u128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let mut content: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if content.first().is_none_or(|b| *b >= 0x80) {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// SEQUENCE of parts.
pub(crate) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// OCTET STRING.
pub(crate) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// UTF8String.
pub(crate) fn utf8(text: &str) -> Vec<u8> {
    tlv(0x0c, text.as_bytes())
}

/// OBJECT IDENTIFIER from content octets.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(0x06, content)
}
