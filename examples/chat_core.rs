//! The heart of Tornado's chat demo (`demos/chat/chatdemo.py`), without the
//! web layer: a `MessageBuffer` that long-polling clients wait on.
//!
//! Each waiting client holds a [`supercell::concurrent::Future`]; posting a
//! message resolves every one of them at once. A client that reconnects
//! passes a cursor (the id of the last message it saw) and gets what it
//! missed straight from the cache of recent messages.
//!
//! Here the HTTP requests are played by tokio tasks on a fixed timeline:
//!
//! - alice polls steadily;
//! - bob's long polls time out after 300 ms (as a proxy would cut them); he
//!   cancels the wait and polls again with his cursor;
//! - carol's connection drops while she waits (`cancel_wait`) and she comes
//!   back later with her cursor, catching up from the cache;
//! - dave joins late, without a cursor, and sees only new messages.
//!
//! Run it with `cargo run --example chat_core`. It prints the transcript,
//! checks that every client received every message it should have, in
//! order and once, and exits within about a second and a half.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use supercell::concurrent::Future;
use supercell::r#gen::{multi, with_timeout};
use tokio::time::{Instant, sleep_until};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Unique id; clients send the last one they saw as their cursor.
    pub id: String,
    /// The text.
    pub body: String,
}

/// The messages a long poll returns.
pub type Messages = Vec<Message>;

/// Tornado's `MessageBuffer`: the clients waiting for messages, and a cache
/// of the most recent messages for clients that reconnect.
pub struct MessageBuffer {
    cache_size: usize,
    state: Mutex<BufferState>,
}

struct BufferState {
    /// The pending long polls (a set, by identity, in Tornado).
    waiters: Vec<Future<Messages>>,
    cache: Messages,
}

impl MessageBuffer {
    /// An empty buffer keeping the last `cache_size` messages.
    pub fn new(cache_size: usize) -> Self {
        MessageBuffer {
            cache_size,
            state: Mutex::new(BufferState {
                waiters: Vec::new(),
                cache: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BufferState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A future of the messages after `cursor`. It is resolved at once when
    /// the cache holds messages the client has not seen (all of the cache
    /// when the cursor is too old to be in it); otherwise it waits for
    /// the next [`new_messages`](Self::new_messages).
    pub fn wait_for_messages(&self, cursor: Option<&str>) -> Future<Messages> {
        let result_future = Future::new();
        let mut state = self.lock();
        if let Some(cursor) = cursor {
            let new_count = state
                .cache
                .iter()
                .rev()
                .take_while(|m| m.id != cursor)
                .count();
            if new_count > 0 {
                let missed = state.cache[state.cache.len() - new_count..].to_vec();
                // A brand-new future: it cannot be set already.
                let _ = result_future.set_result(missed);
                return result_future;
            }
        }
        state.waiters.push(result_future.clone());
        result_future
    }

    /// Stops waiting (the client went away): the future is resolved with no
    /// messages, so whoever awaits it wakes up.
    pub fn cancel_wait(&self, future: &Future<Messages>) {
        let removed = {
            let mut state = self.lock();
            let position = state.waiters.iter().position(|w| w == future);
            position.map(|i| state.waiters.swap_remove(i))
        };
        if removed.is_some() {
            // Only `new_messages` sets waiters, and it removes them first.
            let _ = future.set_result(Vec::new());
        }
    }

    /// Delivers `messages` to every waiting client and adds them to the
    /// cache. Returns how many clients were waiting.
    pub fn new_messages(&self, messages: Messages) -> usize {
        let waiters = {
            let mut state = self.lock();
            state.cache.extend(messages.iter().cloned());
            let excess = state.cache.len().saturating_sub(self.cache_size);
            state.cache.drain(..excess);
            std::mem::take(&mut state.waiters)
        };
        for waiter in &waiters {
            // A waiter is in the set only while nobody else has set it.
            let _ = waiter.set_result(messages.clone());
        }
        waiters.len()
    }

    /// The cached messages, oldest first (what the demo's main page shows).
    pub fn cache(&self) -> Messages {
        self.lock().cache.clone()
    }

    /// How many clients are waiting now.
    pub fn waiting(&self) -> usize {
        self.lock().waiters.len()
    }
}

/// The last message of the scenario; clients leave when they see it.
const QUIT: &str = "/quit";
/// How long bob's long polls last before they are cut.
const BOB_POLL_TIMEOUT: Duration = Duration::from_millis(300);
/// The cache size, small so that the run shows old messages falling out.
const CACHE_SIZE: usize = 5;

/// What the writer posts, and when (milliseconds after the start).
const POSTS: &[(u64, &[&str])] = &[
    (100, &["hello"]),
    (250, &["anyone here?"]),
    (600, &["still there?"]),
    (700, &["two messages", "in one batch"]),
    (850, &["welcome, dave"]),
    (1100, &[QUIT]),
];
/// When carol's connection drops while she waits, and when she comes back.
const CAROL_DROPS_AT: u64 = 400;
const CAROL_RETURNS_AT: u64 = 950;
/// When dave opens the page.
const DAVE_JOINS_AT: u64 = 750;

/// The printed (and kept) record of the run.
#[derive(Clone)]
pub struct Transcript {
    start: Instant,
    echo: bool,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Transcript {
    /// A transcript starting now; `echo` prints each line as it happens.
    pub fn new(echo: bool) -> Self {
        Transcript {
            start: Instant::now(),
            echo,
            lines: Arc::default(),
        }
    }

    fn at(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    fn say(&self, who: &str, what: impl AsRef<str>) {
        let elapsed = self.start.elapsed().as_secs_f64();
        let line = format!("[+{elapsed:.2}s] {who:<6} {}", what.as_ref());
        if self.echo {
            println!("{line}");
        }
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A simulated browser tab: its cursor and what it has received.
struct Client {
    name: &'static str,
    cursor: Option<String>,
    received: Messages,
    transcript: Transcript,
}

impl Client {
    fn new(name: &'static str, transcript: &Transcript) -> Self {
        Client {
            name,
            cursor: None,
            received: Vec::new(),
            transcript: transcript.clone(),
        }
    }

    fn take(&mut self, messages: Messages, how: &str) {
        if let Some(last) = messages.last() {
            self.cursor = Some(last.id.clone());
        }
        let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
        let what = if ids.is_empty() {
            "nothing".to_string()
        } else {
            ids.join(", ")
        };
        self.transcript.say(self.name, format!("{how} {what}"));
        self.received.extend(messages);
    }

    fn saw_quit(&self) -> bool {
        self.received.last().is_some_and(|m| m.body == QUIT)
    }

    /// One long poll, answered when messages arrive (or at once from the
    /// cache).
    async fn long_poll(&mut self, buffer: &MessageBuffer) {
        let waiting = buffer.wait_for_messages(self.cursor.as_deref());
        let how = if waiting.done() {
            "caught up from the cache:"
        } else {
            "got"
        };
        let messages = waiting.await.unwrap_or_default();
        self.take(messages, how);
    }

    /// Polls until the quit message arrives.
    async fn poll_until_quit(&mut self, buffer: &MessageBuffer) {
        while !self.saw_quit() {
            self.long_poll(buffer).await;
        }
    }
}

async fn alice(buffer: Arc<MessageBuffer>, transcript: Transcript) -> Client {
    let mut me = Client::new("alice", &transcript);
    me.poll_until_quit(&buffer).await;
    me
}

async fn bob(buffer: Arc<MessageBuffer>, transcript: Transcript) -> Client {
    let mut me = Client::new("bob", &transcript);
    while !me.saw_quit() {
        let waiting = buffer.wait_for_messages(me.cursor.as_deref());
        match with_timeout(BOB_POLL_TIMEOUT, waiting.clone()).await {
            Ok(messages) => me.take(messages.unwrap_or_default(), "got"),
            Err(_) => {
                // The request is gone; as `on_connection_close` does.
                buffer.cancel_wait(&waiting);
                transcript.say("bob", "long poll cut after 300 ms: cancel_wait, poll again");
            }
        }
    }
    me
}

async fn carol(buffer: Arc<MessageBuffer>, transcript: Transcript) -> Client {
    let mut me = Client::new("carol", &transcript);
    while me.received.len() < 2 {
        me.long_poll(&buffer).await;
    }
    let waiting = buffer.wait_for_messages(me.cursor.as_deref());
    let dropper = {
        let (buffer, waiting, transcript) =
            (Arc::clone(&buffer), waiting.clone(), transcript.clone());
        tokio::spawn(async move {
            sleep_until(transcript.at(CAROL_DROPS_AT)).await;
            transcript.say("carol", "connection dropped while waiting: cancel_wait");
            buffer.cancel_wait(&waiting);
        })
    };
    let leftover = waiting.await.unwrap_or_default();
    me.take(leftover, "pending poll ended, got");
    // The dropper finished: it is what ended the poll.
    let _ = dropper.await;
    sleep_until(transcript.at(CAROL_RETURNS_AT)).await;
    transcript.say(
        "carol",
        format!(
            "reconnects with cursor {:?}",
            me.cursor.as_deref().unwrap_or("")
        ),
    );
    me.poll_until_quit(&buffer).await;
    me
}

async fn dave(buffer: Arc<MessageBuffer>, transcript: Transcript) -> Client {
    let mut me = Client::new("dave", &transcript);
    sleep_until(transcript.at(DAVE_JOINS_AT)).await;
    transcript.say("dave", "opens the page (no cursor)");
    me.poll_until_quit(&buffer).await;
    me
}

/// Posts [`POSTS`] on schedule; returns every message posted.
async fn writer(buffer: Arc<MessageBuffer>, transcript: Transcript) -> Messages {
    let mut posted = Vec::new();
    for &(at, bodies) in POSTS {
        sleep_until(transcript.at(at)).await;
        let first = posted.len() + 1;
        let batch: Messages = (first..)
            .zip(bodies)
            .map(|(n, body)| Message {
                id: format!("m{n}"),
                body: (*body).to_string(),
            })
            .collect();
        posted.extend(batch.iter().cloned());
        let described: Vec<String> = batch
            .iter()
            .map(|m| format!("{} {:?}", m.id, m.body))
            .collect();
        let listeners = buffer.new_messages(batch);
        transcript.say(
            "writer",
            format!(
                "posts {} -> {listeners} waiting client(s)",
                described.join(", ")
            ),
        );
    }
    posted
}

/// What a run produced: the messages posted and what each client received.
pub struct ChatRun {
    /// Every message, in posting order.
    pub posted: Messages,
    /// Each client's messages, in the order received.
    pub received: BTreeMap<&'static str, Messages>,
    /// The cache at the end.
    pub cache: Messages,
}

/// Plays the whole scenario.
pub async fn run_chat(transcript: &Transcript) -> Result<ChatRun, String> {
    let buffer = Arc::new(MessageBuffer::new(CACHE_SIZE));
    let clients = [
        tokio::spawn(alice(Arc::clone(&buffer), transcript.clone())),
        tokio::spawn(bob(Arc::clone(&buffer), transcript.clone())),
        tokio::spawn(carol(Arc::clone(&buffer), transcript.clone())),
        tokio::spawn(dave(Arc::clone(&buffer), transcript.clone())),
    ];
    let posted = writer(Arc::clone(&buffer), transcript.clone()).await;
    let clients = multi(clients)
        .await
        .map_err(|e| format!("a client task failed: {e}"))?;
    Ok(ChatRun {
        posted,
        received: clients.into_iter().map(|c| (c.name, c.received)).collect(),
        cache: buffer.cache(),
    })
}

/// Checks a run: everyone got each message at most once and in order;
/// alice, bob and carol (thanks to her cursor) got all of them; dave got
/// the messages from his arrival on. Returns one line per client.
pub fn check(run: &ChatRun) -> Result<Vec<String>, String> {
    let position = |m: &Message| run.posted.iter().position(|p| p == m);
    let mut report = Vec::new();
    for (name, received) in &run.received {
        let positions: Vec<usize> = received
            .iter()
            .map(|m| position(m).ok_or(format!("{name} got a message never posted: {m:?}")))
            .collect::<Result<_, _>>()?;
        let contiguous = positions.windows(2).all(|w| w[1] == w[0] + 1);
        let reaches_the_end = positions.last() == Some(&(run.posted.len() - 1));
        if !contiguous || !reaches_the_end {
            return Err(format!(
                "{name} got messages {positions:?} of 0..{}",
                run.posted.len()
            ));
        }
        let must_have_all = *name != "dave";
        if must_have_all && positions.first() != Some(&0) {
            return Err(format!("{name} missed the first messages: {positions:?}"));
        }
        report.push(format!(
            "{name:<6} received {} of {} messages, in order, none twice",
            received.len(),
            run.posted.len()
        ));
    }
    Ok(report)
}

// One thread, as Tornado's IOLoop: the transcript reads in causal order.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    println!(
        "Chat core: 4 long-polling clients, 1 writer, cache of the last {CACHE_SIZE} messages\n"
    );
    let transcript = Transcript::new(true);
    let run = run_chat(&transcript).await?;
    println!();
    for line in check(&run)? {
        println!("ok: {line}");
    }
    let cached: Vec<&str> = run.cache.iter().map(|m| m.id.as_str()).collect();
    println!("cache now holds {}", cached.join(", "));
    Ok(())
}
