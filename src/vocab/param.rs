//! Parameters of injector actions and detector types: their documentation for `driftdrill list`
//! and the JSON form the catalogs store them in.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    /// The accepted values, e.g. `integer 0-65535` or `"tcp" | "udp"`.
    pub kind: &'static str,
    pub required: bool,
    pub doc: &'static str,
}

impl ParamSpec {
    pub const fn required(name: &'static str, kind: &'static str, doc: &'static str) -> Self {
        ParamSpec {
            name,
            kind,
            required: true,
            doc,
        }
    }

    pub const fn optional(name: &'static str, kind: &'static str, doc: &'static str) -> Self {
        ParamSpec {
            name,
            kind,
            required: false,
            doc,
        }
    }
}

/// Parameters as the JSON the catalog stores (`None` when reading reported problems).
pub(crate) fn to_json<P: serde::Serialize>(params: Option<P>) -> Option<serde_json::Value> {
    params.map(|p| serde_json::to_value(p).expect("parameters serialise to JSON"))
}

/// Parses JSON parameters as `P` and serialises them again; a catalog entry's `roundtrip`.
pub fn roundtrip<P: serde::Serialize + serde::de::DeserializeOwned>(
    v: &serde_json::Value,
) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_value::<P>(v.clone())?)
}
