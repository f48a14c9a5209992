//! Link settings for the `driftdrill` binary (nothing else is built here).

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    // Packed relative relocations (DT_RELR): the loader reads a few kilobytes of relocations at
    // start-up instead of megabytes, which would otherwise stay resident for the whole drill.
    // Used only when a test program linked with the flag runs here (binutils 2.38+ or lld 15+,
    // glibc 2.36+): an older C library cannot load such a binary.
    if packed_relocations_work() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

fn packed_relocations_work() -> bool {
    let var = |name| env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("TARGET") != var("HOST")
    {
        return false;
    }
    let dir = PathBuf::from(var("OUT_DIR"));
    let source = dir.join("relr_probe.c");
    let program = dir.join("relr_probe");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    quiet(
        Command::new(cc)
            .arg(&source)
            .arg("-o")
            .arg(&program)
            .arg("-Wl,-z,pack-relative-relocs"),
    ) && quiet(&mut Command::new(&program))
}
