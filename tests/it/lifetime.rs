//! The maximum drift lifetime is a hard bound: a drill whose revert keeps being throttled stops
//! retrying when the lifetime runs out, reports the revert as failed (exit 4) and leaves the
//! change in the journal, where `recover` finishes it.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::fixture::{self, resources};

/// EC2's throttling answer.
const THROTTLED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttled</RequestID></Response>";

/// A loopback proxy in front of LocalStack that throttles every request for `action` (EC2's
/// query protocol names it in the body) and forwards everything else. Returns its URL.
async fn throttling_proxy(action: &'static str) -> String {
    let upstream = fixture::localstack().url.clone();
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (client, upstream) = (client.clone(), upstream.clone());
            async move {
                if String::from_utf8_lossy(&body).contains(&format!("Action={action}")) {
                    return (StatusCode::SERVICE_UNAVAILABLE, THROTTLED).into_response();
                }
                forward(&client, &upstream, method, uri, headers, body).await
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = client.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
        format!("{upstream}{path}"),
    );
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = request.body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut out = HeaderMap::new();
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            out.insert(
                axum::http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                axum::http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
    }
    (status, out, answer.bytes().await.unwrap()).into_response()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revert_throttled_past_the_lifetime_gives_up_then_and_recover_finishes_it() {
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &group).await;
    let proxy = throttling_proxy("RevokeSecurityGroupIngress").await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(
        dir.path(),
        "[[detector]]\nname = \"never\"\ntype = \"command\"\nargv = [\"true\"]\ninterval = \"1s\"\n",
    );
    let direct = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, direct.replace(&fixture::localstack().url, &proxy)).unwrap();
    let scenario = fixture::write_scenario(
        dir.path(),
        "throttled-revert",
        &group,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"never\"]\ndetect_within = \"1m\"",
    );

    let lifetime = Duration::from_secs(10);
    let started = Instant::now();
    let config_for_run = config.clone();
    let runs = dir.path().join("runs");
    let ran = tokio::task::spawn_blocking(move || {
        fixture::run_drills(
            &config_for_run,
            &[&scenario],
            &runs,
            &["--max-drift-lifetime", "10s"],
        )
    })
    .await
    .unwrap();
    let took = started.elapsed();

    assert_eq!(ran.code, Some(4), "{}", ran.text());
    let record = fixture::only_record(&dir.path().join("runs"));
    let drill = &record.drills[0];
    let revert = drill.revert.as_ref().expect("a revert was attempted");
    assert!(!revert.verified, "{revert:?}");
    let error = revert.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("RequestLimitExceeded") || error.contains("maximum drift lifetime"),
        "{error}"
    );
    // The revert gave up when the lifetime ran out, not minutes later (the first try gets at
    // least a couple of seconds; a little slack for a busy machine).
    let lived = (drill.reverted_at.unwrap() - drill.injected_at.unwrap())
        .to_std()
        .unwrap();
    assert!(
        lived <= lifetime + Duration::from_secs(3),
        "the drift lived {lived:?}, over the {lifetime:?} lifetime"
    );
    assert!(took < Duration::from_secs(60), "the run took {took:?}");

    // Straight to LocalStack: `recover` finishes the revert.
    std::fs::write(&config, direct).unwrap();
    let out = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(resources::full_state(&aws, &group).await, before);
}
