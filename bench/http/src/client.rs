//! The clients compared by `client_bench`, behind one small interface.

use std::io;

use supercell::httpclient::{AsyncHttpClient, ClientSettings};

/// Which client library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// supercell's `AsyncHttpClient` (keep-alive pool, `max_clients` set to
    /// the number of tasks).
    Supercell,
    /// reqwest 0.12 (hyper-util's pooled client; rustls for https).
    Reqwest,
}

impl ClientKind {
    /// Every client, in the order of the tables.
    pub const ALL: [ClientKind; 2] = [ClientKind::Supercell, ClientKind::Reqwest];

    /// The name used on the command line and in the tables.
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Supercell => "supercell",
            ClientKind::Reqwest => "reqwest",
        }
    }

    /// The client called `name`.
    pub fn from_name(name: &str) -> Option<ClientKind> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One client instance (cheap to clone; clones share the connection pool).
#[derive(Clone)]
pub enum BenchClient {
    /// A supercell client.
    Supercell(AsyncHttpClient),
    /// A reqwest client.
    Reqwest(reqwest::Client),
}

const EXPECTED: &[u8] = b"Hello, World!";

impl BenchClient {
    /// A client with keep-alive, able to keep `connections` requests in flight.
    pub fn new(kind: ClientKind, connections: usize) -> io::Result<BenchClient> {
        Ok(match kind {
            ClientKind::Supercell => BenchClient::Supercell(AsyncHttpClient::new(ClientSettings {
                max_clients: connections,
                max_idle_per_host: connections,
                ..ClientSettings::default()
            })),
            ClientKind::Reqwest => BenchClient::Reqwest(
                reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(connections)
                    .build()
                    .map_err(io::Error::other)?,
            ),
        })
    }

    /// Fetches `url` and checks that the answer is 200 `Hello, World!`.
    pub async fn get(&self, url: &str) -> io::Result<()> {
        let (status, body) = match self {
            BenchClient::Supercell(client) => {
                let response = client.fetch(url).await.map_err(io::Error::other)?;
                (response.code, response.body)
            }
            BenchClient::Reqwest(client) => {
                let response = client.get(url).send().await.map_err(io::Error::other)?;
                let status = response.status().as_u16();
                (status, response.bytes().await.map_err(io::Error::other)?)
            }
        };
        if status != 200 || body != EXPECTED {
            return Err(io::Error::other(format!(
                "unexpected answer: {status} {body:?}"
            )));
        }
        Ok(())
    }
}
