//! The catalogs the file formats are read against: every target type and action the service
//! folders declare ([`crate::inject::SERVICES`]) and every detector and channel type
//! ([`crate::detect::CATALOG`]), as the vocabulary describes them.

use crate::vocab::catalog::Catalogs;

/// Every action and detector type driftdrill knows.
pub fn all() -> Catalogs {
    Catalogs {
        targets: crate::inject::target_kinds().copied().collect(),
        actions: crate::inject::actions().map(|s| s.form()).collect(),
        detectors: crate::detect::CATALOG.iter().map(|s| s.form()).collect(),
    }
}
