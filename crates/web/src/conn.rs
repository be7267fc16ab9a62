//! Connections: the accept loop of `resurs serve`, driving hyper's HTTP/1
//! directly (instead of `axum::serve`) for the limits in docs/drift.md,
//! "Inloggning, sessioner och anslutningar":
//!
//! - at most [`connection_cap`] connections at once, below the process's
//!   file-descriptor limit; further clients wait in the kernel's listen
//!   queue (they are not accepted, so they take no descriptor),
//! - the request head must arrive within [`HEADER_TIMEOUT`] of the server
//!   starting to wait for it, which is also how long a kept-alive connection
//!   may sit idle; within [`HEADER_TIMEOUT_BUSY`] when more than three
//!   quarters of the places are taken, so that slow clients cannot keep
//!   the places from others,
//! - each piece of a request body must arrive within [`BODY_IDLE`], the
//!   whole body within [`BODY_TOTAL`],
//! - on Ctrl-C or SIGTERM: no new connections, open requests get
//!   [`GRACE`] to finish.

use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tower_service::Service;

pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const HEADER_TIMEOUT_BUSY: Duration = Duration::from_secs(2);
pub const BODY_IDLE: Duration = Duration::from_secs(30);
pub const BODY_TOTAL: Duration = Duration::from_secs(15 * 60);
pub const GRACE: Duration = Duration::from_secs(10);
/// The fixed upper bound of the connection cap.
pub const MAX_CONNECTIONS: u64 = 1024;
/// Descriptors kept free for the database, uploads and the log.
pub const RESERVED_FDS: u64 = 64;

/// min([`MAX_CONNECTIONS`], soft `RLIMIT_NOFILE` − [`RESERVED_FDS`]), at
/// least 16. The limit is read from `/proc/self/limits`; where that cannot
/// be read, 1 024 is assumed (a common default).
pub fn connection_cap() -> u64 {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_string))
        })
        .and_then(|v| {
            if v == "unlimited" {
                Some(u64::MAX)
            } else {
                v.parse().ok()
            }
        })
        .unwrap_or(1024);
    MAX_CONNECTIONS.min(soft.saturating_sub(RESERVED_FDS)).max(16)
}

/// Accepts and serves connections until `shutdown` completes.
pub async fn run(listener: tokio::net::TcpListener, state: Shared, shutdown: impl Future<Output = ()>) {
    let cap = connection_cap();
    state.connection_cap.store(cap, Ordering::Relaxed);
    tracing::info!(anslutningar = cap, "högsta antal samtidiga anslutningar");
    let places = Arc::new(Semaphore::new(cap as usize));
    let app = crate::router(state.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            p = places.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // E.g. EMFILE: wait a moment rather than spin or stop.
                    tracing::warn!(fel = %e, "anslutning kunde inte tas emot");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let busy = (places.available_permits() as u64) < cap / 4;
        let _ = stream.set_nodelay(true);
        let router = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(|b| axum::body::Body::new(TimeoutBody::new(b)));
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(req)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(if busy { HEADER_TIMEOUT_BUSY } else { HEADER_TIMEOUT })
            .keep_alive(true);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop_rx.clone();
        let st = state.clone();
        st.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let _place = place;
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(fel = %e, klient = %peer, "anslutningen avbröts");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(GRACE, conn.as_mut()).await;
                }
            }
            st.connections.fetch_sub(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every place back means every connection is done.
    let _ = tokio::time::timeout(GRACE + Duration::from_secs(1), places.acquire_many(cap as u32)).await;
}

/// A request body whose pieces must come within [`BODY_IDLE`] of each
/// other and whole within [`BODY_TOTAL`]; otherwise reading it fails (the
/// handler answers with its own error, e.g. "uppladdningen avbröts").
pub struct TimeoutBody {
    inner: Incoming,
    idle: Pin<Box<tokio::time::Sleep>>,
    deadline: Instant,
}

impl TimeoutBody {
    pub fn new(inner: Incoming) -> TimeoutBody {
        TimeoutBody {
            inner,
            idle: Box::pin(tokio::time::sleep(BODY_IDLE)),
            deadline: Instant::now() + BODY_TOTAL,
        }
    }
}

#[derive(Debug)]
struct BodyTimeout(&'static str);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyTimeout {}

impl Body for TimeoutBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if Instant::now() > this.deadline {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout(
                "tidsgränsen för att skicka begäran gick ut",
            )))));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + BODY_IDLE;
                this.idle.as_mut().reset(next);
                Poll::Ready(frame.map(|r| r.map_err(Into::into)))
            }
            Poll::Pending => {
                if this.idle.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(Box::new(BodyTimeout(
                        "klienten slutade skicka (inget på 30 sekunder)",
                    )))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
