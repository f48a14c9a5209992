

pub use crate::types::_parameter::ParameterBuilder;

pub use crate::types::_tag::TagBuilder;

pub use crate::types::_parameters_filter::ParametersFilterBuilder;

pub use crate::types::_parameter_string_filter::ParameterStringFilterBuilder;

pub use crate::types::_parameter_metadata::ParameterMetadataBuilder;

pub use crate::types::_parameter_inline_policy::ParameterInlinePolicyBuilder;
