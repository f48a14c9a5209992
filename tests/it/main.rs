//! Integration tests against a real LocalStack and a real terraform. One test binary, so one
//! LocalStack per test process; every test uses unique resource names and can run in parallel.

mod account_settings;
mod api_calls;
mod build_graph;
mod catalogs;
mod colleague_edits;
mod crash_recover;
mod detector_health;
mod detectors;
mod discover;
mod environments;
mod examples;
mod fixture;
mod iam_safety;
mod injector_safety;
mod injectors;
mod lifetime;
mod lingering;
mod prerequisites;
mod recover_settles;
mod remediation;
mod report;
mod report_render;
mod run_concurrency;
mod run_e2e;
mod smoke;
mod stop_conditions;
mod suppressions;
mod terraform_env;
mod validate_corpus;
