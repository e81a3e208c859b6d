//! Content modes: what the eContent of a signature holds.
//!
//! Huifu's Java wrapper signs `base64(utf8(json))`; other producers sign the bytes as given
//! (protocol.md section 2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What the signed eContent holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentMode {
    /// Huifu's convention: the eContent is the base64 text of the (JSON) content.
    #[default]
    Huifu,
    /// The eContent is the content bytes as given.
    Raw,
}

impl ContentMode {
    /// The eContent bytes this mode signs for `content`.
    pub fn wrap(self, content: &[u8]) -> Vec<u8> {
        match self {
            ContentMode::Huifu => STANDARD.encode(content).into_bytes(),
            ContentMode::Raw => content.to_vec(),
        }
    }
}

/// Reading is tolerant: an eContent that is valid base64 of UTF-8 text is unwrapped to that text;
/// anything else is `None` (the caller then uses the bytes as they are).
pub fn unwrap_huifu(econtent: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(econtent).ok()?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    let decoded = STANDARD.decode(compact.as_bytes()).ok()?;
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huifu_wraps_in_base64_and_unwraps_back() {
        let json = "{\"cmd_id\":\"301\",\"name\":\"汇付\"}";
        let wrapped = ContentMode::Huifu.wrap(json.as_bytes());
        assert_eq!(unwrap_huifu(&wrapped).as_deref(), Some(json));
        assert_eq!(ContentMode::Raw.wrap(b"TestData"), b"TestData");
    }

    #[test]
    fn non_base64_is_not_unwrapped() {
        assert_eq!(unwrap_huifu(b"TestData!"), None);
        assert_eq!(unwrap_huifu(b""), None);
        // valid base64 but not UTF-8
        assert_eq!(unwrap_huifu(b"//79"), None);
    }
}
