//! A cookie-keeping client that reads pages and posts forms, as a browser without
//! JavaScript does.

use std::collections::HashMap;

use crate::helpers::{PASSWORD, TestApp};

/// A cookie-keeping client that reads pages and posts forms.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    pub accept_language: Option<&'static str>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub html: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.html.find(marker).expect("a form with a CSRF token") + marker.len();
        self.html[start..].split('"').next().unwrap().to_string()
    }

    #[track_caller]
    pub fn contains(&self, text: &str) {
        assert!(
            self.html.contains(text),
            "page ({}) lacks {text:?}:\n{}",
            self.status,
            self.html
        );
    }
}

/// A refused form's summary links to each field's error, and every link finds its target
/// on the page (checked on every page any test reads).
#[track_caller]
fn assert_summary_leads_to_each_field(page: &Page) {
    let summary =
        regex::Regex::new(r#"(?s)<div class="error-summary"[^>]*>(.*?)</div>"#).expect("pattern");
    let link = regex::Regex::new(r##"href="#([^"]+)""##).expect("pattern");
    for block in summary.captures_iter(&page.html) {
        for target in link.captures_iter(&block[1]) {
            assert!(
                page.html.contains(&format!("id=\"{}\"", &target[1])),
                "the error summary links to #{} but nothing on the page has that id:\n{}",
                &target[1],
                page.html
            );
        }
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: HashMap::new(),
            accept_language: None,
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header("cookie", header.join("; "));
        }
        if let Some(lang) = self.accept_language {
            request = request.header("accept-language", lang);
        }
        let response = request.send().await.expect("request");
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let page = Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string()),
            headers: response.headers().clone(),
            html: response.text().await.unwrap_or_default(),
        };
        assert_summary_leads_to_each_field(&page);
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.app.client.get(format!("{}{path}", self.app.address));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .form(fields);
        self.send(request).await
    }

    /// Reads `page_path` for its CSRF token, then posts the form to `action`.
    pub async fn submit(&mut self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(page_path).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub async fn log_in(&mut self, handle: &str) {
        let page = self
            .submit(
                "/login",
                "/login",
                &[("handle", handle), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.html);
    }
}
