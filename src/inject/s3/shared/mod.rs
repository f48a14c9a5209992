//! What several S3 actions share; none of these is an action.

pub mod absent;
pub mod tags;
