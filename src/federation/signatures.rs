//! HTTP signatures (draft-cavage-http-signatures): signing outgoing requests with the
//! actor's RSA key through OpenSSL, and checking the signature, digest and date of incoming
//! ones. `rsa-sha256` and `hs2019` (with an RSA key) are accepted.

use std::collections::HashMap;

use axum::http::{HeaderMap, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::sign::{Signer, Verifier};
use sha2::{Digest, Sha256};

/// How far a signed request's `Date` may lie in the past or the future.
pub const MAX_AGE_SECS: i64 = 12 * 3600;
pub const MAX_FUTURE_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("no Signature header")]
    Missing,
    #[error("malformed Signature header: {0}")]
    Malformed(String),
    #[error("unsupported signature algorithm {0}")]
    Algorithm(String),
    #[error("the signed header {0} is missing from the request")]
    MissingHeader(String),
    #[error("the request must sign {0}")]
    Unsigned(&'static str),
    #[error("the Date header is missing, malformed or outside the accepted window")]
    Date,
    #[error("the body does not match its digest")]
    Digest,
    #[error("the signature does not verify with the key")]
    Invalid,
    #[error("the public key cannot be read")]
    Key,
}

/// A parsed `Signature` header.
#[derive(Debug, Clone)]
pub struct SignatureHeader {
    pub key_id: String,
    pub algorithm: Option<String>,
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

pub fn parse_signature_header(headers: &HeaderMap) -> Result<SignatureHeader, SignatureError> {
    let raw = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Signature "))
                .map(str::to_string)
        })
        .ok_or(SignatureError::Missing)?;
    let mut params: HashMap<String, String> = HashMap::new();
    let mut rest = raw.as_str();
    while !rest.trim().is_empty() {
        let (key, after) = rest
            .split_once('=')
            .ok_or_else(|| SignatureError::Malformed("expected key=value".into()))?;
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| SignatureError::Malformed("unterminated quote".into()))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        params.insert(
            key.trim()
                .trim_start_matches(',')
                .trim()
                .to_ascii_lowercase(),
            value.to_string(),
        );
        rest = remainder.trim_start().trim_start_matches(',');
    }
    let key_id = params
        .remove("keyid")
        .ok_or_else(|| SignatureError::Malformed("no keyId".into()))?;
    let signature = BASE64
        .decode(
            params
                .remove("signature")
                .ok_or_else(|| SignatureError::Malformed("no signature".into()))?,
        )
        .map_err(|_| SignatureError::Malformed("signature is not base64".into()))?;
    let headers = params
        .remove("headers")
        .unwrap_or_else(|| "date".into())
        .split_whitespace()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    Ok(SignatureHeader {
        key_id,
        algorithm: params.remove("algorithm"),
        headers,
        signature,
    })
}

/// The key a request says it is signed with (RFC 9421 when it carries `Signature-Input`,
/// else draft-cavage), read without checking anything: enough to refuse a request from a
/// blocked instance before fetching its key.
pub fn named_key_id(headers: &HeaderMap) -> Option<String> {
    if headers.contains_key("signature-input") {
        return parse_rfc9421(headers)
            .ok()?
            .into_iter()
            .next()
            .map(|s| s.key_id);
    }
    parse_signature_header(headers).ok().map(|s| s.key_id)
}

/// The string that is signed: one `name: value` line per signed header.
fn signing_string(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    names: &[String],
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(names.len());
    for name in names {
        let value = if name == "(request-target)" {
            format!(
                "{} {}",
                method.as_str().to_ascii_lowercase(),
                path_and_query
            )
        } else {
            let values: Vec<&str> = headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::trim)
                .collect();
            if values.is_empty() {
                return Err(SignatureError::MissingHeader(name.clone()));
            }
            values.join(", ")
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

/// `SHA-256=<base64>` of a body, for the `Digest` header.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// Whether the `Digest` (or RFC 9530 `Content-Digest`) header matches the body.
fn digest_matches(headers: &HeaderMap, body: &[u8]) -> bool {
    let expected = BASE64.encode(Sha256::digest(body));
    let digest_ok = headers
        .get_all("digest")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().split_once('='))
        .any(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == expected);
    let content_digest_ok = headers
        .get_all("content-digest")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().split_once('='))
        .any(|(alg, value)| {
            alg.eq_ignore_ascii_case("sha-256") && value.trim_matches(':') == expected
        });
    digest_ok || content_digest_ok
}

pub fn http_date(timestamp: jiff::Timestamp) -> String {
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&timestamp)
        .unwrap_or_default()
}

fn parse_http_date(value: &str) -> Option<jiff::Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value.trim())
        .ok()
}

/// Everything about an incoming request that does not need the key: structure, date,
/// digest. Returns the parsed header and the string to verify.
pub fn prepare_verification(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: jiff::Timestamp,
) -> Result<(SignatureHeader, String), SignatureError> {
    let signature = parse_signature_header(headers)?;
    match signature
        .algorithm
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("rsa-sha256") | Some("hs2019") => {}
        Some(other) => return Err(SignatureError::Algorithm(other.to_string())),
    }
    if !signature.headers.iter().any(|h| h == "(request-target)") {
        return Err(SignatureError::Unsigned("(request-target)"));
    }
    if !signature.headers.iter().any(|h| h == "date") {
        return Err(SignatureError::Unsigned("date"));
    }
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .ok_or(SignatureError::Date)?;
    let age = now.as_second() - date.as_second();
    if age > MAX_AGE_SECS || -age > MAX_FUTURE_SECS {
        return Err(SignatureError::Date);
    }
    if *method == Method::POST {
        if !signature
            .headers
            .iter()
            .any(|h| h == "digest" || h == "content-digest")
        {
            return Err(SignatureError::Unsigned("digest"));
        }
        if !digest_matches(headers, body) {
            return Err(SignatureError::Digest);
        }
    }
    let text = signing_string(method, path_and_query, headers, &signature.headers)?;
    Ok((signature, text))
}

/// One signature of an RFC 9421 request (`Signature-Input` and `Signature`).
struct Rfc9421Signature {
    components: Vec<String>,
    params_text: String,
    key_id: String,
    alg: Option<String>,
    created: Option<i64>,
    expires: Option<i64>,
    signature: Vec<u8>,
}

/// Splits a structured-field dictionary into `(label, member)` at top-level commas.
fn split_dictionary(value: &str) -> Vec<(String, String)> {
    let mut members = Vec::new();
    let mut depth = 0;
    let mut quoted = false;
    let mut current = String::new();
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                members.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    members.push(current);
    members
        .into_iter()
        .filter_map(|m| {
            let (label, member) = m.trim().split_once('=')?;
            Some((label.trim().to_string(), member.trim().to_string()))
        })
        .collect()
}

fn parse_rfc9421(headers: &HeaderMap) -> Result<Vec<Rfc9421Signature>, SignatureError> {
    let input = headers
        .get("signature-input")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Missing)?;
    let signatures: HashMap<String, String> = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(split_dictionary)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut found = Vec::new();
    for (label, member) in split_dictionary(input) {
        let Some(signature) = signatures.get(&label) else {
            continue;
        };
        let signature = BASE64
            .decode(signature.trim().trim_matches(':'))
            .map_err(|_| SignatureError::Malformed("signature is not base64".into()))?;
        let inner = member
            .strip_prefix('(')
            .and_then(|rest| rest.split_once(')'))
            .ok_or_else(|| {
                SignatureError::Malformed("Signature-Input is not an inner list".into())
            })?;
        let mut components = Vec::new();
        for item in inner.0.split_whitespace() {
            if item.contains(';') {
                return Err(SignatureError::Malformed(format!(
                    "unsupported component parameters in {item}"
                )));
            }
            components.push(item.trim_matches('"').to_ascii_lowercase());
        }
        let mut key_id = None;
        let mut alg = None;
        let mut created = None;
        let mut expires = None;
        for param in inner.1.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            let value = value.trim_matches('"');
            match name {
                "keyid" => key_id = Some(value.to_string()),
                "alg" => alg = Some(value.to_string()),
                "created" => created = value.parse().ok(),
                "expires" => expires = value.parse().ok(),
                _ => {}
            }
        }
        found.push(Rfc9421Signature {
            components,
            params_text: member.clone(),
            key_id: key_id.ok_or_else(|| SignatureError::Malformed("no keyid".into()))?,
            alg,
            created,
            expires,
            signature,
        });
    }
    if found.is_empty() {
        return Err(SignatureError::Malformed(
            "no signature matches Signature-Input".into(),
        ));
    }
    Ok(found)
}

/// Checks an RFC 9421 signed request up to the key: covered components, times, digest.
/// `target_uri` is the URL the sender addressed (with the public scheme and host).
pub fn prepare_rfc9421(
    method: &Method,
    target_uri: &url::Url,
    headers: &HeaderMap,
    body: &[u8],
    now: jiff::Timestamp,
) -> Result<(String, String, Vec<u8>), SignatureError> {
    let signature = parse_rfc9421(headers)?
        .into_iter()
        .next()
        .ok_or(SignatureError::Missing)?;
    if let Some(alg) = &signature.alg
        && alg != "rsa-v1_5-sha256"
    {
        return Err(SignatureError::Algorithm(alg.clone()));
    }
    let created = signature.created.ok_or(SignatureError::Date)?;
    let age = now.as_second() - created;
    if age > MAX_AGE_SECS
        || -age > MAX_FUTURE_SECS
        || signature.expires.is_some_and(|e| e < now.as_second())
    {
        return Err(SignatureError::Date);
    }
    let covers = |name: &str| signature.components.iter().any(|c| c == name);
    if !covers("@method")
        || !(covers("@target-uri")
            || (covers("@authority") && (covers("@path") || covers("@request-target"))))
    {
        return Err(SignatureError::Unsigned("@method and @target-uri"));
    }
    if *method == Method::POST {
        if !covers("content-digest") && !covers("digest") {
            return Err(SignatureError::Unsigned("content-digest"));
        }
        if !digest_matches(headers, body) {
            return Err(SignatureError::Digest);
        }
    }
    let authority = match target_uri.port() {
        Some(port) => format!("{}:{port}", target_uri.host_str().unwrap_or_default()),
        None => target_uri.host_str().unwrap_or_default().to_string(),
    };
    let mut lines = Vec::with_capacity(signature.components.len() + 1);
    for component in &signature.components {
        let value = match component.as_str() {
            "@method" => method.as_str().to_ascii_uppercase(),
            "@target-uri" => target_uri.to_string(),
            "@authority" => authority.to_ascii_lowercase(),
            "@scheme" => target_uri.scheme().to_string(),
            "@path" => target_uri.path().to_string(),
            "@query" => format!("?{}", target_uri.query().unwrap_or("")),
            "@request-target" => match target_uri.query() {
                Some(q) => format!("{}?{q}", target_uri.path()),
                None => target_uri.path().to_string(),
            },
            name if name.starts_with('@') => {
                return Err(SignatureError::Malformed(format!(
                    "unsupported component {name}"
                )));
            }
            name => {
                let values: Vec<&str> = headers
                    .get_all(name)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(str::trim)
                    .collect();
                if values.is_empty() {
                    return Err(SignatureError::MissingHeader(name.to_string()));
                }
                values.join(", ")
            }
        };
        lines.push(format!("\"{component}\": {value}"));
    }
    lines.push(format!("\"@signature-params\": {}", signature.params_text));
    Ok((signature.key_id, lines.join("\n"), signature.signature))
}

pub fn parse_public_key(pem: &str) -> Result<PKey<Public>, SignatureError> {
    PKey::public_key_from_pem(pem.as_bytes()).map_err(|_| SignatureError::Key)
}

pub fn verify(key: &PKey<Public>, text: &str, signature: &[u8]) -> Result<(), SignatureError> {
    let mut verifier =
        Verifier::new(MessageDigest::sha256(), key).map_err(|_| SignatureError::Key)?;
    verifier
        .update(text.as_bytes())
        .map_err(|_| SignatureError::Invalid)?;
    match verifier.verify(signature) {
        Ok(true) => Ok(()),
        _ => Err(SignatureError::Invalid),
    }
}

pub fn parse_private_key(pem: &str) -> Result<PKey<Private>, SignatureError> {
    PKey::private_key_from_pem(pem.as_bytes()).map_err(|_| SignatureError::Key)
}

/// The headers to add to an outgoing request: `Date`, `Digest` (with a body) and
/// `Signature` over `(request-target) host date [digest]`.
pub fn sign_request(
    key: &PKey<Private>,
    key_id: &str,
    method: &Method,
    url: &url::Url,
    body: Option<&[u8]>,
    now: jiff::Timestamp,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let mut path = url.path().to_string();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    let date = http_date(now);
    let mut out = vec![("host", host.clone()), ("date", date.clone())];
    let mut text = format!(
        "(request-target): {} {path}\nhost: {host}\ndate: {date}",
        method.as_str().to_ascii_lowercase()
    );
    let mut names = "(request-target) host date".to_string();
    if let Some(body) = body {
        let digest = digest_header(body);
        text.push_str(&format!("\ndigest: {digest}"));
        names.push_str(" digest");
        out.push(("digest", digest));
    }
    let mut signer = Signer::new(MessageDigest::sha256(), key).map_err(|_| SignatureError::Key)?;
    signer
        .update(text.as_bytes())
        .map_err(|_| SignatureError::Key)?;
    let signature = BASE64.encode(signer.sign_to_vec().map_err(|_| SignatureError::Key)?);
    out.push((
        "signature",
        format!("keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\""),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use openssl::rsa::Rsa;

    fn keys() -> (PKey<Private>, PKey<Public>) {
        let rsa = Rsa::generate(2048).unwrap();
        let private = PKey::from_rsa(rsa.clone()).unwrap();
        let public = PKey::public_key_from_pem(&rsa.public_key_to_pem().unwrap()).unwrap();
        (private, public)
    }

    fn signed(key: &PKey<Private>, body: &[u8], now: jiff::Timestamp) -> HeaderMap {
        let url = url::Url::parse("https://city.example/themes/parks/inbox").unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in sign_request(
            key,
            "https://peer.example/u/a#main-key",
            &Method::POST,
            &url,
            Some(body),
            now,
        )
        .unwrap()
        {
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        headers
    }

    fn check(headers: &HeaderMap, body: &[u8], key: &PKey<Public>) -> Result<(), SignatureError> {
        let (signature, text) = prepare_verification(
            &Method::POST,
            "/themes/parks/inbox",
            headers,
            body,
            jiff::Timestamp::now(),
        )?;
        verify(key, &text, &signature.signature)
    }

    #[test]
    fn our_signatures_verify_and_tampering_is_caught() {
        let (private, public) = keys();
        let body = br#"{"type":"Follow"}"#;
        let headers = signed(&private, body, jiff::Timestamp::now());
        assert_eq!(check(&headers, body, &public), Ok(()));
        assert_eq!(
            check(&headers, br#"{"type":"Delete"}"#, &public),
            Err(SignatureError::Digest)
        );
        let (_, other_public) = keys();
        assert_eq!(
            check(&headers, body, &other_public),
            Err(SignatureError::Invalid)
        );
        let stale = signed(
            &private,
            body,
            jiff::Timestamp::now() - jiff::SignedDuration::from_hours(13),
        );
        assert_eq!(check(&stale, body, &public), Err(SignatureError::Date));
        assert_eq!(
            check(&HeaderMap::new(), body, &public),
            Err(SignatureError::Missing)
        );
        // A forged digest that matches a forged body still fails the signature.
        let mut forged = headers.clone();
        forged.insert(
            "digest",
            HeaderValue::from_str(&digest_header(b"{}")).unwrap(),
        );
        assert_eq!(check(&forged, b"{}", &public), Err(SignatureError::Invalid));
    }

    #[test]
    fn rfc9421_signatures_verify() {
        let (private, public) = keys();
        let body = br#"{"type":"Follow"}"#;
        let url = url::Url::parse("https://city.example/themes/parks/inbox").unwrap();
        let created = jiff::Timestamp::now().as_second();
        let digest = format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)));
        let params = format!(
            "(\"@method\" \"@target-uri\" \"@authority\" \"content-digest\");created={created};keyid=\"https://peer.example/u/a#main-key\";alg=\"rsa-v1_5-sha256\""
        );
        let base = format!(
            "\"@method\": POST\n\"@target-uri\": {url}\n\"@authority\": city.example\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
        );
        let mut signer = Signer::new(MessageDigest::sha256(), &private).unwrap();
        signer.update(base.as_bytes()).unwrap();
        let signature = BASE64.encode(signer.sign_to_vec().unwrap());
        let mut headers = HeaderMap::new();
        headers.insert("content-digest", HeaderValue::from_str(&digest).unwrap());
        headers.insert(
            "signature-input",
            HeaderValue::from_str(&format!("sig1={params}")).unwrap(),
        );
        headers.insert(
            "signature",
            HeaderValue::from_str(&format!("sig1=:{signature}:")).unwrap(),
        );
        let (key_id, text, sig) =
            prepare_rfc9421(&Method::POST, &url, &headers, body, jiff::Timestamp::now()).unwrap();
        assert_eq!(key_id, "https://peer.example/u/a#main-key");
        assert_eq!(verify(&public, &text, &sig), Ok(()));
        assert_eq!(
            prepare_rfc9421(&Method::POST, &url, &headers, b"{}", jiff::Timestamp::now()).err(),
            Some(SignatureError::Digest)
        );
        let elsewhere = url::Url::parse("https://city.example/themes/other/inbox").unwrap();
        let (_, text, sig) = prepare_rfc9421(
            &Method::POST,
            &elsewhere,
            &headers,
            body,
            jiff::Timestamp::now(),
        )
        .unwrap();
        assert_eq!(
            verify(&public, &text, &sig),
            Err(SignatureError::Invalid),
            "the target is signed"
        );
    }

    #[test]
    fn header_variants_seen_in_the_wild_parse() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "signature",
            HeaderValue::from_static(
                "keyId=\"https://gts.example/users/a/main-key\",algorithm=\"hs2019\",headers=\"(request-target) host date digest\",signature=\"AAAA\"",
            ),
        );
        let parsed = parse_signature_header(&headers).unwrap();
        assert_eq!(parsed.key_id, "https://gts.example/users/a/main-key");
        assert_eq!(
            parsed.headers,
            ["(request-target)", "host", "date", "digest"]
        );
        assert_eq!(parsed.algorithm.as_deref(), Some("hs2019"));
        // A lower-case algorithm name, and RFC 9530 Content-Digest, are both accepted.
        let value = digest_header(b"x").replacen("SHA-256", "sha-256", 1);
        let mut lower = HeaderMap::new();
        lower.insert("digest", HeaderValue::from_str(&value).unwrap());
        assert!(digest_matches(&lower, b"x"));
        assert!(!digest_matches(&lower, b"y"));
        let mut rfc9530 = HeaderMap::new();
        let encoded = value.trim_start_matches("sha-256=");
        rfc9530.insert(
            "content-digest",
            HeaderValue::from_str(&format!("sha-256=:{encoded}:")).unwrap(),
        );
        assert!(digest_matches(&rfc9530, b"x"));
    }
}
