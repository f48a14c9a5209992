//! What several EC2 actions share; none of these is an action.

pub(crate) mod coalesced;
pub mod instance;
pub(crate) mod sg_rules;
pub mod tags;
