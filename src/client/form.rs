//! Page-browser calls: the signed fields, posted by the user's browser (protocol.md section 7).

use super::Url;

/// A signed page-browser request: where to send it and the fields to send.
///
/// Render it as a self-submitting HTML page ([`PageForm::to_html`]) or as a GET URL
/// ([`PageForm::to_get_url`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageForm {
    /// The URL the form posts to.
    pub action: Url,
    /// The fields, in order (`version`, `cmd_id`, `mer_cust_id`, `check_value`).
    pub fields: Vec<(String, String)>,
}

impl PageForm {
    /// A form posting `fields` to `action`.
    pub fn new(action: Url, fields: Vec<(String, String)>) -> Self {
        PageForm { action, fields }
    }

    /// A complete HTML page whose form submits itself on load (a button remains for browsers
    /// without scripts). Every value is HTML-escaped.
    pub fn to_html(&self) -> String {
        let mut html = String::from(
            "<!DOCTYPE html>\n<html>\n<head><meta charset=\"UTF-8\"><title>Redirecting…</title></head>\n\
             <body onload=\"document.forms[0].submit()\">\n",
        );
        html.push_str(&format!(
            "<form method=\"post\" action=\"{}\" accept-charset=\"UTF-8\">\n",
            escape_html(self.action.as_str())
        ));
        for (name, value) in &self.fields {
            html.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape_html(name),
                escape_html(value)
            ));
        }
        html.push_str(
            "<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body>\n</html>\n",
        );
        html
    }

    /// The request as a GET URL: the action with every field URL-encoded in the query (appended
    /// to any query the action already has).
    pub fn to_get_url(&self) -> Url {
        let mut url = self.action.clone();
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in &self.fields {
                query.append_pair(name, value);
            }
        }
        url
    }
}

/// Escapes text for an HTML attribute value or element content.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PageForm {
        PageForm::new(
            Url::parse("https://apptrade.testpnr.com/api/merchantRequest?a=\"1\"&b=<x>").unwrap(),
            vec![
                ("version".into(), "10".into()),
                ("cmd_id".into(), "206".into()),
                (
                    "mer_cust_id".into(),
                    "6666\"><script>alert(1)</script>".into(),
                ),
                ("check_value".into(), "QUJD+/=&'汇付".into()),
            ],
        )
    }

    #[test]
    fn html_escapes_every_value() {
        let html = form().to_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("value=\"6666&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(html.contains("value=\"QUJD+/=&amp;&#39;汇付\""));
        assert!(html.contains("document.forms[0].submit()"));
        assert!(html.contains("method=\"post\""));
        assert_eq!(html.matches("<input ").count(), 4);
        // The action's query is already URL-encoded by Url, and escaped again for HTML.
        assert!(!html.contains("a=\"1\""));
    }

    #[test]
    fn get_url_encodes_every_value() {
        let url = form().to_get_url();
        let text = url.as_str();
        assert!(text.contains("cmd_id=206"), "{text}");
        assert!(
            text.contains("check_value=QUJD%2B%2F%3D%26%27%E6%B1%87%E4%BB%98"),
            "{text}"
        );
        assert!(!text.contains('<') && !text.contains('"'));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[2], ("version".into(), "10".into()));
        assert_eq!(pairs[5].1, "QUJD+/=&'汇付");
    }

    #[test]
    fn escape_html_basics() {
        assert_eq!(
            escape_html("a&b<c>d\"e'f"),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        assert_eq!(escape_html("plain"), "plain");
    }
}
