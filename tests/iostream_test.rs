//! Counterparts of Tornado's `tornado/test/iostream_test.py`.

use std::time::Duration;

use supercell::iostream::IoStream;
use tokio::net::TcpListener;

async fn tcp_pair() -> (IoStream, IoStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = tokio::join!(IoStream::connect(addr), listener.accept());
    (IoStream::from_tcp(accepted.unwrap().0), client.unwrap())
}

#[tokio::test]
async fn test_iostream_test_read_until_close_after_close() {
    tokio::time::timeout(Duration::from_secs(10), async {
        let (rs, ws) = tcp_pair().await;
        ws.write(&b"1234"[..]).await.unwrap();
        ws.close();
        assert_eq!(&rs.read_bytes(1, false).await.unwrap()[..], b"1");
        assert_eq!(&rs.read_until_close().await.unwrap()[..], b"234");
    })
    .await
    .unwrap();
}
