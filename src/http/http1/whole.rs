//! Requests answered whole: those without a body, for a delegate that
//! answers whole requests (the request callback). They run in a future of
//! their own, much smaller than the message path's, so that the slot a
//! connection allocates for it when a request arrives after a wait is a
//! small allocation. The requests of a pipelined batch are answered one
//! after the other in that one future, each head read from the buffer
//! as the previous response is done, without going back to the driver.

use std::future::Future;
use std::pin::{Pin, pin};

use bytes::BytesMut;

use super::codec::{BodyLength, ParseError, RequestHead, RequestHeadReader};
use super::connection::End;
use super::delegate_call::Interrupted;
use super::shared::Begun;
use super::{Http1ServerConnection, ResponseWriter};
use crate::httputil::HttpServerConnectionDelegate;

/// What was read of the request after a run of whole exchanges when it is
/// not one of them.
pub(super) enum NextHead {
    /// A complete head, of a request with a body (boxed: the driver's
    /// future, which holds this, stays small while it waits).
    Read(Box<RequestHead>),
    /// A head refused as malformed.
    Malformed(ParseError),
}

impl Http1ServerConnection {
    /// Requests without a body and their responses, for a delegate that
    /// answers whole requests: [`exchange`](Self::exchange) for that
    /// case, for `head` and then for each request already buffered after
    /// it that is of the same kind, so that a pipelined batch is answered
    /// in one run. Returns how the last exchange ended, the read buffer,
    /// the generation of the last request begun, and what was read of the
    /// next buffered request when it is not of this kind (a head with a
    /// body, or a malformed one): the driver goes on with it.
    pub(super) async fn whole_exchanges<D>(
        &self,
        delegate: &D,
        mut head: RequestHead,
        mut buf: BytesMut,
        mut generation: u64,
    ) -> (End, BytesMut, u64, Option<NextHead>)
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        loop {
            // No later response to gather this one with: a whole response
            // goes out as it is written.
            self.shared.set_alone(buf.is_empty());
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
            // Made in place in its pinned slot, not moved there. The
            // request is installed by whichever side locks for it first:
            // most often its writer, as it responds.
            let call = pin!(delegate.request_without_body(start_line, headers, writer));
            let end = self.answer_whole(call, &begun, &mut buf).await;
            if !matches!(end, End::KeepAlive) || buf.is_empty() {
                return (end, buf, generation, None);
            }
            let next = match RequestHeadReader::new().split(&mut buf, self.params.max_header_size) {
                Ok(Some(next)) => next,
                // Incomplete: the driver waits for the rest.
                Ok(None) => return (end, buf, generation, None),
                Err(error) => return (end, buf, generation, Some(NextHead::Malformed(error))),
            };
            if next.body != BodyLength::Empty {
                return (end, buf, generation, Some(NextHead::Read(Box::new(next))));
            }
            generation += 1;
            head = next;
        }
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
        match self.call_watching(call, buf).await {
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
