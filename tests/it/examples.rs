//! The shipped examples (`examples/`) are YAML their tools accept, and every driftdrill command
//! line in them is one the CLI accepts: a GitHub Actions workflow (shards, records in S3, a
//! merge job) and a Kubernetes CronJob (unannounced drills, recover first).

use std::collections::BTreeMap;

use clap::Parser;
use driftdrill::cli::Cli;
use serde::Deserialize;
use serde_yaml::Value;

fn load(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// Splits one shell command line into words (single and double quotes; nothing else is
/// expanded here), ending at the first operator (`>>`, `|`, `&&`, `;`).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quote, mut started) = (None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        out.push(word);
    }
    let end = out
        .iter()
        .position(|w| matches!(w.as_str(), ">>" | ">" | "|" | "&&" | "||" | ";"))
        .unwrap_or(out.len());
    out.truncate(end);
    out
}

/// GitHub expressions become sample values: the matrix's first entry, "x" for the rest.
fn expand_expressions(text: &str, matrix: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = expr
            .strip_prefix("matrix.")
            .and_then(|k| matrix.get(k))
            .cloned()
            .unwrap_or_else(|| "x".into());
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out + rest
}

fn expand_env(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in env {
        out = out
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    out
}

fn accepted(argv: &[String], origin: &str) {
    assert_eq!(argv[0], "driftdrill", "{origin}");
    if let Err(e) = Cli::try_parse_from(argv) {
        panic!("{origin}: the CLI rejects {argv:?}:\n{e}");
    }
}

#[test]
fn the_github_actions_example_runs_shards_merges_from_s3_and_fails_on_3_or_4() {
    let path = "examples/github-actions/drift-drills.yml";
    let docs = load(path);
    let [workflow] = docs.as_slice() else {
        panic!("{path}: one document")
    };
    let none = BTreeMap::new();
    let env: BTreeMap<String, String> = workflow["env"]
        .as_mapping()
        .expect("workflow env")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                expand_expressions(v.as_str().unwrap(), &none),
            )
        })
        .collect();
    let mut commands: Vec<Vec<String>> = Vec::new();
    let jobs = workflow["jobs"].as_mapping().expect("jobs");
    for (name, job) in jobs {
        let matrix: BTreeMap<String, String> = job["strategy"]["matrix"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let first = &v.as_sequence().expect("matrix list")[0];
                        let text = match first {
                            Value::Number(n) => n.to_string(),
                            other => other.as_str().unwrap().to_string(),
                        };
                        (k.as_str().unwrap().to_string(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        for step in job["steps"].as_sequence().expect("steps") {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            let script = script.replace("\\\n", " ");
            for line in script.lines() {
                let line = expand_env(&expand_expressions(line, &matrix), &env);
                let argv = words(&line);
                if argv.first().map(String::as_str) == Some("driftdrill") {
                    accepted(&argv, &format!("{path}: job {name:?}"));
                    commands.push(argv);
                }
            }
        }
    }
    let has = |sub: &str, flag: &str| {
        commands
            .iter()
            .any(|c| c[1] == sub && c.iter().any(|w| w == flag || w.starts_with(flag)))
    };
    assert!(has("run", "--shard"), "shards: {commands:?}");
    assert!(has("run", "s3://"), "records uploaded to S3: {commands:?}");
    assert!(has("report", "s3://"), "the merge reads S3: {commands:?}");
    assert!(
        has("report", "--exit-with-runs"),
        "the merge fails on 3 and 4: {commands:?}"
    );
    let summary = jobs
        .values()
        .flat_map(|j| j["steps"].as_sequence().unwrap())
        .filter_map(|s| s["run"].as_str())
        .any(|r| r.contains("--format markdown") && r.contains("$GITHUB_STEP_SUMMARY"));
    assert!(summary, "the Markdown report goes to the job summary");
    assert_eq!(
        jobs.get("report").expect("a merge job")["if"].as_str(),
        Some("always()"),
        "the merge job reports even when a shard missed"
    );
}

#[test]
fn the_kubernetes_example_is_a_cronjob_that_recovers_before_unannounced_drills() {
    let path = "examples/kubernetes/cronjob.yaml";
    let docs = load(path);
    let cron = docs
        .iter()
        .find(|d| d["kind"].as_str() == Some("CronJob"))
        .expect("a CronJob");
    assert_eq!(cron["apiVersion"].as_str(), Some("batch/v1"));
    assert_eq!(cron["spec"]["concurrencyPolicy"].as_str(), Some("Forbid"));
    let pod = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let mut seen = Vec::new();
    for key in ["initContainers", "containers"] {
        for c in pod[key].as_sequence().expect(key) {
            let mut argv: Vec<String> = c["command"]
                .as_sequence()
                .expect("command")
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            argv.extend(
                c["args"]
                    .as_sequence()
                    .expect("args")
                    .iter()
                    .map(|v| v.as_str().expect("args are strings").to_string()),
            );
            accepted(&argv, &format!("{path}: {key}"));
            seen.push(argv);
        }
    }
    assert_eq!(seen[0][1], "recover", "recover runs first: {seen:?}");
    let run = seen.iter().find(|a| a[1] == "run").expect("a run");
    assert!(run.iter().any(|w| w == "--pick") && run.iter().any(|w| w == "--start-within"));
    assert!(
        docs.iter()
            .any(|d| d["kind"].as_str() == Some("PersistentVolumeClaim")),
        "the journal needs a persistent volume"
    );
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        words("driftdrill report \"s3://b/p/\" --out - >> \"$GITHUB_STEP_SUMMARY\""),
        ["driftdrill", "report", "s3://b/p/", "--out", "-"]
    );
    assert_eq!(words("a 'b c' \"\""), ["a", "b c", ""]);
}
