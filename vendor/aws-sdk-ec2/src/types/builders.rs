

pub use crate::types::_iam_instance_profile_specification::IamInstanceProfileSpecificationBuilder;

pub use crate::types::_subnet_ipv6_cidr_block_association::SubnetIpv6CidrBlockAssociationBuilder;

pub use crate::types::_vpc_ipv6_cidr_block_association::VpcIpv6CidrBlockAssociationBuilder;

pub use crate::types::_vpc_cidr_block_association::VpcCidrBlockAssociationBuilder;

pub use crate::types::_instance_requirements_request::InstanceRequirementsRequestBuilder;

pub use crate::types::_subnet::SubnetBuilder;

pub use crate::types::_vpc::VpcBuilder;

pub use crate::types::_operator_request::OperatorRequestBuilder;

pub use crate::types::_network_acl::NetworkAclBuilder;

pub use crate::types::_icmp_type_code::IcmpTypeCodeBuilder;

pub use crate::types::_port_range::PortRangeBuilder;

pub use crate::types::_connection_tracking_specification_request::ConnectionTrackingSpecificationRequestBuilder;

pub use crate::types::_operator_response::OperatorResponseBuilder;

pub use crate::types::_vpc_encryption_control_configuration::VpcEncryptionControlConfigurationBuilder;

pub use crate::types::_vpc_encryption_control::VpcEncryptionControlBuilder;

pub use crate::types::_attribute_value::AttributeValueBuilder;

pub use crate::types::_attribute_boolean_value::AttributeBooleanValueBuilder;

pub use crate::types::_enclave_options::EnclaveOptionsBuilder;

pub use crate::types::_enclave_options_request::EnclaveOptionsRequestBuilder;

pub use crate::types::_secure_blob_attribute_value::SecureBlobAttributeValueBuilder;

pub use crate::types::_capacity_reservation_specification::CapacityReservationSpecificationBuilder;

pub use crate::types::_instance_metadata_options_response::InstanceMetadataOptionsResponseBuilder;

pub use crate::types::_spot_fleet_request_config_data::SpotFleetRequestConfigDataBuilder;

pub use crate::types::_run_instances_monitoring_enabled::RunInstancesMonitoringEnabledBuilder;

pub use crate::types::_placement::PlacementBuilder;

pub use crate::types::_launch_template_specification::LaunchTemplateSpecificationBuilder;

pub use crate::types::_instance_market_options_request::InstanceMarketOptionsRequestBuilder;

pub use crate::types::_credit_specification_request::CreditSpecificationRequestBuilder;

pub use crate::types::_cpu_options_request::CpuOptionsRequestBuilder;

pub use crate::types::_hibernation_options_request::HibernationOptionsRequestBuilder;

pub use crate::types::_instance_metadata_options_request::InstanceMetadataOptionsRequestBuilder;

pub use crate::types::_private_dns_name_options_request::PrivateDnsNameOptionsRequestBuilder;

pub use crate::types::_instance_maintenance_options_request::InstanceMaintenanceOptionsRequestBuilder;

pub use crate::types::_instance_network_performance_options_request::InstanceNetworkPerformanceOptionsRequestBuilder;

pub use crate::types::_tag_specification::TagSpecificationBuilder;

pub use crate::types::_iam_instance_profile::IamInstanceProfileBuilder;

pub use crate::types::_subnet_cidr_block_state::SubnetCidrBlockStateBuilder;

pub use crate::types::_vpc_cidr_block_state::VpcCidrBlockStateBuilder;

pub use crate::types::_ip_permission::IpPermissionBuilder;

pub use crate::types::_security_group_rule::SecurityGroupRuleBuilder;

pub use crate::types::_tag::TagBuilder;

pub use crate::types::_v_cpu_count_range_request::VCpuCountRangeRequestBuilder;

pub use crate::types::_memory_mib_request::MemoryMiBRequestBuilder;

pub use crate::types::_memory_gib_per_v_cpu_request::MemoryGiBPerVCpuRequestBuilder;

pub use crate::types::_network_interface_count_request::NetworkInterfaceCountRequestBuilder;

pub use crate::types::_total_local_storage_gb_request::TotalLocalStorageGbRequestBuilder;

pub use crate::types::_baseline_ebs_bandwidth_mbps_request::BaselineEbsBandwidthMbpsRequestBuilder;

pub use crate::types::_accelerator_count_request::AcceleratorCountRequestBuilder;

pub use crate::types::_accelerator_total_memory_mib_request::AcceleratorTotalMemoryMiBRequestBuilder;

pub use crate::types::_network_bandwidth_gbps_request::NetworkBandwidthGbpsRequestBuilder;

pub use crate::types::_baseline_performance_factors_request::BaselinePerformanceFactorsRequestBuilder;

pub use crate::types::_private_dns_name_options_on_launch::PrivateDnsNameOptionsOnLaunchBuilder;

pub use crate::types::_block_public_access_states::BlockPublicAccessStatesBuilder;

pub use crate::types::_block_device_mapping::BlockDeviceMappingBuilder;

pub use crate::types::_state_reason::StateReasonBuilder;

pub use crate::types::_ipv4_prefix_specification_request::Ipv4PrefixSpecificationRequestBuilder;

pub use crate::types::_ipv6_prefix_specification_request::Ipv6PrefixSpecificationRequestBuilder;

pub use crate::types::_private_ip_address_specification::PrivateIpAddressSpecificationBuilder;

pub use crate::types::_instance_ipv6_address::InstanceIpv6AddressBuilder;

pub use crate::types::_vpc_encryption_control_exclusions::VpcEncryptionControlExclusionsBuilder;

pub use crate::types::_filter::FilterBuilder;

pub use crate::types::_product_code::ProductCodeBuilder;

pub use crate::types::_instance_block_device_mapping::InstanceBlockDeviceMappingBuilder;

pub use crate::types::_group_identifier::GroupIdentifierBuilder;

pub use crate::types::_reservation::ReservationBuilder;

pub use crate::types::_security_group::SecurityGroupBuilder;

pub use crate::types::_instance_requirements::InstanceRequirementsBuilder;

pub use crate::types::_instance_block_device_mapping_specification::InstanceBlockDeviceMappingSpecificationBuilder;

pub use crate::types::_capacity_reservation_target::CapacityReservationTargetBuilder;

pub use crate::types::_launch_template_config::LaunchTemplateConfigBuilder;

pub use crate::types::_spot_maintenance_strategies::SpotMaintenanceStrategiesBuilder;

pub use crate::types::_load_balancers_config::LoadBalancersConfigBuilder;

pub use crate::types::_spot_placement::SpotPlacementBuilder;

pub use crate::types::_revoked_security_group_rule::RevokedSecurityGroupRuleBuilder;

pub use crate::types::_elastic_gpu_specification::ElasticGpuSpecificationBuilder;

pub use crate::types::_elastic_inference_accelerator::ElasticInferenceAcceleratorBuilder;

pub use crate::types::_spot_market_options::SpotMarketOptionsBuilder;

pub use crate::types::_license_configuration_request::LicenseConfigurationRequestBuilder;

pub use crate::types::_instance_secondary_interface_specification_request::InstanceSecondaryInterfaceSpecificationRequestBuilder;

pub use crate::types::_instance_network_interface_specification::InstanceNetworkInterfaceSpecificationBuilder;

pub use crate::types::_instance::InstanceBuilder;

pub use crate::types::_instance_state_change::InstanceStateChangeBuilder;

pub use crate::types::_referenced_security_group::ReferencedSecurityGroupBuilder;

pub use crate::types::_cpu_performance_factor_request::CpuPerformanceFactorRequestBuilder;

pub use crate::types::_ebs_block_device::EbsBlockDeviceBuilder;

pub use crate::types::_network_acl_association::NetworkAclAssociationBuilder;

pub use crate::types::_network_acl_entry::NetworkAclEntryBuilder;

pub use crate::types::_vpc_encryption_control_exclusion::VpcEncryptionControlExclusionBuilder;

pub use crate::types::_ebs_instance_block_device::EbsInstanceBlockDeviceBuilder;

pub use crate::types::_instance_state::InstanceStateBuilder;

pub use crate::types::_capacity_reservation_target_response::CapacityReservationTargetResponseBuilder;

pub use crate::types::_v_cpu_count_range::VCpuCountRangeBuilder;

pub use crate::types::_memory_mib::MemoryMiBBuilder;

pub use crate::types::_memory_gib_per_v_cpu::MemoryGiBPerVCpuBuilder;

pub use crate::types::_network_interface_count::NetworkInterfaceCountBuilder;

pub use crate::types::_total_local_storage_gb::TotalLocalStorageGbBuilder;

pub use crate::types::_baseline_ebs_bandwidth_mbps::BaselineEbsBandwidthMbpsBuilder;

pub use crate::types::_accelerator_count::AcceleratorCountBuilder;

pub use crate::types::_accelerator_total_memory_mib::AcceleratorTotalMemoryMiBBuilder;

pub use crate::types::_network_bandwidth_gbps::NetworkBandwidthGbpsBuilder;

pub use crate::types::_baseline_performance_factors::BaselinePerformanceFactorsBuilder;

pub use crate::types::_ebs_instance_block_device_specification::EbsInstanceBlockDeviceSpecificationBuilder;

pub use crate::types::_fleet_launch_template_specification::FleetLaunchTemplateSpecificationBuilder;

pub use crate::types::_monitoring::MonitoringBuilder;

pub use crate::types::_spot_capacity_rebalance::SpotCapacityRebalanceBuilder;

pub use crate::types::_spot_fleet_launch_specification::SpotFleetLaunchSpecificationBuilder;

pub use crate::types::_classic_load_balancers_config::ClassicLoadBalancersConfigBuilder;

pub use crate::types::_target_groups_config::TargetGroupsConfigBuilder;

pub use crate::types::_ena_srd_specification_request::EnaSrdSpecificationRequestBuilder;

pub use crate::types::_cpu_options::CpuOptionsBuilder;

pub use crate::types::_capacity_reservation_specification_response::CapacityReservationSpecificationResponseBuilder;

pub use crate::types::_hibernation_options::HibernationOptionsBuilder;

pub use crate::types::_private_dns_name_options_response::PrivateDnsNameOptionsResponseBuilder;

pub use crate::types::_instance_maintenance_options::InstanceMaintenanceOptionsBuilder;

pub use crate::types::_instance_network_performance_options::InstanceNetworkPerformanceOptionsBuilder;

pub use crate::types::_user_id_group_pair::UserIdGroupPairBuilder;

pub use crate::types::_ip_range::IpRangeBuilder;

pub use crate::types::_ipv6_range::Ipv6RangeBuilder;

pub use crate::types::_prefix_list_id::PrefixListIdBuilder;

pub use crate::types::_cpu_performance_factor::CpuPerformanceFactorBuilder;

pub use crate::types::_launch_template_overrides::LaunchTemplateOverridesBuilder;

pub use crate::types::_spot_fleet_monitoring::SpotFleetMonitoringBuilder;

pub use crate::types::_instance_secondary_interface_private_ip_address_request::InstanceSecondaryInterfacePrivateIpAddressRequestBuilder;

pub use crate::types::_ena_srd_udp_specification_request::EnaSrdUdpSpecificationRequestBuilder;

pub use crate::types::_elastic_gpu_association::ElasticGpuAssociationBuilder;

pub use crate::types::_elastic_inference_accelerator_association::ElasticInferenceAcceleratorAssociationBuilder;

pub use crate::types::_instance_network_interface::InstanceNetworkInterfaceBuilder;

pub use crate::types::_license_configuration::LicenseConfigurationBuilder;

pub use crate::types::_instance_secondary_interface::InstanceSecondaryInterfaceBuilder;

pub use crate::types::_performance_factor_reference_request::PerformanceFactorReferenceRequestBuilder;

pub use crate::types::_spot_fleet_tag_specification::SpotFleetTagSpecificationBuilder;

pub use crate::types::_classic_load_balancer::ClassicLoadBalancerBuilder;

pub use crate::types::_target_group::TargetGroupBuilder;

pub use crate::types::_instance_network_interface_association::InstanceNetworkInterfaceAssociationBuilder;

pub use crate::types::_instance_network_interface_attachment::InstanceNetworkInterfaceAttachmentBuilder;

pub use crate::types::_connection_tracking_specification_response::ConnectionTrackingSpecificationResponseBuilder;

pub use crate::types::_instance_secondary_interface_attachment::InstanceSecondaryInterfaceAttachmentBuilder;

pub use crate::types::_performance_factor_reference::PerformanceFactorReferenceBuilder;

pub use crate::types::_instance_attachment_ena_srd_specification::InstanceAttachmentEnaSrdSpecificationBuilder;

pub use crate::types::_instance_private_ip_address::InstancePrivateIpAddressBuilder;

pub use crate::types::_instance_ipv4_prefix::InstanceIpv4PrefixBuilder;

pub use crate::types::_instance_ipv6_prefix::InstanceIpv6PrefixBuilder;

pub use crate::types::_instance_secondary_interface_private_ip_address::InstanceSecondaryInterfacePrivateIpAddressBuilder;

pub use crate::types::_instance_attachment_ena_srd_udp_specification::InstanceAttachmentEnaSrdUdpSpecificationBuilder;
