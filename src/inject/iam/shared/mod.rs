//! What several IAM actions share; none of these is an action.

pub mod attachments;
pub mod document;
pub(crate) mod inline;
pub mod resource;
