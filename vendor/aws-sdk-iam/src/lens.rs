

pub(crate) fn reflens_list_attached_role_policies_output_output_marker(
    input: &crate::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_attached_user_policies_output_output_marker(
    input: &crate::operation::list_attached_user_policies::ListAttachedUserPoliciesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_policies_output_output_marker(
    input: &crate::operation::list_policies::ListPoliciesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_policy_tags_output_output_marker(
    input: &crate::operation::list_policy_tags::ListPolicyTagsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_policy_versions_output_output_marker(
    input: &crate::operation::list_policy_versions::ListPolicyVersionsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_role_policies_output_output_marker(
    input: &crate::operation::list_role_policies::ListRolePoliciesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_role_tags_output_output_marker(
    input: &crate::operation::list_role_tags::ListRoleTagsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_roles_output_output_marker(
    input: &crate::operation::list_roles::ListRolesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_user_policies_output_output_marker(
    input: &crate::operation::list_user_policies::ListUserPoliciesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_user_tags_output_output_marker(
    input: &crate::operation::list_user_tags::ListUserTagsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_list_users_output_output_marker(
    input: &crate::operation::list_users::ListUsersOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.marker {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_attached_role_policies_output_output_attached_policies(
    input: crate::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::AttachedPolicy>> {
    let input = input.attached_policies?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_attached_user_policies_output_output_attached_policies(
    input: crate::operation::list_attached_user_policies::ListAttachedUserPoliciesOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::AttachedPolicy>> {
    let input = input.attached_policies?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_policies_output_output_policies(
    input: crate::operation::list_policies::ListPoliciesOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Policy>> {
    let input = input.policies?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_policy_tags_output_output_tags(
    input: crate::operation::list_policy_tags::ListPolicyTagsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Tag>> {
    let input = input.tags;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_policy_versions_output_output_versions(
    input: crate::operation::list_policy_versions::ListPolicyVersionsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::PolicyVersion>> {
    let input = input.versions?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_role_policies_output_output_policy_names(
    input: crate::operation::list_role_policies::ListRolePoliciesOutput,
) -> ::std::option::Option<::std::vec::Vec<::std::string::String>> {
    let input = input.policy_names;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_role_tags_output_output_tags(
    input: crate::operation::list_role_tags::ListRoleTagsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Tag>> {
    let input = input.tags;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_roles_output_output_roles(
    input: crate::operation::list_roles::ListRolesOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Role>> {
    let input = input.roles;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_user_policies_output_output_policy_names(
    input: crate::operation::list_user_policies::ListUserPoliciesOutput,
) -> ::std::option::Option<::std::vec::Vec<::std::string::String>> {
    let input = input.policy_names;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_user_tags_output_output_tags(
    input: crate::operation::list_user_tags::ListUserTagsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Tag>> {
    let input = input.tags;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_users_output_output_users(
    input: crate::operation::list_users::ListUsersOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::User>> {
    let input = input.users;
    ::std::option::Option::Some(input)
}
