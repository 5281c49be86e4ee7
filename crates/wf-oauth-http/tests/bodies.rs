//! How the driver reads response bodies off the wire: a body that arrives in one piece is
//! handed to the core as read, one that arrives in several pieces (chunked transfer
//! encoding, or a `Content-Length` body written in parts) is joined, and the body cap holds
//! across pieces. A scripted HTTP/1.1 server on loopback writes each answer in the pieces
//! the test asks for, with pauses between them so the client really reads them apart.

mod common;

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wf_oauth_core::{AccessToken, TokenSet, UnixTime};
use wf_oauth_http::{Error, TransportConfig, TransportError, WorkfrontClient};

use common::{Style, oauth_builder_for};

/// Serves every connection the same answer: the status line and headers, then each body
/// piece in its own write, 20 ms apart. Returns the base URL.
async fn scripted(head: String, pieces: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (head, pieces) = (head.clone(), pieces.clone());
            tokio::spawn(async move {
                // One request per connection: read up to the end of its headers.
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.ends_with(b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = socket.write_all(head.as_bytes()).await;
                for piece in pieces {
                    let _ = socket.flush().await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let _ = socket.write_all(&piece).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    base
}

/// A signed-in client for the scripted server, with an API body cap of `limit` bytes.
fn client(base: &str, limit: usize) -> WorkfrontClient {
    let oauth = oauth_builder_for(base, Style::Basic)
        .transport_config(TransportConfig::default().with_api_body_limit(limit))
        .build()
        .expect("client");
    let instance = oauth.config().instance().clone();
    let tokens = TokenSet::new(
        AccessToken::new("session"),
        instance,
        UnixTime::from_secs(0),
    );
    WorkfrontClient::from_tokens(oauth, tokens)
}

/// `{"data":[{"ID":"0"},…]}` with `n` objects.
fn page(n: usize) -> Vec<u8> {
    let data: Vec<Value> = (0..n).map(|i| json!({"ID": i.to_string()})).collect();
    serde_json::to_vec(&json!({ "data": data })).expect("json")
}

/// `body` in chunked transfer encoding, one chunk per piece of `size` bytes.
fn chunked(body: &[u8], size: usize) -> Vec<Vec<u8>> {
    let mut pieces: Vec<Vec<u8>> = body
        .chunks(size)
        .map(|c| {
            let mut piece = format!("{:x}\r\n", c.len()).into_bytes();
            piece.extend_from_slice(c);
            piece.extend_from_slice(b"\r\n");
            piece
        })
        .collect();
    pieces.push(b"0\r\n\r\n".to_vec());
    pieces
}

const JSON_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n";

#[tokio::test]
async fn a_body_in_one_piece_is_read_whole() {
    let body = page(3);
    let head = format!("{JSON_HEAD}content-length: {}\r\n\r\n", body.len());
    let client = client(&scripted(head, vec![body]).await, 1 << 20);
    let data = client.get("proj/search", &[]).await.expect("call");
    assert_eq!(data.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_content_length_body_written_in_parts_is_joined() {
    let body = page(200);
    let head = format!("{JSON_HEAD}content-length: {}\r\n\r\n", body.len());
    let pieces = body.chunks(997).map(<[u8]>::to_vec).collect();
    let client = client(&scripted(head, pieces).await, 1 << 20);
    let data = client.get("proj/search", &[]).await.expect("call");
    assert_eq!(
        data,
        serde_json::from_slice::<Value>(&body).unwrap()["data"]
    );
}

#[tokio::test]
async fn a_chunked_body_is_joined() {
    let body = page(200);
    let head = format!("{JSON_HEAD}transfer-encoding: chunked\r\n\r\n");
    let client = client(&scripted(head, chunked(&body, 1500)).await, 1 << 20);
    let data = client.get("proj/search", &[]).await.expect("call");
    assert_eq!(
        data,
        serde_json::from_slice::<Value>(&body).unwrap()["data"]
    );
}

#[tokio::test]
async fn a_body_exactly_at_the_cap_is_read() {
    let body = page(50);
    let head = format!("{JSON_HEAD}transfer-encoding: chunked\r\n\r\n");
    let client = client(&scripted(head, chunked(&body, 300)).await, body.len());
    let data = client.get("proj/search", &[]).await.expect("call");
    assert_eq!(data.as_array().map(Vec::len), Some(50));
}

/// No length announced: the cap is enforced while the pieces arrive, across pieces.
#[tokio::test]
async fn a_chunked_body_over_the_cap_is_refused_across_pieces() {
    let body = page(50);
    let head = format!("{JSON_HEAD}transfer-encoding: chunked\r\n\r\n");
    let client = client(&scripted(head, chunked(&body, 300)).await, body.len() - 1);
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::BodyTooLarge { limit }) if limit == body.len() - 1),
        "{e:?}"
    );
}

/// A first piece alone over the cap is refused too.
#[tokio::test]
async fn a_first_piece_over_the_cap_is_refused() {
    let body = page(50);
    let head = format!("{JSON_HEAD}transfer-encoding: chunked\r\n\r\n");
    let client = client(&scripted(head, chunked(&body, body.len())).await, 100);
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport(TransportError::BodyTooLarge { limit: 100 })
        ),
        "{e:?}"
    );
}

/// An announced length over the cap is refused before any of the body is read.
#[tokio::test]
async fn an_announced_length_over_the_cap_is_refused_unread() {
    let head = format!("{JSON_HEAD}content-length: 1000000\r\n\r\n");
    let client = client(&scripted(head, vec![b"{".to_vec()]).await, 1000);
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport(TransportError::BodyTooLarge { limit: 1000 })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_empty_body_is_no_data() {
    let head = format!("{JSON_HEAD}content-length: 0\r\n\r\n");
    let client = client(&scripted(head, vec![]).await, 1000);
    assert_eq!(
        client.get("proj/search", &[]).await.expect("call"),
        Value::Null
    );
}
