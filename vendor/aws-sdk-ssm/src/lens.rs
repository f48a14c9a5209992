

pub(crate) fn reflens_describe_parameters_output_output_next_token(
    input: &crate::operation::describe_parameters::DescribeParametersOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}
