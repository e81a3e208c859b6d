//! The sandbox's HTTP/1 server: its own accept loop on hyper, with the limits `axum::serve` does
//! not offer (issue 17, item 5).
//!
//! - **Connection cap** ([`SandboxConfig::max_connections`](super::SandboxConfig::max_connections)):
//!   each connection holds one permit of a semaphore; at the cap the loop stops accepting, so
//!   further clients wait in the kernel's backlog until a connection ends (no descriptor is
//!   spent on them).
//! - **Header timeout** ([`SandboxConfig::header_timeout`](super::SandboxConfig::header_timeout)):
//!   a request head must be complete within this time, counted from the accept for a connection's
//!   first request and from the first byte of each later one.
//! - **Idle timeout** ([`SandboxConfig::idle_timeout`](super::SandboxConfig::idle_timeout)): a
//!   connection with no request in service and no byte moved in either direction for this long is
//!   closed (a keep-alive connection waiting for its next request, or a client that stopped
//!   reading its answer).
//! - The **body timeout** is applied by the handlers, around reading the body.
//!
//! A connection past a deadline is dropped (closed without an answer). On shutdown the loop stops
//! accepting, open connections finish their request in progress and close, and
//! [`serve`] returns once every connection has ended.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::time::Instant;

use super::state::lock;

/// The pause after a failed `accept` (e.g. no descriptor left), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The server's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header: Duration,
    pub idle: Duration,
    /// At least 1, at most `u32::MAX` (checked by `Sandbox::start`).
    pub max_connections: u32,
}

/// Accepts and serves connections until `shutdown` resolves (or its sender is dropped), then
/// waits for the open connections to end.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop_tx, stop_rx) = watch::channel(false);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    drop(permit);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            router.clone(),
            limits,
            stop_rx.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds one permit until it ends.
    let _ = permits.acquire_many(limits.max_connections).await;
    Ok(())
}

async fn connection(
    stream: TcpStream,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let tower = TowerToHyperService::new(router);
    let watched = activity.clone();
    let service = hyper::service::service_fn(move |request| {
        let busy = Busy::begin(watched.clone());
        let answer = hyper::service::Service::call(&tower, request);
        async move {
            let answer = answer.await;
            drop(busy);
            answer
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The header timeout is enforced here (see `Activity`): hyper's own would also run while a
    // keep-alive connection waits for its next request.
    builder.header_read_timeout(None);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = activity.expired(limits) => return,
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Where a connection stands, for its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (or reading) a request head since this instant: the header timeout runs.
    Head(Instant),
    /// This many requests in service: no deadline here (the handlers bound the body).
    Busy(usize),
    /// No request in service, and the last byte moved at this instant: the idle timeout runs.
    Idle(Instant),
}

#[derive(Debug)]
struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Activity {
            phase: Mutex::new(Phase::Head(Instant::now())),
            changed: Notify::new(),
        }
    }

    fn set(&self, update: impl FnOnce(Phase) -> Phase) {
        let mut phase = lock(&self.phase);
        let next = update(*phase);
        if next != *phase {
            *phase = next;
            self.changed.notify_one();
        }
    }

    /// Bytes were read: the first byte after an idle time starts a request head.
    fn on_read(&self) {
        self.set(|p| match p {
            Phase::Idle(_) => Phase::Head(Instant::now()),
            p => p,
        });
    }

    /// Bytes were written: an idle connection is not idle while its answer drains.
    fn on_write(&self) {
        self.set(|p| match p {
            Phase::Idle(_) => Phase::Idle(Instant::now()),
            p => p,
        });
    }

    fn deadline(&self, limits: Limits) -> Option<Instant> {
        match *lock(&self.phase) {
            // A duration too long to add means no deadline.
            Phase::Head(since) => since.checked_add(limits.header),
            Phase::Idle(since) => since.checked_add(limits.idle),
            Phase::Busy(_) => None,
        }
    }

    /// Resolves when the connection is past its deadline.
    async fn expired(&self, limits: Limits) {
        loop {
            let changed = self.changed.notified();
            match self.deadline(limits) {
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(deadline) => {}
                        _ = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// A request in service; ending it (also by drop, when the connection goes) may make the
/// connection idle.
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Self {
        activity.set(|p| match p {
            Phase::Busy(n) => Phase::Busy(n.saturating_add(1)),
            _ => Phase::Busy(1),
        });
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(|p| match p {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }
}

/// A TCP stream that reports its traffic to the connection's [`Activity`].
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.on_read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.on_write();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.on_write();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_give_the_right_deadline() {
        let limits = Limits {
            header: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            max_connections: 1,
        };
        let activity = Arc::new(Activity::new());
        let Phase::Head(start) = *lock(&activity.phase) else {
            panic!("a new connection waits for a head");
        };
        assert_eq!(activity.deadline(limits), Some(start + limits.header));
        activity.on_write();
        assert_eq!(activity.deadline(limits), Some(start + limits.header));
        let busy = Busy::begin(activity.clone());
        assert_eq!(activity.deadline(limits), None);
        activity.on_read();
        assert_eq!(activity.deadline(limits), None);
        drop(busy);
        let Phase::Idle(idle) = *lock(&activity.phase) else {
            panic!("idle after the answer");
        };
        assert_eq!(activity.deadline(limits), Some(idle + limits.idle));
        activity.on_read();
        assert!(matches!(*lock(&activity.phase), Phase::Head(_)));
    }
}
