//! Integration tests against a real LocalStack and a real terraform. One test binary, so one
//! LocalStack per test process; every test uses unique resource names and can run in parallel.

mod catalogs;
mod detectors;
mod fixture;
mod injector_safety;
mod injectors;
mod prerequisites;
mod smoke;
mod terraform_env;
mod validate_corpus;
