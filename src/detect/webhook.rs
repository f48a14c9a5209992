//! `webhook` channel: an HTTP listener (loopback by default) that the team's alerting posts to;
//! payloads are matched to drills by format, optionally HMAC-verified.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use super::payload::{self, FORMATS, NotAlert};
use super::{
    BuildCx, Built, DetectorError, DetectorSpec, Observation, Push, PushHandle, Role, signature,
};
use crate::diag::{Located, TableReader};
use crate::vocab::ParamSpec;

pub(crate) static SPEC: DetectorSpec = DetectorSpec {
    id: "webhook",
    role: Role::Channel,
    summary: "HTTP listener for alerts (Slack, PagerDuty, Alertmanager, Spacelift, HCP Terraform, env0, generic JSON)",
    params: &[
        ParamSpec::optional(
            "listen",
            "host:port",
            "address to listen on (default 127.0.0.1:9811)",
        ),
        ParamSpec::optional(
            "allow_remote",
            "true | false",
            "required to listen on a non-loopback address",
        ),
        ParamSpec::optional(
            "path",
            "string",
            "URL path alerts are posted to (default /driftdrill)",
        ),
        ParamSpec::optional(
            "format",
            payload::FORMAT_KIND,
            "payload format (default generic)",
        ),
        ParamSpec::optional(
            "json_paths",
            "array of dotted paths",
            "generic: where to look for resource ids (default: the whole body)",
        ),
        ParamSpec::optional(
            "signature",
            "\"none\" | \"spacelift\" | \"hcp\"",
            "HMAC signature scheme (default none)",
        ),
        ParamSpec::optional(
            "secret_env",
            "string",
            "environment variable holding the HMAC secret",
        ),
        ParamSpec::optional(
            "max_body",
            "integer bytes",
            "largest accepted body (default 1048576)",
        ),
    ],
    example: "listen = \"127.0.0.1:9811\"\npath = \"/hooks/drift\"\nformat = \"slack\"\n",
    read: |r| crate::vocab::param::to_json(read(r)),
    roundtrip: crate::vocab::param::roundtrip::<Settings>,
    build,
    paths: super::no_paths,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub listen: SocketAddr,
    pub path: String,
    pub format: payload::Format,
    pub json_paths: Vec<String>,
    pub signature: String,
    pub secret_env: Option<String>,
    pub max_body: usize,
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let listen = r.opt_string("listen");
    let allow_remote = r.opt_bool("allow_remote").is_some_and(|b| b.value);
    let path = r.opt_string("path");
    let format = r
        .choice("format", FORMATS, false)
        .map_or(payload::Format::Generic, |f| {
            payload::Format::from_id(&f.value).expect("choice checked the format")
        });
    let json_paths = r
        .opt_strings("json_paths")
        .map(|v| v.into_iter().map(|p| p.value).collect())
        .unwrap_or_default();
    let signature = r
        .choice("signature", &["none", "spacelift", "hcp"], false)
        .map_or_else(|| "none".to_string(), |s| s.value);
    let secret_env = r.opt_string("secret_env").map(|s| s.value);
    let max_body = r
        .opt_integer("max_body", 1..(256 << 20))
        .map_or(1 << 20, |m| m.value as usize);
    let addr = read_listen(r, listen.as_ref(), allow_remote);
    let path = read_path(r, path);
    if !signature_has_secret(r, &signature, secret_env.is_some()) {
        return None;
    }
    Some(Settings {
        listen: addr?,
        path: path?,
        format,
        json_paths,
        signature,
        secret_env,
        max_body,
    })
}

/// The address to listen on: loopback unless `allow_remote` (default 127.0.0.1:9811).
fn read_listen(
    r: &TableReader,
    listen: Option<&Located<String>>,
    allow_remote: bool,
) -> Option<SocketAddr> {
    let Some(l) = listen else {
        return Some(SocketAddr::from(([127, 0, 0, 1], 9811)));
    };
    match l.value.parse::<SocketAddr>() {
        Ok(a) if a.ip().is_loopback() || allow_remote => Some(a),
        Ok(_) => {
            r.report(
                l.diag(
                    "non-loopback",
                    format!("listen {:?} is not a loopback address", l.value),
                )
                .with_hint("set allow_remote = true to listen beyond this machine"),
            );
            None
        }
        Err(_) => {
            r.report(
                l.diag(
                    "invalid-value",
                    format!("listen {:?} is not host:port", l.value),
                )
                .with_hint("e.g. \"127.0.0.1:9811\""),
            );
            None
        }
    }
}

/// The URL path alerts are posted to (default `/driftdrill`).
fn read_path(r: &TableReader, path: Option<Located<String>>) -> Option<String> {
    match path {
        None => Some("/driftdrill".to_string()),
        Some(p) if p.value.starts_with('/') => Some(p.value),
        Some(p) => {
            r.report(p.diag(
                "invalid-value",
                format!("path {:?} must start with /", p.value),
            ));
            None
        }
    }
}

/// A signature scheme needs `secret_env`, and `secret_env` needs a scheme.
fn signature_has_secret(r: &TableReader, signature: &str, has_secret: bool) -> bool {
    let problem = match (signature, has_secret) {
        ("none", true) => {
            "secret_env is set but signature is \"none\": choose \"spacelift\" or \"hcp\""
                .to_string()
        }
        ("none", false) | (_, true) => return true,
        (_, false) => format!(
            "signature {signature:?} needs `secret_env` naming the variable with the secret"
        ),
    };
    let code = if has_secret {
        "conflicting-keys"
    } else {
        "missing-key"
    };
    r.error(r.span(), code, problem, None);
    false
}

/// The channel: an axum listener that turns every accepted alert into an observation.
pub(crate) struct Webhook {
    name: String,
    settings: Settings,
    secret: Option<Vec<u8>>,
}

fn build(value: &serde_json::Value, cx: &BuildCx) -> Result<Built, DetectorError> {
    let settings: Settings = super::settings(value, cx)?;
    let secret = match &settings.secret_env {
        Some(var) => Some(
            std::env::var(var)
                .map_err(|e| {
                    DetectorError::failed(cx.name, format!("read the signing secret from {var}"))
                        .caused_by(e)
                })?
                .into_bytes(),
        ),
        None => None,
    };
    Ok(Built::Push(Box::new(Webhook {
        name: cx.name.to_string(),
        settings,
        secret,
    })))
}

struct Shared {
    name: String,
    settings: Settings,
    secret: Option<Vec<u8>>,
    tx: mpsc::UnboundedSender<Observation>,
}

#[async_trait::async_trait]
impl Push for Webhook {
    async fn start(
        self: Box<Self>,
        tx: mpsc::UnboundedSender<Observation>,
    ) -> Result<PushHandle, DetectorError> {
        let start_err = |e: std::io::Error| DetectorError::Start {
            name: self.name.clone(),
            source: Box::new(e),
        };
        let listener = tokio::net::TcpListener::bind(self.settings.listen)
            .await
            .map_err(start_err)?;
        let addr = listener.local_addr().map_err(start_err)?;
        let path = self.settings.path.clone();
        let max_body = self.settings.max_body;
        let shared = Arc::new(Shared {
            name: self.name,
            settings: self.settings,
            secret: self.secret,
            tx,
        });
        let app = Router::new()
            .route(&path, post(receive))
            .layer(DefaultBodyLimit::max(max_body))
            .with_state(shared);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::error!(error = %e, "webhook listener stopped");
            }
        });
        Ok(PushHandle {
            address: format!("http://{addr}{path}"),
            listening: Some(addr),
            stop,
        })
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    // The receive time is taken before any work on the request.
    let received = (chrono::Utc::now(), std::time::Instant::now());
    let s = &shared.settings;
    if let (Some(secret), Some(header)) = (&shared.secret, signature::header(&s.signature)) {
        let given = headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !signature::verify(&s.signature, secret, &body, given) {
            tracing::warn!(channel = %shared.name, "rejected an alert with a missing or wrong {header} signature");
            return (
                StatusCode::UNAUTHORIZED,
                "missing or invalid signature\n".into(),
            );
        }
    }
    let json = match payload::decode(s.format, &String::from_utf8_lossy(&body)) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(channel = %shared.name, error = %e, "rejected a body that is not JSON");
            return (StatusCode::BAD_REQUEST, format!("body is not JSON: {e}\n"));
        }
    };
    match payload::parse(s.format, &s.json_paths, &json) {
        Ok(alert) => {
            let evidence: String = String::from_utf8_lossy(&body).chars().take(2000).collect();
            let obs = Observation {
                at: received.0,
                seen: Some(received.1),
                resources: Vec::new(),
                text: alert.texts.join("\n"),
                evidence,
                acted: None,
            };
            if shared.tx.send(obs).is_err() {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "driftdrill is not observing\n".into(),
                );
            }
            (StatusCode::ACCEPTED, "accepted\n".into())
        }
        Err(NotAlert::Ignored(why)) => {
            tracing::info!(channel = %shared.name, "ignored a payload: {why}");
            (StatusCode::ACCEPTED, format!("ignored: {why}\n"))
        }
        Err(NotAlert::Malformed(why)) => {
            tracing::warn!(channel = %shared.name, "rejected a malformed {} payload: {why}", s.format);
            (
                StatusCode::BAD_REQUEST,
                format!("not a {} payload: {why}\n", s.format),
            )
        }
    }
}
