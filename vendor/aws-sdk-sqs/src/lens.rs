

pub(crate) fn reflens_list_queues_output_output_next_token(
    input: &crate::operation::list_queues::ListQueuesOutput,
) -> ::std::option::Option<&::std::string::String> {
    let input = match &input.next_token {
        ::std::option::Option::None => return ::std::option::Option::None,
        ::std::option::Option::Some(t) => t,
    };
    ::std::option::Option::Some(input)
}

pub(crate) fn lens_list_queues_output_output_queue_urls(
    input: crate::operation::list_queues::ListQueuesOutput,
) -> ::std::option::Option<::std::vec::Vec<::std::string::String>> {
    let input = input.queue_urls?;
    ::std::option::Option::Some(input)
}
