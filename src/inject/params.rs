//! Parameter pieces several actions share: protocol/port ranges and CIDR blocks.

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::vocab::ParamSpec;
use crate::vocab::param::to_json;

/// A network rule as scenario files write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RuleParams {
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidr: String,
}

impl RuleParams {
    pub(crate) fn is_ipv6(&self) -> bool {
        self.cidr.contains(':')
    }

    /// The protocol as the EC2 API spells it (`-1` for all).
    pub(crate) fn api_protocol(&self) -> &str {
        if self.protocol == "all" {
            "-1"
        } else {
            &self.protocol
        }
    }

    /// `tcp/22 from 0.0.0.0/0`, for logs and reports.
    pub fn describe(&self) -> String {
        match (self.from_port, self.to_port) {
            (Some(a), Some(b)) if a == b => format!("{}/{a} {}", self.protocol, self.cidr),
            (Some(a), Some(b)) => format!("{}/{a}-{b} {}", self.protocol, self.cidr),
            _ => format!("{} {}", self.protocol, self.cidr),
        }
    }
}

pub(crate) const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "all"];

/// The parameters of every rule-shaped action, for `driftdrill list`.
pub(crate) const RULE_PARAMS: &[ParamSpec] = &[
    ParamSpec::required(
        "protocol",
        "\"tcp\" | \"udp\" | \"icmp\" | \"all\"",
        "IP protocol",
    ),
    ParamSpec::optional(
        "port",
        "integer 0-65535",
        "a single port (or use from_port and to_port)",
    ),
    ParamSpec::optional(
        "from_port",
        "integer -1-65535",
        "first port of a range (ICMP: type)",
    ),
    ParamSpec::optional(
        "to_port",
        "integer -1-65535",
        "last port of a range (ICMP: code)",
    ),
    ParamSpec::required(
        "cidr",
        "IPv4 or IPv6 CIDR",
        "source (ingress) or destination (egress) block",
    ),
];

/// Reads `protocol`, `port` or `from_port`/`to_port`, and `cidr`.
pub(crate) fn read_rule(r: &mut TableReader) -> Option<RuleParams> {
    let protocol = r.choice("protocol", PROTOCOLS, true);
    let port = r.opt_integer("port", 0..65536);
    let from = r.opt_integer("from_port", -1..65536);
    let to = r.opt_integer("to_port", -1..65536);
    let cidr = read_cidr(r, "cidr", true);
    let protocol = protocol?;
    let (from_port, to_port) = match (port, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            r.error(
                r.span(),
                "conflicting-keys",
                "give either `port` or `from_port`/`to_port`, not both",
                None,
            );
            return None;
        }
        (Some(p), None, None) => (Some(p.value as i32), Some(p.value as i32)),
        (None, Some(a), Some(b)) if a.value > b.value => {
            let span = a.at.clone().map(|x| x.1).unwrap_or_default();
            r.error(
                span,
                "invalid-range",
                format!("`from_port` {} is above `to_port` {}", a.value, b.value),
                None,
            );
            return None;
        }
        (None, Some(a), Some(b)) => (Some(a.value as i32), Some(b.value as i32)),
        (None, Some(_), None) | (None, None, Some(_)) => {
            r.error(
                r.span(),
                "missing-key",
                "give both `from_port` and `to_port`",
                None,
            );
            return None;
        }
        (None, None, None) if protocol.value == "all" => (None, None),
        (None, None, None) => {
            r.error(
                r.span(),
                "missing-key",
                format!(
                    "{} needs `port` (or `from_port` and `to_port`) for protocol {}",
                    r.name(),
                    protocol.value
                ),
                Some("add `port = 22`".into()),
            );
            return None;
        }
    };
    if protocol.value == "all" && from_port.is_some() {
        r.error(
            r.span(),
            "conflicting-keys",
            "protocol \"all\" covers every port: remove the port keys",
            None,
        );
        return None;
    }
    Some(RuleParams {
        protocol: protocol.value,
        from_port,
        to_port,
        cidr: cidr?,
    })
}

/// Reads a CIDR block (IPv4 or IPv6) in canonical form.
pub(crate) fn read_cidr(r: &mut TableReader, key: &'static str, required: bool) -> Option<String> {
    let value = if required {
        r.string(key)?
    } else {
        r.opt_string(key)?
    };
    match check_cidr(&value) {
        Ok(()) => Some(value.value),
        Err((problem, hint)) => {
            let span = value.at.clone().map(|a| a.1).unwrap_or_default();
            r.error(
                span,
                "invalid-cidr",
                format!("`{key}` {:?} {problem}", value.value),
                hint,
            );
            None
        }
    }
}

/// Checks `addr/len`: a valid address, a prefix length that fits, and no host bits set.
pub(crate) fn check_cidr(text: &str) -> Result<(), (String, Option<String>)> {
    let Some((addr, len)) = text.split_once('/') else {
        return Err((
            "is not a CIDR block".into(),
            Some("write it as address/prefix, e.g. \"0.0.0.0/0\"".into()),
        ));
    };
    let addr: std::net::IpAddr = addr
        .parse()
        .map_err(|_| (format!("has an invalid address {addr:?}"), None))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len: u32 = match len.parse() {
        Ok(l) if l <= max => l,
        _ => {
            return Err((
                format!("has an invalid prefix length {len:?} (0-{max})"),
                None,
            ));
        }
    };
    let bits: u128 = match addr {
        std::net::IpAddr::V4(a) => u128::from(u32::from(a)) << 96,
        std::net::IpAddr::V6(a) => u128::from(a),
    };
    let host_mask = if len == 0 {
        u128::MAX
    } else {
        u128::MAX >> len
    };
    let host_mask = if addr.is_ipv4() {
        host_mask & (u128::MAX << 96)
    } else {
        host_mask
    };
    if bits & host_mask != 0 {
        let network = bits & !host_mask;
        let canonical = match addr {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::from((network >> 96) as u32).to_string(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::from(network).to_string(),
        };
        return Err((
            "has host bits set".into(),
            Some(format!("did you mean \"{canonical}/{len}\"?")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_are_checked() {
        for ok in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "::/0",
            "2001:db8::/32",
            "192.168.1.7/32",
        ] {
            assert!(check_cidr(ok).is_ok(), "{ok}");
        }
        assert!(check_cidr("10.0.0.0/33").is_err());
        assert!(check_cidr("300.0.0.0/8").is_err());
        assert!(check_cidr("10.0.0.0").is_err());
        let (_, hint) = check_cidr("10.1.2.3/16").unwrap_err();
        assert_eq!(hint.as_deref(), Some("did you mean \"10.1.0.0/16\"?"));
    }
}

/// For actions without parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NoParams {}

pub(crate) fn read_none(_: &mut TableReader) -> Option<serde_json::Value> {
    to_json(Some(NoParams {}))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TagParams {
    pub key: String,
    /// The value to set; `None` removes the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Reads `key` (and `value` when `with_value`), refusing keys AWS reserves.
pub(crate) fn read_tag_params(r: &mut TableReader, with_value: bool) -> Option<TagParams> {
    let key = r.string("key");
    let value = if with_value {
        r.string("value").map(|v| v.value)
    } else {
        None
    };
    let key = key?;
    if key.value.to_ascii_lowercase().starts_with("aws:")
        || key.value.is_empty()
        || key.value.len() > 128
    {
        let span = key.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "invalid-value",
            format!(
                "tag key {:?} cannot be changed (empty, too long, or reserved aws: prefix)",
                key.value
            ),
            None,
        );
        return None;
    }
    if with_value && value.is_none() {
        return None;
    }
    Some(TagParams {
        key: key.value,
        value,
    })
}
