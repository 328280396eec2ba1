//! Markdown written by residents and staff, rendered to HTML that is safe to show: no
//! scripts, no event handlers, no `javascript:` links, and no remote images (they would
//! tell another server who reads what).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow noopener noreferrer ugc"));
    builder
});

pub fn render(source: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let parser = Parser::new_ext(source, options);
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    SANITIZER.clean(&unsafe_html).to_string()
}

static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder.clean_content_tags(HashSet::from(["script", "style"]));
    builder
});

/// The text of an HTML fragment from another server (for a title or a preview): tags
/// removed, paragraphs and line breaks kept as newlines, entities decoded.
pub fn plain_text(fragment: &str) -> String {
    let spaced = fragment
        .replace("</p>", "</p>\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    TEXT_ONLY
        .clean(&spaced)
        .to_string()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{plain_text, render};

    #[test]
    fn plain_text_keeps_words_and_lines_and_drops_markup() {
        assert_eq!(
            plain_text(
                "<p><span class=\"h-card\"><a href=\"https://x\">@parks</a></span> ベンチを&amp;増やす</p><p>二行目<br>三行目<script>x</script></p>"
            ),
            "@parks ベンチを&増やす\n二行目\n三行目\n"
        );
    }

    #[test]
    fn scripts_handlers_and_remote_images_are_removed() {
        let html = render(
            "# 提案\n\n<script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\n\n\
             ![track](https://tracker.example/p.png) **太字**",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<strong>太字</strong>"), "{html}");
        assert!(html.contains("<h1>提案</h1>"), "{html}");
    }
}
