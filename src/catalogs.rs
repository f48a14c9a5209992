//! The catalogs the file formats are read against: every action ([`crate::inject::CATALOG`])
//! and every detector and channel type ([`crate::detect::CATALOG`]), as the vocabulary
//! describes them.

use crate::vocab::catalog::Catalogs;

/// Every action and detector type driftdrill knows.
pub fn all() -> Catalogs {
    Catalogs {
        actions: crate::inject::CATALOG.iter().map(|s| s.form()).collect(),
        detectors: crate::detect::CATALOG.iter().map(|s| s.form()).collect(),
    }
}
