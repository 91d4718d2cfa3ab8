//! A request answered whole: one without a body, for a delegate that
//! answers whole requests (the request callback). It runs in a future of
//! its own, much smaller than the message path's, so that the slot a
//! connection allocates for it when a request arrives after a wait is a
//! small allocation.

use std::future::Future;
use std::pin::{Pin, pin};

use bytes::BytesMut;

use super::codec::RequestHead;
use super::connection::End;
use super::delegate_call::Interrupted;
use super::shared::Begun;
use super::{Http1ServerConnection, ResponseWriter};
use crate::httputil::HttpServerConnectionDelegate;

impl Http1ServerConnection {
    /// One request without a body and its response, for a delegate that
    /// answers whole requests: [`exchange`](Self::exchange) for that case.
    pub(super) async fn whole_exchange<D>(
        &self,
        delegate: &D,
        head: RequestHead,
        mut buf: BytesMut,
        generation: u64,
    ) -> (End, BytesMut)
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let RequestHead {
            start_line,
            mut headers,
            keep_alive,
            ..
        } = head;
        let (begun, writer) = self.begin(&start_line, &headers, keep_alive, false, generation);
        // Without a body there is nothing to decompress, but the header
        // is renamed as for any request.
        self.consume_gzip_encoding(&mut headers);
        // Made in place in its pinned slot, not moved there. The request is
        // installed by whichever side locks for it first: most often its
        // writer, as it responds.
        let call = pin!(delegate.request_without_body(start_line, headers, writer));
        let end = self.answer_whole(call, &begun, &mut buf).await;
        (end, buf)
    }

    /// Runs a delegate's answer to a whole request without a body (see
    /// [`HttpServerConnectionDelegate::request_without_body`]) as the
    /// message path runs `finish`, and waits for the response.
    async fn answer_whole<F: Future<Output = ()>>(
        &self,
        call: Pin<&mut F>,
        begun: &Begun,
        buf: &mut BytesMut,
    ) -> End {
        match self.call(call).await {
            Err(Interrupted::Panicked) => {
                // Whatever the writer still sends (a 500 as it is dropped)
                // closes the connection, even when it was not dropped as
                // the panic unwound.
                if let Some(exchange) = self.shared.lock_for(begun).exchange(begun.generation) {
                    exchange.close = true;
                }
                return End::Linger;
            }
            Err(Interrupted::Closed) => {
                self.abandon(begun.generation);
                return End::Close;
            }
            Ok(()) => {}
        }
        let end = match self.response_end(begun) {
            Some(close) => Some(close),
            // Boxed: a response still under way once the call returned is
            // the rare case, and its wait would double this future's size.
            None => Box::pin(self.wait_response(begun.generation, buf, || {})).await,
        };
        match end {
            Some(true) => End::Linger,
            Some(false) => End::KeepAlive,
            None => {
                self.abandon(begun.generation);
                End::Close
            }
        }
    }
}
