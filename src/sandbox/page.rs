//! The page-browser answer: an HTML page that sends the browser on to `ret_url` with the signed
//! result (a form post of `check_value`, as Huifu's cashier pages do at the end of a flow).

/// Escapes text for HTML element content and attribute values (the client's page forms use the
/// same function).
pub use crate::client::escape_html as escape;

/// True for the URLs the page may send a browser to: `http://` or `https://` only.
fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The page for a finished page-browser call. With a usable `ret_url` the page auto-submits
/// `check_value` there (and shows a button for browsers without JavaScript); without one it only
/// shows the result.
pub fn result_page(
    cmd_id: &str,
    resp_code: &str,
    resp_desc: &str,
    ret_url: Option<&str>,
    check_value: &str,
) -> String {
    let title = format!("Huifu sandbox: cmd {}", escape(cmd_id));
    let summary = format!(
        "<p>resp_code <code>{}</code>: {}</p>",
        escape(resp_code),
        escape(resp_desc)
    );
    match ret_url.filter(|u| is_web_url(u)) {
        Some(url) => format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
             <body onload=\"document.forms[0].submit()\">\n<h1>{title}</h1>\n{summary}\n\
             <form method=\"post\" action=\"{action}\">\n\
             <input type=\"hidden\" name=\"check_value\" value=\"{cv}\">\n\
             <noscript><button type=\"submit\">Continue</button></noscript>\n\
             </form>\n</body></html>\n",
            action = escape(url),
            cv = escape(check_value),
        ),
        None => format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
             <body>\n<h1>{title}</h1>\n{summary}\n<p>No usable ret_url: nothing to return to.</p>\n\
             <pre id=\"check_value\">{cv}</pre>\n</body></html>\n",
            cv = escape(check_value),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_posts_to_ret_url_and_escapes() {
        let page = result_page(
            "204",
            "204000",
            "<ok>",
            Some("https://m.example/ret?a=1&b=\"2\""),
            "Q0hFQ0s=",
        );
        assert!(page.contains("action=\"https://m.example/ret?a=1&amp;b=&quot;2&quot;\""));
        assert!(page.contains("name=\"check_value\" value=\"Q0hFQ0s=\""));
        assert!(page.contains("&lt;ok&gt;"));
        assert!(page.contains("document.forms[0].submit()"));
    }

    #[test]
    fn javascript_urls_are_not_followed() {
        let page = result_page("204", "204000", "ok", Some("javascript:alert(1)"), "cv");
        assert!(!page.contains("javascript:alert"));
        assert!(!page.contains("<form"));
    }
}
