//! What reading a config or a scenario needs to know of the catalogs above it (which actions and
//! detector types exist, what each targets, how its settings read, which paths they name),
//! handed to the loader by the caller, so the file formats never import a catalog.

use crate::diag::TableReader;

use super::{Role, TargetKind, TargetType};

/// Reads an action's or detector's table, reporting every problem; its settings as JSON.
pub(crate) type ReadFn = fn(&mut TableReader) -> Option<serde_json::Value>;

/// An action as the scenario files see it.
#[derive(Clone, Copy)]
pub struct ActionForm {
    /// The `action` value, e.g. `ec2.sg.open_ingress`.
    pub id: &'static str,
    pub targets: &'static [TargetType],
    pub read: ReadFn,
}

/// A detector or channel type as the config sees it.
#[derive(Clone, Copy)]
pub struct DetectorForm {
    /// The `type` value, e.g. `terraform`.
    pub id: &'static str,
    pub role: Role,
    pub read: ReadFn,
    /// The paths its settings name, for `validate` to find on disk.
    pub paths: fn(&serde_json::Value) -> Vec<NamedPath>,
}

/// A path a detector's settings name, relative to the config's folder unless absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPath {
    /// The settings key it was written under (its span is where `validate` points).
    pub key: &'static str,
    pub path: std::path::PathBuf,
    pub kind: PathKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Folder,
    File,
    /// A program named by a path (`./check.sh`): an executable file.
    Program,
}

impl PathKind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            PathKind::Folder => "folder",
            PathKind::File => "file",
            PathKind::Program => "program",
        }
    }
}

/// Every target type, action and detector and channel type, in catalog order.
#[derive(Clone, Default)]
pub struct Catalogs {
    pub targets: Vec<TargetKind>,
    pub actions: Vec<ActionForm>,
    pub detectors: Vec<DetectorForm>,
}

impl Catalogs {
    pub fn target(&self, name: &str) -> Option<&TargetKind> {
        self.targets.iter().find(|t| t.kind.as_str() == name)
    }

    pub(crate) fn target_names(&self) -> Vec<&'static str> {
        self.targets.iter().map(|t| t.kind.as_str()).collect()
    }

    pub fn action(&self, id: &str) -> Option<&ActionForm> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn detector(&self, id: &str) -> Option<&DetectorForm> {
        self.detectors.iter().find(|d| d.id == id)
    }

    pub(crate) fn action_ids(&self) -> Vec<&'static str> {
        self.actions.iter().map(|a| a.id).collect()
    }

    pub(crate) fn detector_ids(&self) -> Vec<&'static str> {
        self.detectors.iter().map(|d| d.id).collect()
    }
}
