//! Just enough of a browser to walk Baton's pages: cookies from `Set-Cookie`, a hidden form
//! field, the links of a page, and an urlencoded form body. Baton's own markup is the only
//! input (askama-escaped, double-quoted attributes), so plain string scanning is enough.

/// The value of cookie `name` among `Set-Cookie` header values, if one sets it to something
/// non-empty (an empty value is the server clearing it).
pub fn set_cookie<'a>(
    set_cookies: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> Option<&'a str> {
    set_cookies.into_iter().find_map(|header| {
        let pair = header.split(';').next()?;
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

/// The `value` of the first `<input>` named `name` (a hidden CSRF field), unescaped.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    tags(html, "input")
        .find(|tag| attribute(tag, "name").as_deref() == Some(name))
        .and_then(|tag| attribute(tag, "value"))
}

/// Every site-relative link (`href="/…"`) of the page, in document order, without its query
/// or fragment.
pub fn links(html: &str) -> Vec<String> {
    tags(html, "a")
        .filter_map(|tag| attribute(tag, "href"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| {
            let end = href.find(['?', '#']).unwrap_or(href.len());
            href[..end].to_owned()
        })
        .collect()
}

/// An `application/x-www-form-urlencoded` body of `fields`, as a browser encodes it.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but the unreserved characters; spaces become `+`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The insides of every `<name …>` start tag (attributes included), in document order.
fn tags<'a>(html: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    html.split('<').skip(1).filter_map(move |piece| {
        let rest = piece.strip_prefix(name)?;
        // `<a` also starts `<abbr`: the name must end there.
        rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>')
            .then(|| &rest[..rest.find('>').unwrap_or(rest.len())])
    })
}

/// The unescaped value of the double-quoted attribute `name` in a tag's insides.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        let at = rest.find(&format!("{name}=\""))?;
        let before = rest[..at].chars().next_back();
        let value_start = at + name.len() + 2;
        // `name="` must be a whole attribute name, not the end of `data-name="`.
        if before.is_none_or(|c| c.is_ascii_whitespace()) {
            let value = &rest[value_start..];
            let end = value.find('"')?;
            return Some(unescape(&value[..end]));
        }
        rest = &rest[value_start..];
    }
}

/// Undoes the escaping askama applies to attribute values.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_set_cookie_and_cleared_ones_ignored() {
        let headers = [
            "baton_csrf=abc123; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax",
            "baton_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
            "baton_session=s3cret; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax",
        ];
        assert_eq!(set_cookie(headers, "baton_csrf"), Some("abc123"));
        assert_eq!(set_cookie(headers, "baton_session"), Some("s3cret"));
        assert_eq!(set_cookie(headers, "baton"), None);
        assert_eq!(set_cookie([], "baton_csrf"), None);
    }

    #[test]
    fn the_hidden_csrf_field_is_found_among_other_inputs() {
        let html = r#"<form method="post" action="/signin">
  <input type="hidden" name="next" value="/inbox">
  <input data-name="csrf" name="email" value="">
  <input type="hidden" name="csrf" value="f00d&amp;1">
</form>"#;
        assert_eq!(input_value(html, "csrf").as_deref(), Some("f00d&1"));
        assert_eq!(input_value(html, "next").as_deref(), Some("/inbox"));
        assert_eq!(input_value(html, "password"), None);
    }

    #[test]
    fn links_are_site_relative_without_query_or_fragment() {
        let html = r#"<nav><a href="/inbox" data-nav-item>Inbox</a>
<abbr title="x">x</abbr><link href="/static/baton.css" rel="stylesheet">
<a class="t" href="/threads/0c5e?page=2#post-9">Thread</a>
<a href="https://example.com/">elsewhere</a><a href="//evil.example/">x</a>
<a href="/spaces/1&amp;2">odd</a><a>no href</a></nav>"#;
        assert_eq!(links(html), ["/inbox", "/threads/0c5e", "/spaces/1&2"]);
    }

    #[test]
    fn forms_are_urlencoded_like_a_browser() {
        assert_eq!(
            form(&[
                ("email", "maya@relaylabs.example"),
                ("password", "a b&c=d/é")
            ]),
            "email=maya%40relaylabs.example&password=a+b%26c%3Dd%2F%C3%A9"
        );
    }
}
