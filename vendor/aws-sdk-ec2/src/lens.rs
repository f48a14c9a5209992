

pub(crate) fn reflens_describe_instances_output_output_next_token(
    input: &crate::operation::describe_instances::DescribeInstancesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_describe_network_acls_output_output_next_token(
    input: &crate::operation::describe_network_acls::DescribeNetworkAclsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_describe_security_groups_output_output_next_token(
    input: &crate::operation::describe_security_groups::DescribeSecurityGroupsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_describe_subnets_output_output_next_token(
    input: &crate::operation::describe_subnets::DescribeSubnetsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn reflens_describe_vpcs_output_output_next_token(
    input: &crate::operation::describe_vpcs::DescribeVpcsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_describe_instances_output_output_reservations(
    input: crate::operation::describe_instances::DescribeInstancesOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Reservation>> {
    let input = input.reservations?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_describe_network_acls_output_output_network_acls(
    input: crate::operation::describe_network_acls::DescribeNetworkAclsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::NetworkAcl>> {
    let input = input.network_acls?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_describe_security_groups_output_output_security_groups(
    input: crate::operation::describe_security_groups::DescribeSecurityGroupsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::SecurityGroup>> {
    let input = input.security_groups?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_describe_subnets_output_output_subnets(
    input: crate::operation::describe_subnets::DescribeSubnetsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Subnet>> {
    let input = input.subnets?;
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_describe_vpcs_output_output_vpcs(
    input: crate::operation::describe_vpcs::DescribeVpcsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Vpc>> {
    let input = input.vpcs?;
    ::std::option::Option::Some(input)
}
