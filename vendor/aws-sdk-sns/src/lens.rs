

pub(crate) fn reflens_list_topics_output_output_next_token(
    input: &crate::operation::list_topics::ListTopicsOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_topics_output_output_topics(
    input: crate::operation::list_topics::ListTopicsOutput,
) -> ::std::option::Option<::std::vec::Vec<crate::types::Topic>> {
    let input = input.topics?;
    ::std::option::Option::Some(input)
}
