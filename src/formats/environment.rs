//! `[[environment]]` entries of `driftdrill.toml`: the accounts and regions one run drills, each
//! reached through a role to assume (or a profile), and the name patterns scenarios and
//! detectors use to select them.

use serde::{Deserialize, Serialize};

use crate::diag::{Located, TableReader};

/// The name of the one environment a config without `[[environment]]` entries has: `[aws]`'s
/// credentials and region.
pub(crate) const IMPLICIT: &str = "default";

/// One account (and its regions) the run drills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentDecl {
    pub name: Located<String>,
    /// The role to assume (session name `driftdrill-<run id>`); `None`: the base credentials
    /// (`[aws]`, or `profile`).
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub profile: Option<String>,
    /// Every region drilled in this environment; the first also serves global resources (IAM).
    pub regions: Vec<Located<String>>,
}

impl EnvironmentDecl {
    pub(crate) fn region_names(&self) -> impl Iterator<Item = &str> {
        self.regions.iter().map(|r| r.value.as_str())
    }
}

/// Whether an environment name matches a pattern: `*` stands for any run of characters.
pub fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Whether any pattern selects the name; no patterns select everything.
pub fn selected(patterns: &[Located<String>], name: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| matches(&p.value, name))
}

/// Reads one `[[environment]]` table. `default_region` is `[aws].region`, used when the entry
/// names no regions.
pub fn read(r: &mut TableReader, default_region: Option<&str>) -> Option<EnvironmentDecl> {
    let name = r.string("name");
    let role_arn = r.opt_string("role_arn");
    let external_id = r.opt_string("external_id");
    let profile = r.opt_string("profile");
    let regions = r.opt_strings("regions");
    let mut ok = name
        .as_ref()
        .is_none_or(|n| super::names::check_name(r, n, "environment"));
    ok &= check_credentials(r, role_arn.as_ref(), external_id.as_ref(), profile.as_ref());
    let name_text = name.as_ref().map_or("", |n| n.value.as_str());
    let regions = read_regions(r, regions, default_region, name_text, &mut ok)?;
    if !ok {
        return None;
    }
    Some(EnvironmentDecl {
        name: name?,
        role_arn: role_arn.map(|a| a.value),
        external_id: external_id.map(|x| x.value),
        profile: profile.map(|p| p.value),
        regions,
    })
}

/// `role_arn` is a role ARN; a role and a profile are not both given; `external_id` only with
/// a role.
fn check_credentials(
    r: &TableReader,
    role_arn: Option<&Located<String>>,
    external_id: Option<&Located<String>>,
    profile: Option<&Located<String>>,
) -> bool {
    let mut ok = true;
    if let Some(arn) = role_arn
        && role_account(&arn.value).is_none()
    {
        r.report(
            arn.diag(
                "invalid-value",
                format!("role_arn {:?} is not an IAM role ARN", arn.value),
            )
            .with_hint("e.g. \"arn:aws:iam::111111111111:role/driftdrill\""),
        );
        ok = false;
    }
    if let (Some(_), Some(p)) = (role_arn, profile) {
        r.report(
            p.diag(
                "ambiguous-credentials",
                "an environment gives both role_arn and profile: use one",
            )
            .with_hint(
                "a profile can itself assume a role (role_arn/source_profile in ~/.aws/config)",
            ),
        );
        ok = false;
    }
    if let (None, Some(x)) = (role_arn, external_id) {
        r.report(x.diag(
            "external-id-without-role",
            "external_id is only sent when assuming role_arn",
        ));
        ok = false;
    }
    ok
}

/// The environment's regions: the list given (each checked; `ok` cleared on a bad one), or the
/// `[aws]` region; `None` (reported) when the list is empty or there is neither.
fn read_regions(
    r: &TableReader,
    regions: Option<Vec<Located<String>>>,
    default_region: Option<&str>,
    name: &str,
    ok: &mut bool,
) -> Option<Vec<Located<String>>> {
    match regions {
        Some(list) if list.is_empty() => {
            r.error(
                r.value_span("regions").unwrap_or_default(),
                "empty-regions",
                "regions is empty: nothing could be drilled in this environment",
                None,
            );
            None
        }
        Some(list) => {
            for g in &list {
                *ok &= super::names::check_region(r, g.clone()).is_some();
            }
            Some(list)
        }
        None => match default_region {
            Some(region) => Some(vec![Located::new(region.to_string(), r.file(), r.span())]),
            None => {
                r.error(
                    r.span(),
                    "missing-regions",
                    format!("environment {name:?} names no regions and [aws] has no region"),
                    Some("add `regions = [\"us-east-1\"]`".into()),
                );
                None
            }
        },
    }
}

/// The account id inside an IAM role ARN (`arn:<partition>:iam::<account>:role/<path/name>`).
pub(crate) fn role_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let ok = arn_ == "arn"
        && partition.starts_with("aws")
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty());
    ok.then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_names_with_stars_anywhere() {
        assert!(matches("sandbox-*", "sandbox-a"));
        assert!(matches("sandbox-*", "sandbox-"));
        assert!(!matches("sandbox-*", "prod-sandbox-a"));
        assert!(matches("*-eu", "team-eu"));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(!matches("a*b*c", "aXbY"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
        assert!(matches("*", "anything"));
        assert!(!matches("ab*ba", "aba"));
    }

    #[test]
    fn role_arns_name_their_account() {
        assert_eq!(
            role_account("arn:aws:iam::111111111111:role/drill"),
            Some("111111111111")
        );
        assert_eq!(
            role_account("arn:aws-us-gov:iam::222222222222:role/path/drill"),
            Some("222222222222")
        );
        assert_eq!(role_account("arn:aws:iam::11111111111:role/drill"), None);
        assert_eq!(role_account("arn:aws:iam::111111111111:user/drill"), None);
        assert_eq!(role_account("arn:aws:s3:::bucket"), None);
    }
}
