//! Sign-in and sign-out.

use super::*;

pub(crate) async fn sign_in_page(Query(q): Query<Q>) -> Response {
    sign_in_form(&crate::safe_target(q.till.as_deref()), None, StatusCode::OK)
}

pub(crate) fn sign_in_form(till: &str, msg: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        @if let Some(m) = msg { p.notice.err role="alert" { (m) } }
        form.signin method="post" action="/logga-in" {
            input type="hidden" name="till" value=(till);
            label for="namn" { "Användarnamn" }
            input id="namn" name="namn" type="text" autocomplete="username" required autofocus;
            label for="losenord" { "Lösenord" }
            input id="losenord" name="losenord" type="password" autocomplete="current-password" required;
            button type="submit" { "Logga in" }
        }
    };
    (status, ui::bare("Logga in", body)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct SignIn {
    namn: String,
    losenord: String,
    till: Option<String>,
}

/// A refused sign-in: the error, and for 429 the seconds to put in
/// `Retry-After`.
pub struct Refused {
    pub fail: Fail,
    pub retry_after: Option<u64>,
}

impl From<Fail> for Refused {
    fn from(fail: Fail) -> Refused {
        Refused {
            fail,
            retry_after: None,
        }
    }
}

impl Refused {
    /// Adds `Retry-After` to a response for this refusal.
    pub fn headers(&self, mut r: Response) -> Response {
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
        }
        r
    }
}

/// Checks a user name and password (the web form and the API): a place on
/// the verifier, then the attempt reserved in the throttle, then argon2,
/// then the name keys cleared on success (see [`crate::auth`]). The user on
/// success.
pub async fn check_sign_in(st: &Shared, namn: String, losenord: String, ip: String) -> Result<User, Refused> {
    let Some(place) = st.verifier.place().await else {
        tracing::warn!("inloggning avvisad: lösenordskontrollen är upptagen");
        return Err(Refused {
            fail: Fail(
                429,
                "Servern har många inloggningar på gång just nu. Försök igen om några sekunder.".into(),
            ),
            retry_after: Some(auth::BUSY_RETRY_AFTER),
        });
    };
    let keys = auth::Keys::new(&namn, &ip);
    let reserve_keys = keys.clone();
    let (wait, row) = blocking(st, move |st| {
        st.with_store(|s| {
            let wait = auth::reserve(s, &reserve_keys, auth::unix_now())?;
            if wait > 0 {
                return Ok((wait, None));
            }
            Ok((0, s.users()?.into_iter().find(|u| u.namn == namn && u.aktiv)))
        })
    })
    .await?;
    if wait > 0 {
        tracing::warn!(väntetid = wait, "inloggning strypt");
        return Err(Refused {
            fail: Fail(
                429,
                format!("För många misslyckade inloggningar. Försök igen om {wait} sekunder."),
            ),
            retry_after: Some(wait as u64),
        });
    }
    let ok = st
        .verifier
        .verify(place, losenord, row.as_ref().map(|r| r.losenord.clone()))
        .await;
    match row.as_ref().and_then(auth::user_of) {
        Some(u) if ok => {
            blocking(st, move |st| st.with_store(|s| auth::succeeded(s, &keys))).await?;
            tracing::info!(användare = %u.namn, "inloggad");
            Ok(u)
        }
        _ => {
            tracing::warn!("misslyckad inloggning");
            Err(Fail(401, "Fel användarnamn eller lösenord.".into()).into())
        }
    }
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        auth::SESSION_IDLE.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

pub(crate) async fn sign_in(
    State(st): State<Shared>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: header::HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    let till = crate::safe_target(f.till.as_deref());
    let ip = crate::client_ip(&st, addr, &headers);
    let secure = crate::secure_cookie(&st, &headers);
    let refused = match check_sign_in(&st, f.namn.trim().to_string(), f.losenord, ip).await {
        Ok(user) => match blocking(&st, move |st| auth::start_session(st, &user)).await {
            Ok((token, _)) => {
                return (
                    StatusCode::SEE_OTHER,
                    [
                        (header::SET_COOKIE, session_cookie(&token, secure)),
                        (header::LOCATION, till),
                    ],
                )
                    .into_response()
            }
            Err(f) => Refused::from(f),
        },
        Err(r) => r,
    };
    let status = StatusCode::from_u16(refused.fail.0).unwrap_or(StatusCode::UNAUTHORIZED);
    refused.headers(sign_in_form(&till, Some(&refused.fail.1), status))
}

pub async fn sign_out(State(st): State<Shared>, headers: header::HeaderMap) -> Response {
    if let Some(t) = crate::session_token(&headers) {
        if let Err(f) = blocking(&st, move |st| auth::end_session(st, &t)).await {
            return error_page(f);
        }
    }
    let secure = crate::secure_cookie(&st, &headers);
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!(
                    "{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
                    if secure { "; Secure" } else { "" }
                ),
            ),
            (header::LOCATION, "/logga-in".to_string()),
        ],
    )
        .into_response()
}

// ---------------------------------------------------------------- overview
