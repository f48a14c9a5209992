//! `iam.policy.new_default_version`: edits a customer-managed policy the way the console does,
//! by creating a new default version. The revert makes the previous version the default again
//! and deletes the drill's version (told apart by its exact document). When someone else made a
//! newer default from the drill's version, or deleted the previous default, the revert makes a
//! new default without the drill's statement and keeps their versions. IAM keeps at most five
//! versions: with five already there the drill refuses (it never deletes anyone's version).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::document;
use crate::inject::mark;
use crate::inject::policy::{has_sid, normalized, with_statement, without_sid};
use crate::inject::{
    ActionSpec, Check, InjectCx, Injector, Remains, RevertKind, RevertOutcome, State, Target,
};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.policy.new_default_version",
    targets: &[super::POLICY],
    summary: "makes a new default version of a customer-managed policy (default: the current one plus Allow * on *)",
    params: &[ParamSpec::optional(
        "document",
        "JSON string",
        "the new version's document; default: the current default plus a statement allowing everything",
    )],
    permissions: &[
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListPolicyVersions",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicyVersion",
    ],
    example: "",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| Ok(Box::new(NewVersion(serde_json::from_value(v.clone())?))),
};

/// IAM's limit of versions per managed policy.
const MAX_VERSIONS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let document = r.opt_string("document");
    if let Some(d) = &document
        && let Err(e) = serde_json::from_str::<Value>(&d.value)
    {
        r.report(d.diag("invalid-value", format!("document is not JSON: {e}")));
        return None;
    }
    Some(Params {
        document: document.map(|d| d.value),
    })
}

/// Which versions exist and which is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Versions {
    default: String,
    ids: BTreeSet<String>,
}

/// What the snapshot keeps: the versions, and the default version's document (from which the
/// drill's own version is built, and by which it is told from anyone else's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Snapshot {
    default: String,
    ids: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document: Option<Value>,
}

impl Snapshot {
    fn versions(&self) -> Versions {
        Versions {
            default: self.default.clone(),
            ids: self.ids.clone(),
        }
    }
}

pub(crate) struct NewVersion(pub Params);

async fn versions(cx: &InjectCx<'_>, target: &Target) -> Result<Versions, InjectError> {
    let out = cx
        .aws
        .iam()
        .list_policy_versions()
        .policy_arn(&target.id)
        .send()
        .await
        .map_err(errors::aws("ListPolicyVersions", &target.id))?;
    let mut ids = BTreeSet::new();
    let mut default = None;
    for v in out.versions() {
        let Some(id) = v.version_id() else { continue };
        ids.insert(id.to_string());
        if v.is_default_version() {
            default = Some(id.to_string());
        }
    }
    let default = default.ok_or_else(|| {
        InjectError::precondition(&target.to_string(), "it has no default version")
    })?;
    Ok(Versions { default, ids })
}

async fn document_of(
    cx: &InjectCx<'_>,
    target: &Target,
    version: &str,
) -> Result<Value, InjectError> {
    let out = cx
        .aws
        .iam()
        .get_policy_version()
        .policy_arn(&target.id)
        .version_id(version)
        .send()
        .await
        .map_err(errors::aws("GetPolicyVersion", &target.id))?;
    let raw = out
        .policy_version()
        .and_then(|v| v.document())
        .unwrap_or("{}");
    document::parse(&target.id, raw)
}

/// IAM numbers versions `v1`, `v2`, ... and never reuses a number.
fn number(id: &str) -> u64 {
    id.trim_start_matches('v').parse().unwrap_or(u64::MAX)
}

/// The versions made since the snapshot, oldest first.
fn new_versions(before: &Snapshot, live: &Versions) -> Vec<String> {
    let mut ids: Vec<String> = live.ids.difference(&before.ids).cloned().collect();
    ids.sort_by_key(|id| number(id));
    ids
}

fn snapshot_of(target: &Target, state: &State) -> Result<Snapshot, InjectError> {
    serde_json::from_value(state.clone()).map_err(|source| InjectError::State {
        resource: target.to_string(),
        source,
    })
}

fn state<T: Serialize>(v: &T) -> State {
    serde_json::to_value(v).expect("versions serialise")
}

impl NewVersion {
    /// The document the drill makes the default: the given one, or the previous default's,
    /// with the drill's statement.
    fn drill_document(&self, sid: &str, base: &Value) -> Result<Value, InjectError> {
        Ok(match &self.0.document {
            Some(text) => with_statement(
                &document::parse("the drill's document", text)?,
                json!({"Sid": sid, "Effect": "Deny", "Action": "none:null", "Resource": "*"}),
            ),
            None => with_statement(
                base,
                json!({"Sid": sid, "Effect": "Allow", "Action": "*", "Resource": "*"}),
            ),
        })
    }

    /// The drill's own version: the oldest version made since the snapshot whose document is
    /// exactly the drill's (without the previous default's document, the oldest carrying the
    /// drill's statement). A version someone else made from it differs, and is theirs.
    async fn ours(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        before: &Snapshot,
        live: &Versions,
    ) -> Result<Option<String>, InjectError> {
        let sid = mark::sid(cx.mark);
        let drill = match &before.document {
            Some(base) => Some(normalized(&self.drill_document(&sid, base)?)),
            None => None,
        };
        for id in new_versions(before, live) {
            let doc = document_of(cx, target, &id).await?;
            let mine = match &drill {
                Some(d) => normalized(&doc) == *d,
                None => has_sid(&doc, &sid),
            };
            if mine {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }
}

/// What a revert found and did, for its outcome.
#[derive(Default)]
struct Done {
    wrote: bool,
    /// Versions someone else made since the injection (kept).
    theirs: Vec<String>,
    /// A new default made without the drill's statement, and why.
    remade: Option<String>,
}

impl Done {
    fn outcome(self, live: &Versions, before: &Snapshot, after: Versions) -> RevertOutcome {
        let mut notes = Vec::new();
        if !self.theirs.is_empty() {
            notes.push(format!(
                "someone else made policy version(s) {} since the injection: kept",
                self.theirs.join(", ")
            ));
        }
        if let Some(why) = &self.remade {
            notes.push(why.clone());
        }
        let removed: Vec<&String> = before.ids.difference(&live.ids).collect();
        if !removed.is_empty() {
            notes.push(format!(
                "someone else deleted policy version(s) {} since the injection",
                removed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let others = !self.theirs.is_empty() || self.remade.is_some() || !removed.is_empty();
        let kind = match (self.wrote, others) {
            (true, false) => RevertKind::Restored,
            (true, true) => RevertKind::ConflictOursUndone,
            (false, _) if *live == before.versions() => RevertKind::AlreadyReverted,
            (false, _) => RevertKind::ConflictLeftAlone,
        };
        RevertOutcome {
            kind,
            expected: state(&after),
            detail: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}

#[async_trait::async_trait]
impl Injector for NewVersion {
    async fn snapshot(&self, cx: &InjectCx<'_>, target: &Target) -> Result<State, InjectError> {
        let before = versions(cx, target).await?;
        if before.ids.len() >= MAX_VERSIONS {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!(
                    "it already has {} versions, IAM's limit; a new one would need one of them deleted, which driftdrill never does: delete an old version yourself, then drill",
                    before.ids.len()
                ),
            ));
        }
        let document = document_of(cx, target, &before.default).await?;
        Ok(state(&Snapshot {
            default: before.default,
            ids: before.ids,
            document: Some(document),
        }))
    }

    async fn inject(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<(), InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let base = match &before.document {
            Some(doc) => doc.clone(),
            None => document_of(cx, target, &before.default).await?,
        };
        let doc = self.drill_document(&mark::sid(cx.mark), &base)?;
        cx.aws
            .iam()
            .create_policy_version()
            .policy_arn(&target.id)
            .policy_document(doc.to_string())
            .set_as_default(true)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("CreatePolicyVersion", &target.id))
    }

    async fn verify_injected(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let live = versions(cx, target).await?;
        let ours = self.ours(cx, target, &before, &live).await?;
        Ok(if ours.as_deref() == Some(live.default.as_str()) {
            Check::Matches
        } else {
            Check::Differs(format!(
                "the default version is {}, not the one the drill made",
                live.default
            ))
        })
    }

    async fn revert(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<RevertOutcome, InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let live = versions(cx, target).await?;
        let ours = self.ours(cx, target, &before, &live).await?;
        let mut done = Done {
            theirs: new_versions(&before, &live)
                .into_iter()
                .filter(|id| Some(id) != ours.as_ref())
                .collect(),
            ..Done::default()
        };
        let mut after = live.clone();
        self.clean_default(cx, target, &before, ours.as_deref(), &mut after, &mut done)
            .await?;
        if let Some(id) = ours.filter(|id| after.ids.contains(id)) {
            delete_version(cx, target, &id).await?;
            after.ids.remove(&id);
            done.wrote = true;
        }
        Ok(done.outcome(&live, &before, after))
    }

    async fn verify_reverted(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let live = versions(cx, target).await?;
        let sid = mark::sid(cx.mark);
        let mut left = Vec::new();
        if has_sid(&document_of(cx, target, &live.default).await?, &sid) {
            left.push(format!(
                "the default version {} still carries the drill's statement",
                live.default
            ));
        }
        if before.document.is_some()
            && let Some(id) = self.ours(cx, target, &before, &live).await?
        {
            left.push(format!("the drill's version {id} still exists"));
        }
        Ok(if left.is_empty() {
            Check::Matches
        } else {
            Check::Differs(left.join("; "))
        })
    }

    async fn remains(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Remains, InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let live = versions(cx, target).await?;
        if has_sid(
            &document_of(cx, target, &live.default).await?,
            &mark::sid(cx.mark),
        ) {
            return Ok(Remains::Live(format!(
                "the default version {} carries the drill's statement",
                live.default
            )));
        }
        let mut differs = Vec::new();
        if live.default != before.default {
            differs.push(format!(
                "the default version is {}, not {} as before the drill",
                live.default, before.default
            ));
        }
        let added = new_versions(&before, &live);
        if !added.is_empty() {
            differs.push(format!("versions {} were added", added.join(", ")));
        }
        Ok(if differs.is_empty() {
            Remains::Restored
        } else {
            Remains::Differently(differs.join("; "))
        })
    }
}

impl NewVersion {
    /// Makes sure the default version does not carry the drill's statement: the previous
    /// default again when the drill's own version is the default and the previous one exists;
    /// otherwise a new default made from the current one without the drill's statement (the
    /// drill's own version is deleted first when it is not the default, to make room).
    async fn clean_default(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        before: &Snapshot,
        ours: Option<&str>,
        after: &mut Versions,
        done: &mut Done,
    ) -> Result<(), InjectError> {
        let sid = mark::sid(cx.mark);
        let current = document_of(cx, target, &after.default).await?;
        if !has_sid(&current, &sid) {
            return Ok(());
        }
        let is_ours = ours == Some(after.default.as_str());
        if is_ours && after.ids.contains(&before.default) {
            set_default(cx, target, &before.default).await?;
            after.default = before.default.clone();
            done.wrote = true;
            return Ok(());
        }
        if let Some(id) = ours.filter(|id| !is_ours && after.ids.contains(*id)) {
            delete_version(cx, target, id).await?;
            after.ids.remove(id);
        }
        let made = create_default(cx, target, &without_sid(&current, &sid)).await?;
        done.remade = Some(if is_ours {
            format!(
                "the previous default version {} was deleted since the injection: made {made} from the drill's version without its statement",
                before.default
            )
        } else {
            format!(
                "the default version {} (someone else's) carried the drill's statement: made {made} from it without that statement",
                after.default
            )
        });
        after.ids.insert(made.clone());
        after.default = made;
        done.wrote = true;
        Ok(())
    }
}

async fn set_default(cx: &InjectCx<'_>, target: &Target, id: &str) -> Result<(), InjectError> {
    cx.aws
        .iam()
        .set_default_policy_version()
        .policy_arn(&target.id)
        .version_id(id)
        .send()
        .await
        .map(drop)
        .map_err(errors::aws("SetDefaultPolicyVersion", &target.id))
}

async fn delete_version(cx: &InjectCx<'_>, target: &Target, id: &str) -> Result<(), InjectError> {
    cx.aws
        .iam()
        .delete_policy_version()
        .policy_arn(&target.id)
        .version_id(id)
        .send()
        .await
        .map(drop)
        .map_err(errors::aws("DeletePolicyVersion", &target.id))
}

/// Creates a version as the new default and returns its id.
async fn create_default(
    cx: &InjectCx<'_>,
    target: &Target,
    doc: &Value,
) -> Result<String, InjectError> {
    let out = cx
        .aws
        .iam()
        .create_policy_version()
        .policy_arn(&target.id)
        .policy_document(doc.to_string())
        .set_as_default(true)
        .send()
        .await
        .map_err(errors::aws("CreatePolicyVersion", &target.id))?;
    Ok(out
        .policy_version()
        .and_then(|v| v.version_id())
        .unwrap_or_default()
        .to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_sort_by_number_not_text() {
        let mut ids = vec!["v10".to_string(), "v9".into(), "v11".into()];
        ids.sort_by_key(|id| super::number(id));
        assert_eq!(ids, ["v9", "v10", "v11"]);
    }
}
