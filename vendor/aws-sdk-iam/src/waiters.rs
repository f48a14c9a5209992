

/// Supporting types for the `policy_exists` waiter.
pub mod policy_exists;

/// Supporting types for the `role_exists` waiter.
pub mod role_exists;

/// Supporting types for the `user_exists` waiter.
pub mod user_exists;

#[allow(clippy::needless_lifetimes)]
#[allow(clippy::let_and_return)]
pub(crate) mod matchers;
