//! Where driftdrill keeps what it builds once per machine (pinned Python environments, embedded
//! scripts): `$XDG_CACHE_HOME/driftdrill`, else `~/.cache/driftdrill`.

use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("driftdrill")
}

/// A short stable tag of some embedded texts (FNV-1a), so changed contents get a fresh folder.
pub(crate) fn content_tag(texts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in texts.iter().flat_map(|t| t.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
}
