//! Untrusted text and bytes made safe to print.

/// Bytes as lower-case hex, no separators: the crate's one hex encoder.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Text from a message or the network made safe to print: control characters (C0, DEL, C1:
/// ESC, CR, LF, NUL, …), the Unicode line and paragraph separators and the bidirectional
/// controls are written as escapes (`\n`, `\r`, `\t`, otherwise `\u{1b}`), so the text cannot
/// start a forged line or rearrange what a terminal shows. Everything else, backslashes
/// included, is kept as it is. Every string that comes from a message or the network and
/// reaches an error, a log line or the CLI passes through it: a certificate's CN holding
/// `ESC[32mverified OK` must not print a forged line.
pub(crate) fn escape_untrusted(text: &str) -> String {
    escape_untrusted_bounded(text, usize::MAX)
}

/// [`escape_untrusted`], stopping before the output would exceed `max_bytes` (never inside an
/// escape).
pub(crate) fn escape_untrusted_bounded(text: &str, max_bytes: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len().min(max_bytes));
    let mut one = String::new();
    for c in text.chars() {
        one.clear();
        match c {
            '\n' => one.push_str("\\n"),
            '\r' => one.push_str("\\r"),
            '\t' => one.push_str("\\t"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{200e}'
                        | '\u{200f}'
                        | '\u{2028}'
                        | '\u{2029}'
                        | '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}'
                ) =>
            {
                let _ = write!(one, "\\u{{{:x}}}", c as u32);
            }
            c => one.push(c),
        }
        if out.len() + one.len() > max_bytes {
            break;
        }
        out.push_str(&one);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_untrusted;

    #[test]
    fn untrusted_text_cannot_write_to_the_terminal() {
        let forged = "051@\u{1b}[32mverified OK, signer 100001\u{1b}[0m\r\nerror: none";
        let shown = escape_untrusted(forged);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert_eq!(
            shown,
            "051@\\u{1b}[32mverified OK, signer 100001\\u{1b}[0m\\r\\nerror: none"
        );
        assert_eq!(escape_untrusted("a\u{202e}b\u{7f}"), "a\\u{202e}b\\u{7f}");
        assert_eq!(escape_untrusted("汇付数据 {\"a\":1}"), "汇付数据 {\"a\":1}");
    }
}
