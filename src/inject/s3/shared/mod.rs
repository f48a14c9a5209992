//! What several S3 actions share; none of these is an action.

pub(crate) mod absent;
pub mod tags;
