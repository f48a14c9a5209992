

/// Matcher union: {"output":{"path":"length(Reservations[]) > `0`","expected":"true","comparator":"booleanEquals"}}
pub(crate) fn match_describe_instances_1c820128f4b43851a(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(_output: &'a crate::operation::describe_instances::DescribeInstancesOutput) -> ::std::option::Option<bool> {
        let _fld_2 = _output.reservations.as_ref()?;
        let _ret_1 = _fld_2.len() as i64;
        const _LIT_3: &f64 = &0.0;
        let _tmp_5 = *_LIT_3;
        let _tmp_6 = _tmp_5 as i64;
        let _cmp_4 = _ret_1 > _tmp_6;
        ::std::option::Option::Some(_cmp_4)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            let right = true;
            let _cmp_1 = value == right;
            _cmp_1
        })
        .unwrap_or_default()
}

/// Matcher union: {"errorType":"InvalidInstanceID.NotFound"}
pub(crate) fn match_describe_instances_c46b5661fd6e97d44(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "InvalidInstanceID.NotFound";
        }
    }
    false
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"running","comparator":"allStringEquals"}}
pub(crate) fn match_describe_instances_c4a29c5d7257153b8(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            !value.is_empty()
                && value.iter().all(|value| {
                    let _tmp_2 = value.as_str();
                    let right = "running";
                    let _cmp_1 = _tmp_2 == right;
                    _cmp_1
                })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"shutting-down","comparator":"anyStringEquals"}}
pub(crate) fn match_describe_instances_fc32350815043b6a6(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            value.iter().any(|value| {
                let _tmp_2 = value.as_str();
                let right = "shutting-down";
                let _cmp_1 = _tmp_2 == right;
                _cmp_1
            })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"terminated","comparator":"anyStringEquals"}}
pub(crate) fn match_describe_instances_47f807e3deea95c88(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            value.iter().any(|value| {
                let _tmp_2 = value.as_str();
                let right = "terminated";
                let _cmp_1 = _tmp_2 == right;
                _cmp_1
            })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"stopping","comparator":"anyStringEquals"}}
pub(crate) fn match_describe_instances_5a7237d16cf0a4b1f(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            value.iter().any(|value| {
                let _tmp_2 = value.as_str();
                let right = "stopping";
                let _cmp_1 = _tmp_2 == right;
                _cmp_1
            })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"stopped","comparator":"allStringEquals"}}
pub(crate) fn match_describe_instances_b62d6681a104ef426(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            !value.is_empty()
                && value.iter().all(|value| {
                    let _tmp_2 = value.as_str();
                    let right = "stopped";
                    let _cmp_1 = _tmp_2 == right;
                    _cmp_1
                })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"pending","comparator":"anyStringEquals"}}
pub(crate) fn match_describe_instances_8ad0c8f11617c2bd6(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            value.iter().any(|value| {
                let _tmp_2 = value.as_str();
                let right = "pending";
                let _cmp_1 = _tmp_2 == right;
                _cmp_1
            })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Reservations[].Instances[].State.Name","expected":"terminated","comparator":"allStringEquals"}}
pub(crate) fn match_describe_instances_68add750ed2efbe82(
    _result: ::std::result::Result<
        &crate::operation::describe_instances::DescribeInstancesOutput,
        &crate::operation::describe_instances::DescribeInstancesError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_instances::DescribeInstancesOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::InstanceStateName>> {
        let _fld_1 = _output.reservations.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Reservation) -> ::std::option::Option<&::std::vec::Vec<crate::types::Instance>> {
                    let _fld_2 = _v.instances.as_ref();
                    _fld_2
                }
                map(v)
            })
            .flatten()
            .collect::<::std::vec::Vec<_>>();
        let _prj_6 = _prj_3
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Instance) -> ::std::option::Option<&crate::types::InstanceStateName> {
                    let _fld_4 = _v.state.as_ref();
                    let _fld_5 = _fld_4.and_then(|v| v.name.as_ref());
                    _fld_5
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            !value.is_empty()
                && value.iter().all(|value| {
                    let _tmp_2 = value.as_str();
                    let right = "terminated";
                    let _cmp_1 = _tmp_2 == right;
                    _cmp_1
                })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"length(SecurityGroups[].GroupId) > `0`","expected":"true","comparator":"booleanEquals"}}
pub(crate) fn match_describe_security_groups_0e75760caea410eed(
    _result: ::std::result::Result<
        &crate::operation::describe_security_groups::DescribeSecurityGroupsOutput,
        &crate::operation::describe_security_groups::DescribeSecurityGroupsError,
    >,
) -> bool {
    fn path_traversal<'a>(_output: &'a crate::operation::describe_security_groups::DescribeSecurityGroupsOutput) -> ::std::option::Option<bool> {
        let _fld_2 = _output.security_groups.as_ref()?;
        let _prj_4 = _fld_2
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::SecurityGroup) -> ::std::option::Option<&::std::string::String> {
                    let _fld_3 = _v.group_id.as_ref();
                    _fld_3
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        let _ret_1 = _prj_4.len() as i64;
        const _LIT_5: &f64 = &0.0;
        let _tmp_7 = *_LIT_5;
        let _tmp_8 = _tmp_7 as i64;
        let _cmp_6 = _ret_1 > _tmp_8;
        ::std::option::Option::Some(_cmp_6)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            let right = true;
            let _cmp_1 = value == right;
            _cmp_1
        })
        .unwrap_or_default()
}

/// Matcher union: {"errorType":"InvalidGroup.NotFound"}
pub(crate) fn match_describe_security_groups_f735c42a19b31c377(
    _result: ::std::result::Result<
        &crate::operation::describe_security_groups::DescribeSecurityGroupsOutput,
        &crate::operation::describe_security_groups::DescribeSecurityGroupsError,
    >,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "InvalidGroup.NotFound";
        }
    }
    false
}

/// Matcher union: {"output":{"path":"Subnets[].State","expected":"available","comparator":"allStringEquals"}}
pub(crate) fn match_describe_subnets_4dd8b1ce0c2205901(
    _result: ::std::result::Result<
        &crate::operation::describe_subnets::DescribeSubnetsOutput,
        &crate::operation::describe_subnets::DescribeSubnetsError,
    >,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_subnets::DescribeSubnetsOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::SubnetState>> {
        let _fld_1 = _output.subnets.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Subnet) -> ::std::option::Option<&crate::types::SubnetState> {
                    let _fld_2 = _v.state.as_ref();
                    _fld_2
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_3)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            !value.is_empty()
                && value.iter().all(|value| {
                    let _tmp_2 = value.as_str();
                    let right = "available";
                    let _cmp_1 = _tmp_2 == right;
                    _cmp_1
                })
        })
        .unwrap_or_default()
}

/// Matcher union: {"output":{"path":"Vpcs[].State","expected":"available","comparator":"allStringEquals"}}
pub(crate) fn match_describe_vpcs_758fa5df2adba3998(
    _result: ::std::result::Result<&crate::operation::describe_vpcs::DescribeVpcsOutput, &crate::operation::describe_vpcs::DescribeVpcsError>,
) -> bool {
    fn path_traversal<'a>(
        _output: &'a crate::operation::describe_vpcs::DescribeVpcsOutput,
    ) -> ::std::option::Option<::std::vec::Vec<&'a crate::types::VpcState>> {
        let _fld_1 = _output.vpcs.as_ref()?;
        let _prj_3 = _fld_1
            .iter()
            .flat_map(|v| {
                #[allow(clippy::let_and_return)]
                fn map(_v: &crate::types::Vpc) -> ::std::option::Option<&crate::types::VpcState> {
                    let _fld_2 = _v.state.as_ref();
                    _fld_2
                }
                map(v)
            })
            .collect::<::std::vec::Vec<_>>();
        ::std::option::Option::Some(_prj_3)
    }
    _result
        .as_ref()
        .ok()
        .and_then(|output| path_traversal(output))
        .map(|value| {
            !value.is_empty()
                && value.iter().all(|value| {
                    let _tmp_2 = value.as_str();
                    let right = "available";
                    let _cmp_1 = _tmp_2 == right;
                    _cmp_1
                })
        })
        .unwrap_or_default()
}

/// Matcher union: {"success":true}
pub(crate) fn match_describe_vpcs_c955e57777ec0d736(
    _result: ::std::result::Result<&crate::operation::describe_vpcs::DescribeVpcsOutput, &crate::operation::describe_vpcs::DescribeVpcsError>,
) -> bool {
    _result.is_ok()
}

/// Matcher union: {"errorType":"InvalidVpcID.NotFound"}
pub(crate) fn match_describe_vpcs_f51411a22e164d79b(
    _result: ::std::result::Result<&crate::operation::describe_vpcs::DescribeVpcsOutput, &crate::operation::describe_vpcs::DescribeVpcsError>,
) -> bool {
    if let ::std::result::Result::Err(err) = _result {
        if let ::std::option::Option::Some(code) = ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(err) {
            return code == "InvalidVpcID.NotFound";
        }
    }
    false
}
