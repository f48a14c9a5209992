

/// Matcher union: {"success":true}
pub(crate) fn match_get_policy_c955e57777ec0d736(
    _result: ::std::result::Result<&crate::operation::get_policy::GetPolicyOutput, &crate::operation::get_policy::GetPolicyError>,
) -> bool {
    _result.is_ok()
}

/// Matcher union: {"errorType":"NoSuchEntity"}
pub(crate) fn match_get_policy_606386b4be9df73c9(
    _result: ::std::result::Result<&crate::operation::get_policy::GetPolicyOutput, &crate::operation::get_policy::GetPolicyError>,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "NoSuchEntity";
        }
    }
    false
}

/// Matcher union: {"success":true}
pub(crate) fn match_get_role_c955e57777ec0d736(
    _result: ::std::result::Result<&crate::operation::get_role::GetRoleOutput, &crate::operation::get_role::GetRoleError>,
) -> bool {
    _result.is_ok()
}

/// Matcher union: {"errorType":"NoSuchEntity"}
pub(crate) fn match_get_role_606386b4be9df73c9(
    _result: ::std::result::Result<&crate::operation::get_role::GetRoleOutput, &crate::operation::get_role::GetRoleError>,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "NoSuchEntity";
        }
    }
    false
}

/// Matcher union: {"success":true}
pub(crate) fn match_get_user_c955e57777ec0d736(
    _result: ::std::result::Result<&crate::operation::get_user::GetUserOutput, &crate::operation::get_user::GetUserError>,
) -> bool {
    _result.is_ok()
}

/// Matcher union: {"errorType":"NoSuchEntity"}
pub(crate) fn match_get_user_606386b4be9df73c9(
    _result: ::std::result::Result<&crate::operation::get_user::GetUserOutput, &crate::operation::get_user::GetUserError>,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "NoSuchEntity";
        }
    }
    false
}
