//! The HTML report renders in a real browser: headless Chromium (Debian's `chromium`) opens the
//! file and takes a screenshot. Without Chromium the test fails loudly unless the user opts out
//! with DRIFTDRILL_SKIP_CHROMIUM=1.

use std::path::PathBuf;
use std::process::Command;

use chrono::{TimeZone, Utc};
use driftdrill::report::{self, Period, records};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var("DRIFTDRILL_SKIP_CHROMIUM").is_ok_and(|v| v == "1") {
            eprintln!("skipped: chromium is not installed and DRIFTDRILL_SKIP_CHROMIUM=1");
            return;
        }
        panic!(
            "chromium was not found: install Debian's chromium package, or set DRIFTDRILL_SKIP_CHROMIUM=1 to skip this test"
        );
    };
    let dirs = [PathBuf::from("tests/fixtures/runs")];
    let q4 = Period::parse_quarter("2026-Q4").unwrap();
    let built = report::build(
        &records::load(&dirs).unwrap(),
        &q4,
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
    )
    .with_settlements(records::settlements(&dirs).unwrap(), &q4);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    std::fs::write(&html, report::html::render(&built)).unwrap();
    let shot = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot:\n{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    // A blank page compresses to a few KB; the rendered tables and charts do not.
    assert!(
        png.len() > 30_000,
        "the screenshot looks empty ({} bytes)",
        png.len()
    );
    // What the browser built from the file: the report's own words, in the parsed page.
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for text in [
        "<h1>Drift detection coverage — 2026-Q4</h1>",
        "<h2>Detector health</h2>",
        "<h2>Suppressions (expected negatives)</h2>",
        "missed, 4 of 12 polls failed",
        "<td>alert channel</td>",
        "<strong>Unresolved drift</strong>",
        "<svg role=\"img\" aria-label=\"MTTD per detector\"",
    ] {
        assert!(
            dom.contains(text),
            "the rendered page lacks {text:?}:\n{dom}"
        );
    }
    if let Ok(keep) = std::env::var("DRIFTDRILL_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
