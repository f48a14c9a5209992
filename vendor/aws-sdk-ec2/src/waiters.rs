

/// Supporting types for the `instance_exists` waiter.
pub mod instance_exists;

/// Supporting types for the `instance_running` waiter.
pub mod instance_running;

/// Supporting types for the `instance_stopped` waiter.
pub mod instance_stopped;

/// Supporting types for the `instance_terminated` waiter.
pub mod instance_terminated;

/// Supporting types for the `security_group_exists` waiter.
pub mod security_group_exists;

/// Supporting types for the `subnet_available` waiter.
pub mod subnet_available;

/// Supporting types for the `vpc_available` waiter.
pub mod vpc_available;

/// Supporting types for the `vpc_exists` waiter.
pub mod vpc_exists;

#[allow(clippy::needless_lifetimes)]
#[allow(clippy::let_and_return)]
pub(crate) mod matchers;
