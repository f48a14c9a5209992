//! `webhook` channel: an HTTP listener (loopback by default) that the team's alerting posts to;
//! payloads are matched to drills by format, optionally HMAC-verified.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::payload::FORMATS;
use super::{DetectorSpec, Role};
use crate::diag::TableReader;
use crate::formats::ParamSpec;

pub static SPEC: DetectorSpec = DetectorSpec {
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
            "\"generic\" | \"slack\" | \"pagerduty\" | \"alertmanager\" | \"spacelift\" | \"hcp-terraform\" | \"env0\"",
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
    read: |r| crate::inject::params::to_json(read(r)),
    roundtrip: crate::inject::params::roundtrip::<Settings>,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub listen: SocketAddr,
    pub path: String,
    pub format: String,
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
        .map_or_else(|| "generic".to_string(), |f| f.value);
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
    let addr = match &listen {
        None => Some(SocketAddr::from(([127, 0, 0, 1], 9811))),
        Some(l) => match l.value.parse::<SocketAddr>() {
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
        },
    };
    let path = match path {
        None => Some("/driftdrill".to_string()),
        Some(p) if p.value.starts_with('/') => Some(p.value),
        Some(p) => {
            r.report(p.diag(
                "invalid-value",
                format!("path {:?} must start with /", p.value),
            ));
            None
        }
    };
    if signature != "none" && secret_env.is_none() {
        r.error(
            r.span(),
            "missing-key",
            format!(
                "signature {signature:?} needs `secret_env` naming the variable with the secret"
            ),
            None,
        );
        return None;
    }
    if signature == "none" && secret_env.is_some() {
        r.error(
            r.span(),
            "conflicting-keys",
            "secret_env is set but signature is \"none\": choose \"spacelift\" or \"hcp\"",
            None,
        );
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
