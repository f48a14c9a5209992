//! The catalog checks itself: the README's catalog block matches it, each service owns its
//! types and actions, every parameter struct round-trips (each example reads clean, survives
//! JSON, the journal and run-record form, unchanged, and builds), every entry has a LocalStack
//! round trip; shipped scenarios survive JSON too.

use driftdrill::diag::{FileId, Sink, TableReader};
use driftdrill::{detect, formats, inject};

fn read_example(
    body: &str,
    read: fn(&mut TableReader) -> Option<serde_json::Value>,
    extra: &[&str],
) -> serde_json::Value {
    let doc = toml::de::DeTable::parse(body).expect("example is TOML");
    let sink = Sink::default();
    let mut r = TableReader::new(&sink, FileId(0), doc.get_ref(), doc.span(), "[example]");
    for key in extra {
        r.has(key);
    }
    let value = read(&mut r);
    r.finish();
    let problems = sink.into_inner();
    assert!(
        problems.is_empty(),
        "example {body:?} has problems: {problems:?}"
    );
    value.expect("example reads")
}

/// The README's catalog block is what `driftdrill list --format markdown` prints from the
/// catalog, so the docs never name an action or target type the code lacks, or miss one.
#[test]
fn the_readme_catalog_block_matches_the_catalog() {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("<!-- catalog -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /catalog -->").next())
        .expect("README.md has a <!-- catalog --> ... <!-- /catalog --> block");
    assert_eq!(
        block,
        driftdrill::commands::list::catalog_markdown(),
        "README.md's catalog block is stale: paste `driftdrill list --format markdown` into it"
    );
}

/// Every service declares at least one target type and one action, each action targets only
/// types its own service declares, and no two services declare the same type.
#[test]
fn every_service_owns_its_types_and_actions() {
    let mut seen = Vec::new();
    for service in inject::SERVICES {
        assert!(
            !service.kinds.is_empty(),
            "{} declares no type",
            service.name
        );
        assert!(
            !service.actions.is_empty(),
            "{} has no action",
            service.name
        );
        for kind in service.kinds {
            assert!(
                !seen.contains(&kind.kind),
                "{} is declared twice",
                kind.kind
            );
            seen.push(kind.kind);
            assert!(
                !(service.lookup_actions)(kind.kind).is_empty(),
                "{}: finding a {} needs no IAM action?",
                service.name,
                kind.kind
            );
        }
        for action in service.actions {
            assert!(
                action.id.starts_with(&format!("{}.", service.name)),
                "{} is listed under {}",
                action.id,
                service.name
            );
            for t in action.targets {
                assert!(
                    service.kind(*t).is_some(),
                    "{} targets {t}, which {} does not declare",
                    action.id,
                    service.name
                );
            }
        }
    }
}

#[test]
fn every_action_example_reads_round_trips_and_builds() {
    for spec in inject::actions() {
        let body = format!("action = \"{}\"\n{}", spec.id, spec.example);
        let params = read_example(&body, spec.read, &["action"]);
        let again = (spec.roundtrip)(&params).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        assert_eq!(
            again, params,
            "{} parameters changed in a JSON round trip",
            spec.id
        );
        assert!(
            (spec.build)(&params).is_ok(),
            "{} does not build from its parameters",
            spec.id
        );
        assert!(
            spec.params.iter().all(|p| !p.doc.is_empty()),
            "{} has an undocumented parameter",
            spec.id
        );
    }
}

#[test]
fn action_ids_are_unique() {
    let mut ids: Vec<&str> = inject::actions().map(|s| s.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), inject::actions().count());
}

#[test]
fn every_detector_example_reads_and_round_trips() {
    for spec in detect::CATALOG {
        let settings = read_example(spec.example, spec.read, &[]);
        let again = (spec.roundtrip)(&settings).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        assert_eq!(
            again, settings,
            "{} settings changed in a JSON round trip",
            spec.id
        );
    }
}

#[test]
fn shipped_scenarios_and_config_round_trip_through_json() {
    let loaded = formats::load(
        Some(std::path::Path::new("scenarios/driftdrill.toml")),
        &["scenarios".into()],
        &driftdrill::catalogs::all(),
    )
    .unwrap();
    assert!(loaded.is_valid());
    let mut ids: Vec<&str> = loaded
        .scenarios
        .iter()
        .map(|s| s.id.value.as_str())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "cloudwatch-alarm-actions-disabled",
            "ebs-encryption-by-default-off",
            "ec2-emergency-resize",
            "ec2-extra-security-group",
            "ec2-imdsv1-reenabled",
            "ec2-managedby-removed",
            "ec2-source-dest-check-disabled",
            "ec2-subnet-public-ip-on-launch",
            "ec2-termination-protection-toggled",
            "ec2-vpc-dns-support-disabled",
            "iam-admin-attached-to-role",
            "iam-admin-attached-to-user",
            "iam-inline-policy-widened",
            "iam-password-policy-removed",
            "iam-password-policy-weakened",
            "iam-policy-new-version",
            "iam-role-boundary-removed",
            "iam-session-duration-raised",
            "iam-trust-foreign-account",
            "iam-user-inline-policy-added",
            "logs-group-retention-cut",
            "logs-metric-filter-removed",
            "nacl-allow-ssh",
            "nacl-ssh-deny-removed",
            "s3-access-logging-off",
            "s3-cors-wildcard",
            "s3-encryption-removed",
            "s3-lifecycle-removed",
            "s3-managedby-removed",
            "s3-ownership-acls-enabled",
            "s3-public-access-block-off",
            "s3-public-acl",
            "s3-public-policy",
            "s3-versioning-self-healing",
            "s3-versioning-suspended",
            "sg-egress-opened",
            "sg-ignored-ingress-suppressed",
            "sg-managed-rule-deleted",
            "sg-open-postgres-world",
            "sg-open-rdp-world",
            "sg-open-ssh-ipv6",
            "sg-open-ssh-world",
            "sg-ssh-self-healing",
            "sns-topic-encryption-removed",
            "sns-topic-policy-open",
            "sqs-queue-dead-letter-removed",
            "sqs-queue-encryption-removed",
            "sqs-queue-policy-open",
            "sqs-queue-retention-cut",
            "ssm-parameter-value-edited",
        ],
        "the built-in scenarios (the README and the demo count them)"
    );
    for s in &loaded.scenarios {
        let json = serde_json::to_string(s).unwrap();
        let back: formats::Scenario = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, s, "{} changed in a JSON round trip", s.id.value);
    }
    let config = loaded.config.unwrap();
    let back: formats::DrillConfig =
        serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(back, config);
}

/// Every action and detector type must have a LocalStack round-trip test: an action a
/// `drill_test!` or `drill(..)` round trip in injectors.rs (inject, verify, revert, verify, read
/// back with the plain SDK),
/// a detector type a test named after it in detectors.rs. A new catalog entry without one
/// fails here.
#[test]
fn every_catalog_entry_has_a_localstack_round_trip_test() {
    let injectors = include_str!("injectors.rs");
    // The action is the first string of each `drill_test!(` and `drill(` call.
    let drilled: Vec<&str> = ["drill_test!(", "drill(\n", "drill(&aws, "]
        .iter()
        .flat_map(|call| injectors.split(call).skip(1))
        .filter_map(|call| call.split('"').nth(1))
        .collect();
    let untested: Vec<&str> = inject::actions()
        .map(|s| s.id)
        .filter(|id| !drilled.contains(id))
        .collect();
    assert!(
        untested.is_empty(),
        "actions without a round trip in tests/it/injectors.rs: {untested:?}"
    );

    let detectors = include_str!("detectors.rs");
    let untested: Vec<&str> = detect::CATALOG
        .iter()
        .map(|s| s.id)
        .filter(|id| {
            !detectors
                .split("#[tokio::test]")
                .skip(1)
                .any(|t| t.trim_start().starts_with(&format!("async fn {id}_")))
        })
        .collect();
    assert!(
        untested.is_empty(),
        "detector types without a LocalStack test in tests/it/detectors.rs: {untested:?}"
    );
}

/// The keys a reader accepts, as its "unknown key" hint lists them for a key nothing resembles.
fn accepted_keys(
    example: &str,
    read: fn(&mut TableReader) -> Option<serde_json::Value>,
    extra: &[&str],
) -> Vec<String> {
    let body = format!("{example}\nqqqqqqqq = 1\n");
    let doc = toml::de::DeTable::parse(&body).expect("example is TOML");
    let sink = Sink::default();
    let mut r = TableReader::new(&sink, FileId(0), doc.get_ref(), doc.span(), "[example]");
    for key in extra {
        r.has(key);
    }
    let _ = read(&mut r);
    r.finish();
    let problems = sink.into_inner();
    let hint = problems
        .iter()
        .find(|d| d.code == "unknown-key")
        .and_then(|d| d.hint.clone())
        .unwrap_or_default();
    let mut keys: Vec<String> = hint
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|k| !extra.contains(k))
        .map(String::from)
        .collect();
    keys.sort();
    keys
}

/// Each parameter is declared in three places (the catalog's ParamSpec list, the reader, the
/// serde struct); the reader must accept exactly the declared keys and the struct store none
/// that is undeclared, or `list`, `validate` and the journal disagree.
#[test]
fn param_specs_readers_and_structs_name_the_same_keys() {
    fn check(
        what: &str,
        specs: &[driftdrill::vocab::ParamSpec],
        reader: Vec<String>,
        stored: Option<Vec<String>>,
    ) {
        let mut declared: Vec<String> = specs.iter().map(|p| p.name.to_string()).collect();
        declared.sort();
        assert_eq!(
            reader, declared,
            "{what}: the reader and the ParamSpec list differ"
        );
        // The struct may store a normalised form (`port` becomes `from_port`/`to_port`), but
        // nothing it stores may be undeclared.
        for key in stored.unwrap_or_default() {
            assert!(
                declared.contains(&key),
                "{what}: the stored struct has `{key}`, which no ParamSpec declares"
            );
        }
    }
    fn struct_keys(
        json: &serde_json::Value,
        roundtrip: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
        specs: &[driftdrill::vocab::ParamSpec],
    ) -> Option<Vec<String>> {
        let again = roundtrip(json).ok()?;
        let declared = |k: &str| specs.iter().any(|p| p.name == k);
        // An undeclared key holding an object (a normalised group such as
        // `set = { block_public_acls, .. }`) counts by the keys inside it.
        let mut keys: Vec<String> = again
            .as_object()?
            .iter()
            .flat_map(|(k, v)| match v.as_object() {
                Some(group) if !declared(k) && !group.is_empty() => {
                    group.keys().cloned().collect::<Vec<_>>()
                }
                None if !declared(k) && v.is_null() => Vec::new(), // an empty group
                _ => vec![k.clone()],
            })
            .collect();
        keys.sort();
        Some(keys)
    }
    for spec in inject::actions() {
        let body = format!("action = \"{}\"\n{}", spec.id, spec.example);
        let params = read_example(&body, spec.read, &["action"]);
        check(
            spec.id,
            spec.params,
            accepted_keys(&body, spec.read, &["action"]),
            struct_keys(&params, spec.roundtrip, spec.params),
        );
    }
    for spec in detect::CATALOG {
        let settings = read_example(spec.example, spec.read, &[]);
        check(
            spec.id,
            spec.params,
            accepted_keys(spec.example, spec.read, &[]),
            struct_keys(&settings, spec.roundtrip, spec.params),
        );
    }
}
