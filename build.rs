//! Link settings for the `driftdrill` binary, and the list of built-in scenario files the demo
//! carries inside the binary (so it runs from any folder).

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
    hot_code_first();
    builtin_scenarios();
}

/// For the size-optimised `dist` profile (the only one at `opt-level = "z"`): the functions a
/// drill runs (`link/hot-symbols.txt`, written by `benches/hot-symbols.sh`) are laid out
/// together at the start of the machine code. The kernel maps a program's code in 64 KiB runs
/// around each page it touches, so with the hot functions scattered among cold ones most of the
/// binary's code became resident; packed together, a drill keeps a third of it. A symbol the
/// list names that the binary lacks (code changed since the list was written) is skipped.
/// Used only when rustc's linker takes the option (lld does; GNU ld does not).
fn hot_code_first() {
    let list = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir"))
        .join("link")
        .join("hot-symbols.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    if env::var("OPT_LEVEL").as_deref() != Ok("z") || !list.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", list.display()),
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ];
    if linker_takes(&args) {
        for arg in args {
            println!("cargo:rustc-link-arg-bin=driftdrill={arg}");
        }
    }
}

/// Whether rustc, with the build's own flags (a configured linker among them), links a program
/// for the target with these linker arguments.
fn linker_takes(args: &[String]) -> bool {
    let var = |name| env::var(name).unwrap_or_default();
    let dir = PathBuf::from(var("OUT_DIR"));
    let source = dir.join("link_probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let mut probe = Command::new(rustc);
    probe
        .arg("--target")
        .arg(var("TARGET"))
        .arg("-o")
        .arg(dir.join("link_probe"))
        .arg(&source);
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    probe.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    if let Ok(linker) = env::var("RUSTC_LINKER") {
        probe.arg("-C").arg(format!("linker={linker}"));
    }
    for arg in args {
        probe.arg("-C").arg(format!("link-arg={arg}"));
    }
    probe
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes `$OUT_DIR/builtin_scenarios.rs`: `&[(relative path, contents)]` for every
/// `scenarios/**/*.toml`, in path order.
fn builtin_scenarios() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir")).join("scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        println!("cargo:rerun-if-changed={}", dir.display());
        for entry in std::fs::read_dir(&dir).expect("read scenarios/") {
            let path = entry.expect("read scenarios/").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut code = String::from("&[\n");
    for path in &files {
        let relative = path.strip_prefix(&root).expect("under scenarios/");
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            relative.display().to_string(),
            path.display().to_string()
        ));
    }
    code.push_str("]\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("out dir")).join("builtin_scenarios.rs");
    std::fs::write(out, code).expect("write builtin_scenarios.rs");
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
