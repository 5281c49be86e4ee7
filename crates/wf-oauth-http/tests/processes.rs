//! Several processes sharing one file store, and processes killed in the middle of
//! refresh-and-persist.
//!
//! The child processes are this test binary run again with `WF_HTTP_CHILD` naming a role
//! (see [`child_process_entry`]); they talk to the fake Workfront served by the parent.
//! `Child::kill` is SIGKILL on Unix, which the crash test relies on.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use wf_oauth_http::{CredentialStore, WorkfrontClient};

const KEY: &str = "shared@mock";
const READY: &str = "WF-CHILD-READY";

/// Runs a child role when this binary was started as a child; a no-op test otherwise.
#[test]
fn child_process_entry() {
    let Ok(role) = std::env::var("WF_HTTP_CHILD") else {
        return;
    };
    let url = std::env::var("WF_MOCK_URL").expect("WF_MOCK_URL");
    let dir = std::env::var("WF_STORE_DIR").expect("WF_STORE_DIR");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let code = rt.block_on(async move {
        match role.as_str() {
            "caller" => caller(&url, Path::new(&dir)).await,
            "refresher" => refresher(&url, Path::new(&dir)).await,
            other => panic!("unknown child role {other}"),
        }
    });
    std::process::exit(code);
}

/// Calls the API until the stop file appears; prints `ok errors reauth`.
async fn caller(url: &str, dir: &Path) -> i32 {
    // 4 processes × 2 in flight stay within the fake's (and Workfront's) limit of 10.
    let oauth = oauth_builder_for(url, Style::Basic)
        .max_in_flight(2)
        .build()
        .expect("client");
    let store = CredentialStore::file(dir).expect("store");
    let client = WorkfrontClient::open(oauth, store, KEY)
        .await
        .expect("open");
    let (mut ok, mut errors, mut reauth) = (0u64, 0u64, 0u64);
    let mut announced = false;
    while !dir.join("stop").exists() {
        let calls = (0..4).map(|_| client.get("user/search", &[("$$LIMIT", "1")]));
        for result in futures::future::join_all(calls).await {
            match result {
                Ok(_) => ok += 1,
                Err(e) if e.is_reauth_required() => reauth += 1,
                Err(e) => {
                    eprintln!("child call failed: {e}");
                    errors += 1;
                }
            }
        }
        if !announced {
            println!("{READY}");
            announced = true;
        }
    }
    println!("WF-RESULT {ok} {errors} {reauth}");
    0
}

/// Refreshes and persists in a loop until killed.
async fn refresher(url: &str, dir: &Path) -> i32 {
    let oauth = oauth_builder_for(url, Style::Basic)
        .build()
        .expect("client");
    let store = CredentialStore::file(dir).expect("store");
    let client = WorkfrontClient::open(oauth, store, KEY)
        .await
        .expect("open");
    let mut announced = false;
    loop {
        if let Err(e) = client.refresh().await {
            println!("WF-REFRESH-ERROR {:?}", e.kind());
            return 3;
        }
        if !announced {
            println!("{READY}");
            announced = true;
        }
    }
}

fn spawn_child(role: &str, url: &str, dir: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("WF_HTTP_CHILD", role)
        .env("WF_MOCK_URL", url)
        .env("WF_STORE_DIR", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("child starts")
}

/// Reads the child's stdout until the ready line; the reader is returned for later lines.
/// A child whose first refresh failed reports the error kind instead.
fn wait_ready(child: &mut Child) -> Result<BufReader<std::process::ChildStdout>, String> {
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).expect("read child");
        assert!(n > 0, "child ended before it was ready");
        // libtest may print "test child_process_entry ... " on the same line first.
        if line.trim_end().ends_with(READY) {
            return Ok(out);
        }
        if let Some((_, kind)) = line.split_once("WF-REFRESH-ERROR ") {
            return Err(kind.trim().to_owned());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_refresh_per_expiry() {
    let mock = mock().await; // rotation on, 10 concurrent API requests
    let dir = tempfile::tempdir().expect("dir");
    let oauth = oauth(&mock, Style::Basic);
    let store = CredentialStore::file(dir.path()).expect("store");
    WorkfrontClient::login(oauth.clone(), store.clone(), KEY, sign_in(&oauth).await)
        .await
        .expect("login");

    let url = mock.base_url();
    let children: Vec<_> = (0..4)
        .map(|_| spawn_child("caller", &url, dir.path()))
        .collect();
    let (children, readers) = tokio::task::spawn_blocking(move || {
        let mut children = children;
        let readers: Vec<_> = children
            .iter_mut()
            .map(|c| wait_ready(c).expect("caller ready"))
            .collect();
        (children, readers)
    })
    .await
    .expect("children ready");

    const EXPIRIES: u64 = 6;
    let refreshes_before = refreshes(&mock);
    for _ in 0..EXPIRIES {
        tokio::time::sleep(Duration::from_millis(150)).await;
        mock.expire_all_sessions();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(dir.path().join("stop"), b"").expect("stop file");

    let results = tokio::task::spawn_blocking(move || {
        let mut totals = (0u64, 0u64, 0u64);
        for (mut child, reader) in children.into_iter().zip(readers) {
            for line in reader.lines() {
                let line = line.expect("line");
                if let Some((_, rest)) = line.split_once("WF-RESULT ") {
                    let n: Vec<u64> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
                    totals = (totals.0 + n[0], totals.1 + n[1], totals.2 + n[2]);
                }
            }
            assert!(child.wait().expect("wait").success());
        }
        totals
    })
    .await
    .expect("results");

    let (ok, errors, reauth) = results;
    let stats = mock.stats();
    println!(
        "4 processes: {ok} calls ok, {errors} errors, {reauth} reauth; {} refreshes for {EXPIRIES} expiries",
        refreshes(&mock) - refreshes_before
    );
    assert!(ok > 0);
    assert_eq!((errors, reauth), (0, 0));
    assert_eq!(
        refreshes(&mock) - refreshes_before,
        EXPIRIES,
        "one refresh per expiry"
    );
    assert_eq!(
        stats.grant_status("refresh_token", "400"),
        0,
        "no invalid_grant"
    );
    assert_eq!(
        stats.status("api", "429"),
        0,
        "within the concurrency limit"
    );
}

/// A random delay in `[0, max_ms)` ms from the OS generator.
fn random_ms(max_ms: u64) -> Duration {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("entropy");
    Duration::from_micros(u64::from_le_bytes(b) % (max_ms * 1000))
}

async fn kill_during_refresh(rotation: bool, kills: u32) -> u32 {
    let mock = mock_with(|b| b.rotate_refresh_tokens(rotation)).await;
    let dir = tempfile::tempdir().expect("dir");
    let oauth = oauth(&mock, Style::Basic);
    let store = CredentialStore::file(dir.path()).expect("store");
    WorkfrontClient::login(oauth.clone(), store.clone(), KEY, sign_in(&oauth).await)
        .await
        .expect("login");
    let url = mock.base_url();
    let mut lost = 0;
    for _ in 0..kills {
        let (url2, dir2) = (url.clone(), dir.path().to_owned());
        let first_refresh = tokio::task::spawn_blocking(move || {
            let mut child = spawn_child("refresher", &url2, &dir2);
            let ready = wait_ready(&mut child).map(drop);
            if ready.is_ok() {
                std::thread::sleep(random_ms(12));
                child.kill().expect("SIGKILL");
            }
            child.wait().expect("reaped");
            ready
        })
        .await
        .expect("kill round");
        if let Err(kind) = first_refresh {
            // A request of the previous, killed child can still reach the fake after the
            // kill: it rotates the refresh token nobody will save (and the reuse revokes
            // the grant). Same loss window, noticed one step later — and only ever as
            // re-authorization.
            assert!(rotation, "without rotation no refresh may fail: {kind}");
            assert_eq!(kind, "ReauthRequired");
            lost += 1;
            WorkfrontClient::login(oauth.clone(), store.clone(), KEY, sign_in(&oauth).await)
                .await
                .expect("sign in again");
            continue;
        }

        // Whole, parseable, present: the old or the new token set, never a torn file.
        let stored = store
            .load(KEY)
            .await
            .expect("the document parses after SIGKILL")
            .expect("the document exists after SIGKILL");
        assert!(!stored.reauth_required);
        assert!(stored.tokens.refresh_token().is_some());

        // The fake must accept it, unless the kill fell between its answer and the save.
        let client = WorkfrontClient::open(oauth.clone(), store.clone(), KEY)
            .await
            .expect("open");
        match client.refresh().await {
            Ok(()) => {}
            Err(e) if rotation && e.is_reauth_required() => {
                lost += 1;
                WorkfrontClient::login(oauth.clone(), store.clone(), KEY, sign_in(&oauth).await)
                    .await
                    .expect("sign in again");
            }
            Err(e) => panic!("unexpected error after a kill: {e:?}"),
        }
    }
    lost
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_refresh_and_persist_never_tears_the_store() {
    let started = Instant::now();
    let lost_without_rotation = kill_during_refresh(false, 100).await;
    assert_eq!(
        lost_without_rotation, 0,
        "without rotation nothing can be lost"
    );
    let lost_with_rotation = kill_during_refresh(true, 100).await;
    println!(
        "200 SIGKILLs in {:.1} s; with rotation, {lost_with_rotation}/100 landed between \
         the fake's answer and the save (surfaced as ReauthRequired)",
        started.elapsed().as_secs_f64()
    );
}
