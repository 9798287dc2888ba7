//! Reading the command's JSON files so that a refusal names what is wrong: the field's path
//! (`pools.miners_bps`, `availability[3].wallet`), its line and column, and serde's reason.
//!
//! Positions come from parsing the text itself (a value parsed into `serde_json::Value`
//! first has none); the path is found by walking the text up to the reported position.

use serde::de::DeserializeOwned;

use crate::error::CliError;

/// A JSON file refused: POCI's error (its stable code) and what was wrong, for people.
#[derive(Debug)]
pub struct JsonFailure {
    /// POCI's verdict.
    pub error: poci::Error,
    /// The field, the position and the reason.
    pub detail: String,
}

impl JsonFailure {
    /// As a refused input (exit 1).
    pub fn refused(self, what: impl Into<String>) -> CliError {
        CliError::Explained {
            what: what.into(),
            error: self.error,
            detail: self.detail,
        }
    }

    /// As a usage error (exit 2): our own parameters, not an input under judgement.
    pub fn usage(self, what: &str) -> CliError {
        CliError::Usage(format!("{what}: {}: {}", self.error.code(), self.detail))
    }
}

/// Parses `text` as a `T` with core's JSON reader (its one mapping of serde's failures to
/// `JSON_INVALID`), strictly as the type says.
///
/// # Errors
/// `JSON_INVALID` with the field's path, position and serde's reason.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, JsonFailure> {
    poci::json::from_json(text).map_err(|error| {
        // serde's own words for what is wrong: the same parse again, on the refusal only.
        let reason = serde_json::from_str::<T>(text).err().map(|serde| {
            let message = serde.to_string();
            let at = format!(" at line {} column {}", serde.line(), serde.column());
            message.strip_suffix(&at).unwrap_or(&message).to_owned()
        });
        failure(text, error, reason)
    })
}

/// What a core JSON parser's error means in `text`: for `JSON_INVALID`, the field at its
/// position; any other error (a well-formed value that breaks a rule) as it is.
pub fn explain(text: &str, error: poci::Error) -> JsonFailure {
    failure(text, error, None)
}

fn failure(text: &str, error: poci::Error, reason: Option<String>) -> JsonFailure {
    let detail = match &error {
        poci::Error::JsonInvalid {
            problem,
            line,
            column,
        } => {
            let reason = reason.unwrap_or_else(|| format!("invalid JSON ({problem})"));
            describe(text, *line, *column, &reason)
        }
        other => other.to_string(),
    };
    JsonFailure { error, detail }
}

/// `field `a.b` (line L, column C): reason`; without a known position (line 0) only the
/// reason, never a made-up position.
fn describe(text: &str, line: usize, column: usize, reason: &str) -> String {
    if line == 0 {
        return reason.to_owned();
    }
    match path_at(text, line, column) {
        Some(path) if !path.is_empty() => {
            format!("field `{path}` (line {line}, column {column}): {reason}")
        }
        _ => format!("line {line}, column {column}: {reason}"),
    }
}

/// One open container while walking the text.
enum Frame {
    /// An object and the key whose value is being read (if one was read).
    Object { key: Option<String>, want_key: bool },
    /// An array and the index of the element being read.
    Array { index: usize },
}

/// The path of the value at `line`/`column` (serde_json's: 1-based line, bytes consumed on
/// that line) in `text`: keys joined by `.`, array indices as `[i]`. A position just after
/// a closing bracket names that object or array (where serde reports a missing field).
pub fn path_at(text: &str, line: usize, column: usize) -> Option<String> {
    let offset = byte_offset(text, line, column)?;
    let consumed = text.as_bytes().get(..offset)?;
    let mut stack: Vec<Frame> = Vec::new();
    let mut bytes = consumed.iter().peekable();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'{' => stack.push(Frame::Object {
                key: None,
                want_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                if bytes.peek().is_none() {
                    break;
                }
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index }) => *index = index.saturating_add(1),
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b'"' => {
                let mut string = Vec::new();
                while let Some(&next) = bytes.next() {
                    match next {
                        b'"' => break,
                        b'\\' => {
                            string.push(next);
                            if let Some(&escaped) = bytes.next() {
                                string.push(escaped);
                            }
                        }
                        other => string.push(other),
                    }
                }
                if let Some(Frame::Object { key, want_key }) = stack.last_mut() {
                    if *want_key {
                        *key = Some(String::from_utf8_lossy(&string).into_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    Some(path)
}

/// The byte offset of serde_json's (line, column) in `text`, at most its length.
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0usize;
    for (number, content) in text.split('\n').enumerate() {
        if number.checked_add(1) == Some(line) {
            return Some(start.saturating_add(column).min(text.len()));
        }
        start = start.saturating_add(content.len()).saturating_add(1);
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        bps: u16,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        pools: Vec<Inner>,
    }

    fn detail(text: &str) -> String {
        parse::<Outer>(text).unwrap_err().detail
    }

    #[test]
    fn refusals_name_the_field() {
        let text = "{\n  \"name\": \"a\",\n  \"pools\": [\n    {\"bps\": 1},\n    {\"bps\": \"x\"}\n  ]\n}";
        let found = detail(text);
        assert!(found.starts_with("field `pools[1].bps` (line 5"), "{found}");
        assert!(found.contains("invalid type: string \"x\""), "{found}");
        let unknown = detail("{\"name\": \"a\", \"pool\": []}");
        assert!(unknown.starts_with("field `pool`"), "{unknown}");
        let missing = detail("{\"name\": \"a\", \"pools\": [{}]}");
        assert!(missing.starts_with("field `pools[0]`"), "{missing}");
        assert!(missing.contains("missing field `bps`"), "{missing}");
        let wrong_type = detail("{\"name\": 5, \"pools\": []}");
        assert!(wrong_type.starts_with("field `name`"), "{wrong_type}");
    }

    #[test]
    fn no_position_is_made_up() {
        let failure = explain(
            "{}",
            poci::Error::JsonInvalid {
                problem: poci::JsonProblem::Schema,
                line: 0,
                column: 0,
            },
        );
        assert_eq!(failure.detail, "invalid JSON (schema)");
        assert!(!failure.detail.contains("line"));
    }
}
