//! The Workfront API: sessions, paging, fields, filters, writes, throttling.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use wf_oauth_mock::{Fault, FaultSpec, FaultTarget};

async fn ids(mock: &wf_oauth_mock::RunningMock, session: &str, path: &str) -> Vec<String> {
    let (status, v) = json(api_get(mock, session, path).await).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ID"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn expired_session_gets_workfronts_exact_401() {
    let mock = spawn().await;
    let (access, _) = grant(&mock).await;
    // Sliding: each use restarts the idle window.
    for _ in 0..3 {
        mock.advance_clock(Duration::from_secs(8 * 3600 - 10));
        assert_eq!(
            api_get(&mock, &access, "proj/count").await.status(),
            StatusCode::OK
        );
    }
    mock.advance_clock(Duration::from_secs(8 * 3600 + 1));
    let resp = api_get(&mock, &access, "proj/search").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(resp.text().await.unwrap(), NOT_LOGGED_IN);
    // No session at all: the same answer.
    let resp = client()
        .get(format!("{}/proj/search", mock.api_url("v14.0")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.text().await.unwrap(), NOT_LOGGED_IN);
}

#[tokio::test]
async fn session_from_query_parameter_and_bearer_header() {
    let mock = spawn().await;
    let (access, _) = grant(&mock).await;
    let resp = client()
        .get(format!("{}/proj/search", mock.api_url("v20.0")))
        .query(&[("sessionID", access.as_str()), ("$$LIMIT", "3")])
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
    let resp = client()
        .get(format!("{}/user/count", mock.api_url("v21.0")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let (_, v) = json(resp).await;
    assert_eq!(v["data"]["count"], 40);
}

#[tokio::test]
async fn logout_ends_the_session_and_admin_expiry_works() {
    let mock = spawn().await;
    let (access, _) = grant(&mock).await;
    let (status, v) = json(api_get(&mock, &access, "logout").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"]["success"], true);
    assert_eq!(
        api_get(&mock, &access, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let (a2, _) = grant(&mock).await;
    let resp = client()
        .post(format!("{}/logout", mock.api_url("v14.0")))
        .header("sessionID", &a2)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        api_get(&mock, &a2, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let (a3, _) = grant(&mock).await;
    let (a4, _) = grant(&mock).await;
    assert!(mock.expire_session(&a3));
    assert_eq!(
        api_get(&mock, &a3, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api_get(&mock, &a4, "proj/count").await.status(),
        StatusCode::OK
    );
    assert_eq!(mock.expire_all_sessions(), 1);
    assert_eq!(
        api_get(&mock, &a4, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn paging_limits_and_sorting() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    let all = ids(&mock, &s, "proj/search?$$LIMIT=2000&ID_Sort=asc").await;
    assert_eq!(all.len(), 250);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(
        ids(&mock, &s, "proj/search").await.len(),
        100,
        "default limit"
    );
    let mut paged = Vec::new();
    for first in (0..250).step_by(100) {
        paged.extend(
            ids(
                &mock,
                &s,
                &format!("proj/search?$$FIRST={first}&$$LIMIT=100&ID_Sort=asc"),
            )
            .await,
        );
    }
    assert_eq!(paged, all);
    let desc = ids(&mock, &s, "proj/search?ID_Sort=desc&$$LIMIT=5").await;
    assert_eq!(desc[0], all[249]);
    assert!(ids(&mock, &s, "proj/search?$$FIRST=250").await.is_empty());
    assert_eq!(ids(&mock, &s, "task/search?$$LIMIT=2000").await.len(), 1000);
    assert_eq!(
        ids(&mock, &s, "task/search?$$LIMIT=2000&$$FIRST=990")
            .await
            .len(),
        10
    );

    let (status, v) = json(api_get(&mock, &s, "proj/search?$$LIMIT=2001").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("2000"));
    for bad in ["$$LIMIT=0", "$$LIMIT=x", "$$FIRST=-3", "ID_Sort=up"] {
        let (status, v) = json(api_get(&mock, &s, &format!("proj/search?{bad}")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(v["error"]["class"].is_string());
    }
}

#[tokio::test]
async fn fields_filters_count_get_and_metadata() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    let (_, v) = json(
        api_get(
            &mock,
            &s,
            "proj/search?$$LIMIT=1&fields=status,plannedCompletionDate",
        )
        .await,
    )
    .await;
    let p = &v["data"][0];
    assert_eq!(p["objCode"], "PROJ");
    assert!(p["status"].is_string() && p["plannedCompletionDate"].is_string());
    assert!(p.get("description").is_none());
    let (_, v) = json(
        api_get(
            &mock,
            &s,
            "proj/search?name=apollo&name_Mod=cicontains&$$LIMIT=2000",
        )
        .await,
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 25);
    let (_, v) = json(api_get(&mock, &s, "proj/count?name=Apollo&name_Mod=contains").await).await;
    assert_eq!(v["data"]["count"], 25);

    let (_, v) = json(api_get(&mock, &s, "proj/search?$$LIMIT=1").await).await;
    let id = v["data"][0]["ID"].as_str().unwrap().to_owned();
    let name = v["data"][0]["name"].as_str().unwrap().to_owned();
    let (_, v) = json(
        api_get(
            &mock,
            &s,
            &format!("proj/search?name={}", name.replace(' ', "%20")),
        )
        .await,
    )
    .await;
    assert_eq!(v["data"][0]["ID"], id.as_str(), "eq filter");
    let (status, v) = json(api_get(&mock, &s, &format!("proj/{id}?fields=*")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"]["ID"], id.as_str());
    assert!(v["data"]["ownerID"].is_string());

    let (_, v) = json(
        api_get(
            &mock,
            &s,
            &format!("task/search?projectID={id}&fields=projectID"),
        )
        .await,
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 4);

    let (status, v) = json(api_get(&mock, &s, "proj/0123456789abcdef0123456789abcdef").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"]["message"].is_string());
    let (status, _) = json(api_get(&mock, &s, "proj/metadata").await).await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = json(api_get(&mock, &s, "proj/search?fields=bogus").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("V14_0"));
    let (status, _) = json(api_get(&mock, &s, "nope/search").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn versions_other_than_vx_y_are_404_json() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    for v in ["v14.0", "v15.0", "v20.0", "v21.3"] {
        let resp = client()
            .get(format!("{}/attask/api/{v}/proj/count", mock.base_url()))
            .header("sessionID", &s)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{v}");
    }
    for v in ["14.0", "v14", "latest", "vX.Y"] {
        let resp = client()
            .get(format!("{}/attask/api/{v}/proj/count", mock.base_url()))
            .header("sessionID", &s)
            .send()
            .await
            .unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn project_create_update_delete() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    let c = client();
    let base = mock.api_url("v14.0");
    let resp = c
        .post(format!("{base}/proj?fields=status,percentComplete"))
        .header("sessionID", &s)
        .json(&serde_json::json!({"name": "New project", "status": "CUR"}))
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["name"], "New project");
    assert_eq!(v["data"]["status"], "CUR");
    let id = v["data"]["ID"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    let (_, v) = json(api_get(&mock, &s, "proj/count").await).await;
    assert_eq!(v["data"]["count"], 251);

    let resp = c
        .put(format!(
            "{base}/proj/{id}?percentComplete=40&fields=percentComplete"
        ))
        .header("sessionID", &s)
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["percentComplete"], 40);
    let resp = c
        .put(format!("{base}/proj/{id}"))
        .header("sessionID", &s)
        .query(&[("updates", r#"{"name":"Renamed"}"#)])
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["data"]["name"], "Renamed");

    for (body, why) in [
        (serde_json::json!({"percentComplete": 101}), "range"),
        (serde_json::json!({"status": "BOGUS"}), "status"),
        (serde_json::json!({"ID": "x"}), "read-only"),
        (serde_json::json!({"bogus": 1}), "unknown"),
    ] {
        let resp = c
            .put(format!("{base}/proj/{id}"))
            .header("sessionID", &s)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    let resp = c
        .post(format!("{base}/proj"))
        .header("sessionID", &s)
        .json(&serde_json::json!({"status": "CUR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "name required");

    let resp = c
        .delete(format!("{base}/proj/{id}"))
        .header("sessionID", &s)
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["data"]["success"], true);
    let resp = c
        .delete(format!("{base}/proj/{id}"))
        .header("sessionID", &s)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = c
        .delete(format!("{base}/task/x"))
        .header("sessionID", &s)
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.0, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn concurrency_limit_gives_429_with_retry_after() {
    let mock = builder().max_concurrent_requests(2).spawn().await.unwrap();
    let (s, _) = grant(&mock).await;
    mock.inject_fault(FaultSpec::new(
        FaultTarget::Api,
        2,
        Fault::Delay { ms: 800 },
    ))
    .unwrap();
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let (url, s) = (format!("{}/proj/count", mock.api_url("v14.0")), s.clone());
            tokio::spawn(async move {
                client()
                    .get(url)
                    .header("sessionID", s)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // Wait until both slow requests hold their slots.
    for _ in 0..500 {
        if mock.stats().api_in_flight == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(mock.stats().api_in_flight, 2);
    let resp = api_get(&mock, &s, "proj/count").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "1");
    let (_, v): (_, Value) = json(resp).await;
    assert!(v["error"]["message"].is_string());
    for t in slow {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::OK
    );
    assert_eq!(mock.stats().status("api", "429"), 1);
}
