//! [`HttpClient`]: the blocking client (Tornado's `HTTPClient`).

use std::sync::Mutex;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::client::AsyncHttpClient;
use super::error::{FetchError, HttpClientError};
use super::request::HttpRequest;
use super::response::HttpResponse;
use super::settings::ClientSettings;

type Reply = std_mpsc::SyncSender<Result<HttpResponse, HttpClientError>>;

/// One fetch handed to the client's thread.
struct Job {
    request: HttpRequest,
    raise_error: bool,
    reply: Reply,
}

struct Running {
    jobs: mpsc::UnboundedSender<Job>,
    thread: JoinHandle<()>,
}

/// A blocking HTTP client for code that is not async (Tornado's
/// `HTTPClient`): an [`AsyncHttpClient`] running on a runtime of its own,
/// on a thread of its own. `fetch` blocks the calling thread until the
/// response is there; it works from any thread, also one running another
/// runtime (where it blocks that thread, so async code should use the
/// [`AsyncHttpClient`]).
///
/// ```no_run
/// use supercell::httpclient::HttpClient;
///
/// let client = HttpClient::new(Default::default()).unwrap();
/// match client.fetch("http://www.example.com/") {
///     Ok(response) => println!("{}", String::from_utf8_lossy(&response.body)),
///     Err(error) => eprintln!("Error: {error}"),
/// }
/// client.close();
/// ```
pub struct HttpClient {
    running: Mutex<Option<Running>>,
}

impl HttpClient {
    /// Starts the client's thread and runtime; fails if the runtime
    /// cannot be built or the thread cannot be spawned.
    pub fn new(settings: ClientSettings) -> std::io::Result<HttpClient> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (jobs, mut receiver) = mpsc::unbounded_channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("supercell-http-client".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let client = AsyncHttpClient::new(settings);
                    let mut tasks = tokio::task::JoinSet::new();
                    while let Some(job) = receiver.recv().await {
                        let client = client.clone();
                        tasks.spawn(async move {
                            let outcome = client.fetch_with(job.request, job.raise_error).await;
                            let _ = job.reply.send(outcome);
                        });
                        while tasks.try_join_next().is_some() {}
                    }
                    client.close();
                    tasks.shutdown().await;
                });
            })?;
        Ok(HttpClient {
            running: Mutex::new(Some(Running { jobs, thread })),
        })
    }

    /// Fetches `request`, blocking until done: the response, or an error
    /// when it failed or its code is not 2xx.
    pub fn fetch(&self, request: impl Into<HttpRequest>) -> Result<HttpResponse, HttpClientError> {
        self.fetch_with(request, true)
    }

    /// Fetches `request`, blocking until done; with `raise_error` false,
    /// failures are returned as responses (see
    /// [`AsyncHttpClient::fetch_with`]).
    pub fn fetch_with(
        &self,
        request: impl Into<HttpRequest>,
        raise_error: bool,
    ) -> Result<HttpResponse, HttpClientError> {
        let closed = || HttpClientError::from_cause(FetchError::ClientClosed);
        let (reply, answer) = std_mpsc::sync_channel(1);
        let job = Job {
            request: request.into(),
            raise_error,
            reply,
        };
        {
            let running = self.running.lock().map_err(|_| closed())?;
            let running = running.as_ref().ok_or_else(closed)?;
            running.jobs.send(job).map_err(|_| closed())?;
        }
        answer.recv().map_err(|_| closed())?
    }

    /// Stops the client: requests in progress are abandoned (their
    /// callers get an error), its thread ends. Later fetches fail.
    /// Closing twice does nothing.
    pub fn close(&self) {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Some(Running { jobs, thread }) = running {
            drop(jobs);
            let _ = thread.join();
        }
    }
}

impl Drop for HttpClient {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.running.lock().map(|r| r.is_some()).unwrap_or(false);
        f.debug_struct("HttpClient").field("open", &open).finish()
    }
}
