//! Documentation of one parameter of an injector action or detector type, for `driftdrill list`.

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
