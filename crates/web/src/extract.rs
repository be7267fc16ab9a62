//! Extractors that answer a bad request in Swedish.
//!
//! axum's own `Query`, `Json`, `Form` and `Path` reject with English text
//! that may name Rust types. These wrappers have the same names and shapes
//! and turn every rejection into a [`Fail`] with a Swedish explanation
//! (field, line and column where known): JSON `{"fel": …}` under `/api/`,
//! the error page elsewhere. [`not_found`] and [`method_not_allowed`] are
//! the router's fallbacks.

use crate::state::Fail;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The error as the client expects it: JSON under `/api/`, a page elsewhere.
pub fn reject(path: &str, f: Fail) -> Response {
    if path == "/api" || path.starts_with("/api/") {
        crate::api::error(f)
    } else {
        crate::pages::error_page(f)
    }
}

/// Every error in a chain, the outermost first.
fn chain<'a>(e: &'a (dyn std::error::Error + 'static)) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

/// What a serde message means, in Swedish (serde's texts are English and
/// may name Rust types, which are never shown).
pub fn serde_sv(msg: &str) -> String {
    let quoted = |s: &str| -> Option<String> {
        let a = s.find('`')?;
        let b = s[a + 1..].find('`')?;
        Some(s[a + 1..a + 1 + b].to_string())
    };
    let kind = |s: &str| -> &'static str {
        const INTEGERS: [&str; 12] = [
            "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        ];
        let s = s.trim();
        let word = s.split([' ', '`']).next().unwrap_or("");
        if s.starts_with("a string") || word == "string" || s.starts_with("a borrowed string") || word == "char" {
            "text"
        } else if word == "null" || word == "unit" || word == "option" {
            "null"
        } else if word == "integer" || s.starts_with("an integer") || INTEGERS.contains(&word) {
            "ett heltal"
        } else if s.starts_with("floating point") || word == "f32" || word == "f64" {
            "ett tal"
        } else if word == "boolean" || s.starts_with("a boolean") || word == "bool" {
            "true eller false"
        } else if word == "sequence" || s.starts_with("a sequence") || word == "tuple" {
            "en lista"
        } else if word == "map" || s.starts_with("a map") || word == "struct" {
            "ett objekt"
        } else {
            "ett annat värde"
        }
    };
    if msg.starts_with("missing field") {
        match quoted(msg) {
            Some(f) => format!("fältet {f} saknas"),
            None => "ett fält saknas".into(),
        }
    } else if msg.starts_with("unknown field") {
        match quoted(msg) {
            Some(f) => format!("okänt fält {f}"),
            None => "okänt fält".into(),
        }
    } else if msg.starts_with("duplicate field") {
        match quoted(msg) {
            Some(f) => format!("fältet {f} finns två gånger"),
            None => "ett fält finns två gånger".into(),
        }
    } else if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
    {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let shown = match quoted(found) {
            Some(v) if v.chars().count() <= 40 => format!(" \"{v}\""),
            _ => String::new(),
        };
        format!("värdet{shown} är {}, förväntade {}", kind(found), kind(expected))
    } else if msg.starts_with("invalid length") {
        "fel antal värden".into()
    } else if msg.contains("too large") || msg.contains("too small") {
        "talet är för stort".into()
    } else if msg.contains("digit") || msg.contains("integer") {
        "förväntade ett heltal".into()
    } else if msg.contains("float") {
        "förväntade ett tal".into()
    } else if msg.contains("`true` or `false`") {
        "förväntade true eller false".into()
    } else {
        "ogiltigt värde".into()
    }
}

/// A percent-encoded query value as text (`+` is a space).
fn decode(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `key` in a query string, decoded and cut to 40 characters.
fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| decode(k) == key)
        .map(|(_, v)| decode(v).chars().take(40).collect())
}

/// `path: meaning`, or the meaning alone at the top level.
fn at(path: &str, meaning: String) -> String {
    if path.is_empty() || path == "." || path == "?" {
        meaning
    } else {
        format!("{path}: {meaning}")
    }
}

/// A serde_json syntax error in Swedish.
fn json_syntax_sv(e: &serde_json::Error) -> String {
    let m = e.to_string();
    let what = if e.is_eof() || m.starts_with("EOF while parsing") {
        "texten tar slut för tidigt"
    } else if m.starts_with("trailing") {
        "tecken efter JSON-värdets slut"
    } else if m.starts_with("key must be a string") {
        "en nyckel måste vara text inom citattecken"
    } else if m.starts_with("expected value") {
        "ett värde förväntades"
    } else if m.starts_with("expected `:`") {
        "kolon förväntades"
    } else if m.starts_with("expected `,` or `}`") {
        "komma eller } förväntades"
    } else if m.starts_with("expected `,` or `]`") {
        "komma eller ] förväntades"
    } else if m.starts_with("control character") {
        "otillåtet styrtecken i en text"
    } else if m.contains("escape") {
        "ogiltig escape-sekvens i en text"
    } else if m.contains("number") {
        "ogiltigt tal"
    } else if m.contains("unicode") || m.contains("UTF-8") {
        "ogiltigt tecken"
    } else {
        "felaktig syntax"
    };
    format!("rad {}, kolumn {}: {what}", e.line(), e.column())
}

fn status(s: axum::http::StatusCode) -> u16 {
    s.as_u16()
}

/// A JSON rejection in Swedish.
pub fn json_sv(r: &JsonRejection) -> Fail {
    let code = status(r.status());
    match r {
        JsonRejection::MissingJsonContentType(_) => {
            Fail(code, "Begäran måste vara JSON (Content-Type: application/json).".into())
        }
        JsonRejection::BytesRejection(_) => Fail(
            code,
            if code == 413 {
                "Begäran är för stor.".into()
            } else {
                "Begärans innehåll kunde inte läsas (avbrutet eller felaktigt kodat).".into()
            },
        ),
        _ => {
            for e in chain(r) {
                if let Some(p) = e.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
                    let inner = p.inner();
                    let text = if inner.is_data() {
                        // serde_json adds " at line L column C"; the message alone.
                        let m = inner.to_string();
                        let m = m.split(" at line ").next().unwrap_or(&m).to_string();
                        format!(
                            "rad {}, kolumn {}: {}",
                            inner.line(),
                            inner.column(),
                            at(&p.path().to_string(), serde_sv(&m))
                        )
                    } else {
                        json_syntax_sv(inner)
                    };
                    return Fail(code, format!("Ogiltig JSON: {text}."));
                }
                if let Some(j) = e.downcast_ref::<serde_json::Error>() {
                    return Fail(code, format!("Ogiltig JSON: {}.", json_syntax_sv(j)));
                }
            }
            Fail(code, "Ogiltig JSON.".into())
        }
    }
}

/// The field path and serde message of a query or form error, with the
/// value found when `query` holds it.
fn urlencoded_sv(e: &(dyn std::error::Error + 'static), query: Option<&str>) -> String {
    for e in chain(e) {
        if let Some(p) = e.downcast_ref::<serde_path_to_error::Error<serde::de::value::Error>>() {
            let path = p.path().to_string();
            let meaning = serde_sv(&p.inner().to_string());
            return match query.and_then(|q| query_value(q, &path)) {
                Some(v) if meaning.starts_with("förväntade") || meaning == "ogiltigt värde" => {
                    format!(
                        "{path}: värdet \"{v}\", {}",
                        meaning.replace("ogiltigt värde", "ogiltigt")
                    )
                }
                _ => at(&path, meaning),
            };
        }
    }
    "ogiltigt värde".into()
}

pub fn query_sv(r: &QueryRejection, query: Option<&str>) -> Fail {
    Fail(
        status(r.status()),
        format!("Ogiltig parameter i adressen: {}.", urlencoded_sv(r, query)),
    )
}

pub fn form_sv(r: &FormRejection) -> Fail {
    let code = status(r.status());
    match r {
        FormRejection::InvalidFormContentType(_) => Fail(
            code,
            "Formuläret måste skickas som Content-Type: application/x-www-form-urlencoded.".into(),
        ),
        FormRejection::BytesRejection(_) => Fail(code, "Formulärets innehåll kunde inte läsas.".into()),
        _ => Fail(code, format!("Ogiltigt formulärfält: {}.", urlencoded_sv(r, None))),
    }
}

pub fn path_sv(r: &PathRejection) -> Fail {
    use axum::extract::path::ErrorKind;
    let code = status(r.status());
    let what = match r {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::ParseErrorAtKey { key, value, .. } | ErrorKind::DeserializeError { key, value, .. } => {
                format!("{key}: värdet \"{value}\" kan inte tolkas")
            }
            ErrorKind::ParseErrorAtIndex { value, .. } | ErrorKind::ParseError { value, .. } => {
                format!("värdet \"{value}\" kan inte tolkas")
            }
            ErrorKind::InvalidUtf8InPathParam { key } => format!("{key}: ogiltiga tecken (inte UTF-8)"),
            _ => "adressen kan inte tolkas".into(),
        },
        _ => "adressen kan inte tolkas".into(),
    };
    Fail(if code >= 500 { 400 } else { code }, format!("Ogiltig adress: {what}."))
}

/// Query string parameters, rejected in Swedish.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(reject(parts.uri.path(), query_sv(&r, parts.uri.query()))),
        }
    }
}

/// Path parameters, rejected in Swedish.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => Err(reject(parts.uri.path(), path_sv(&r))),
        }
    }
}

/// A JSON body, rejected in Swedish; as a response, JSON.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let path = req.uri().path().to_string();
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(reject(&path, json_sv(&r))),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A URL-encoded form, rejected in Swedish.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let path = req.uri().path().to_string();
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(r) => Err(reject(&path, form_sv(&r))),
        }
    }
}

/// The router's fallback: 404 in Swedish.
pub async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    let text = if path == "/api" || path.starts_with("/api/") {
        format!("Det finns ingen adress {path} i API:t; se /api/openapi.json.")
    } else {
        format!("Sidan {path} finns inte.")
    };
    reject(path, Fail::not_found(text))
}

/// The router's fallback for a known address and a method it does not
/// take: 405 in Swedish.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    reject(
        path,
        Fail(405, format!("Metoden {method} går inte att använda på {path}.")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_swedish_without_type_names() {
        assert_eq!(serde_sv("missing field `namn`"), "fältet namn saknas");
        assert_eq!(serde_sv("unknown field `x`, expected one of `a`, `b`"), "okänt fält x");
        assert_eq!(
            serde_sv("invalid type: integer `5`, expected a string"),
            "värdet \"5\" är ett heltal, förväntade text"
        );
        assert_eq!(
            serde_sv("invalid type: string \"x\", expected struct LoginIn"),
            "värdet är text, förväntade ett objekt"
        );
    }
}
