//! `iam.policy.new_default_version`: edits a customer-managed policy the way the console does,
//! by creating a new default version. The revert makes the previous version the default again
//! and deletes the drill's version. IAM keeps at most five versions: with five already there the
//! drill refuses (it never deletes anyone's version to make room).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::diag::TableReader;
use crate::formats::{ParamSpec, TargetType, param_spec};
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::document;
use crate::inject::mark;
use crate::inject::{
    ActionSpec, Check, InjectCx, Injector, RevertKind, RevertOutcome, State, Target,
};

pub static SPEC: ActionSpec = ActionSpec {
    id: "iam.policy.new_default_version",
    targets: &[TargetType::IamPolicy],
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
    read: |r| param_spec::to_json(read_params(r)),
    roundtrip: param_spec::roundtrip::<Params>,
    build: |v| Ok(Box::new(NewVersion(serde_json::from_value(v.clone())?))),
};

/// IAM's limit of versions per managed policy.
const MAX_VERSIONS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
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

pub struct NewVersion(pub Params);

async fn versions(cx: &InjectCx<'_>, target: &Target) -> Result<Versions, InjectError> {
    let out = cx
        .aws
        .iam
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
        .iam
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

/// The versions created since the snapshot that carry the drill's statement id.
async fn ours(
    cx: &InjectCx<'_>,
    target: &Target,
    before: &Versions,
    live: &Versions,
) -> Result<BTreeSet<String>, InjectError> {
    let sid = mark::sid(cx.mark);
    let mut found = BTreeSet::new();
    for id in live.ids.difference(&before.ids) {
        if document::has_sid(&document_of(cx, target, id).await?, &sid) {
            found.insert(id.clone());
        }
    }
    Ok(found)
}

fn snapshot_of(target: &Target, state: &State) -> Result<Versions, InjectError> {
    serde_json::from_value(state.clone()).map_err(|source| InjectError::State {
        resource: target.to_string(),
        source,
    })
}

fn state(v: &Versions) -> State {
    serde_json::to_value(v).expect("versions serialise")
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
        Ok(state(&before))
    }

    async fn inject(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<(), InjectError> {
        let before = snapshot_of(target, snapshot)?;
        let sid = mark::sid(cx.mark);
        let doc = match &self.0.document {
            Some(text) => {
                // The drill's statement id is how its version is recognised on revert.
                let given = document::parse(&target.id, text)?;
                document::with_statement(
                    &given,
                    json!({"Sid": sid, "Effect": "Deny", "Action": "none:null", "Resource": "*"}),
                )
            }
            None => document::with_statement(
                &document_of(cx, target, &before.default).await?,
                json!({"Sid": sid, "Effect": "Allow", "Action": "*", "Resource": "*"}),
            ),
        };
        cx.aws
            .iam
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
        let ours = ours(cx, target, &before, &live).await?;
        Ok(if ours.contains(&live.default) {
            Check::Matches
        } else {
            Check::Differs(format!(
                "the default version is {}, not one the drill created",
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
        let ours = ours(cx, target, &before, &live).await?;
        if ours.is_empty() && live.default == before.default {
            let kind = if live == before {
                RevertKind::AlreadyReverted
            } else {
                RevertKind::ConflictOursUndone
            };
            return Ok(RevertOutcome {
                kind,
                expected: state(&live),
                detail: (live != before)
                    .then(|| "someone else added policy versions since; they were kept".into()),
            });
        }
        let mut default = live.default.clone();
        if ours.contains(&live.default) {
            if !live.ids.contains(&before.default) {
                return Ok(RevertOutcome {
                    kind: RevertKind::ConflictLeftAlone,
                    expected: state(&live),
                    detail: Some(format!(
                        "the previous default version {} was deleted since: the drill's version stays the default; choose one by hand",
                        before.default
                    )),
                });
            }
            cx.aws
                .iam
                .set_default_policy_version()
                .policy_arn(&target.id)
                .version_id(&before.default)
                .send()
                .await
                .map_err(errors::aws("SetDefaultPolicyVersion", &target.id))?;
            default = before.default.clone();
        }
        for id in &ours {
            cx.aws
                .iam
                .delete_policy_version()
                .policy_arn(&target.id)
                .version_id(id)
                .send()
                .await
                .map_err(errors::aws("DeletePolicyVersion", &target.id))?;
        }
        let expected = Versions {
            default,
            ids: live.ids.difference(&ours).cloned().collect(),
        };
        let others_changed = expected != before;
        Ok(RevertOutcome {
            kind: if others_changed {
                RevertKind::ConflictOursUndone
            } else {
                RevertKind::Restored
            },
            detail: others_changed.then(|| {
                format!(
                    "changed by someone else since injection: versions {:?}, default {}; their edits were kept",
                    live.ids, live.default
                )
            }),
            expected: state(&expected),
        })
    }

    async fn verify_reverted(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        expected: &State,
    ) -> Result<Check, InjectError> {
        let expected = snapshot_of(target, expected)?;
        let live = versions(cx, target).await?;
        Ok(if live == expected {
            Check::Matches
        } else {
            Check::Differs(format!("reads {live:?}, expected {expected:?}"))
        })
    }
}
