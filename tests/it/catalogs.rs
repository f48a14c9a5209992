//! Round trips for every parameter struct: each catalog example reads clean, survives JSON (the
//! journal and run-record form) unchanged, and builds; shipped scenarios survive JSON too.

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

#[test]
fn every_action_example_reads_round_trips_and_builds() {
    let ids: Vec<&str> = inject::CATALOG.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        [
            "ec2.sg.open_ingress",
            "ec2.sg.add_egress",
            "ec2.sg.remove_ingress",
            "ec2.tag.set",
            "ec2.tag.remove",
            "ec2.instance.change_type",
            "ec2.instance.termination_protection",
            "ec2.instance.allow_imdsv1",
            "ec2.instance.attach_security_group",
            "ec2.nacl.add_entry",
            "s3.versioning.suspend",
            "s3.public_access_block.relax",
            "s3.policy.public_read",
            "s3.encryption.change",
            "s3.tag.set",
            "s3.tag.remove",
            "s3.acl.public_read",
            "s3.lifecycle.remove",
            "s3.logging.disable",
            "s3.cors.add_rule",
            "iam.role.attach_policy",
            "iam.role.put_inline_policy",
            "iam.role.trust_add_principal",
            "iam.role.set_max_session_duration",
            "iam.user.attach_policy",
            "iam.policy.new_default_version",
        ],
        "the injector catalog (README and `driftdrill list` name these)"
    );
    for spec in inject::CATALOG {
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
    let mut ids: Vec<&str> = inject::CATALOG.iter().map(|s| s.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), inject::CATALOG.len());
}

#[test]
fn every_detector_example_reads_and_round_trips() {
    let ids: Vec<&str> = detect::CATALOG.iter().map(|s| s.id).collect();
    assert_eq!(ids, ["terraform", "command", "custodian", "webhook", "sqs"]);
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
            "ec2-emergency-resize",
            "ec2-extra-security-group",
            "ec2-imdsv1-reenabled",
            "ec2-managedby-removed",
            "ec2-termination-protection-toggled",
            "iam-admin-attached-to-role",
            "iam-admin-attached-to-user",
            "iam-inline-policy-widened",
            "iam-policy-new-version",
            "iam-session-duration-raised",
            "iam-trust-foreign-account",
            "nacl-allow-ssh",
            "s3-access-logging-off",
            "s3-cors-wildcard",
            "s3-encryption-removed",
            "s3-lifecycle-removed",
            "s3-managedby-removed",
            "s3-public-access-block-off",
            "s3-public-acl",
            "s3-public-policy",
            "s3-versioning-suspended",
            "sg-egress-opened",
            "sg-ignored-ingress-suppressed",
            "sg-managed-rule-deleted",
            "sg-open-postgres-world",
            "sg-open-rdp-world",
            "sg-open-ssh-ipv6",
            "sg-open-ssh-world",
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
    let drilled: Vec<&str> = ["drill_test!(", "drill(\n"]
        .iter()
        .flat_map(|call| injectors.split(call).skip(1))
        .filter_map(|call| call.split('"').nth(1))
        .collect();
    let untested: Vec<&str> = inject::CATALOG
        .iter()
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
    for spec in inject::CATALOG {
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
