

#[allow(clippy::needless_lifetimes)]
#[allow(clippy::let_and_return)]
pub(crate) mod matchers;
