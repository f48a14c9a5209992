

pub use crate::types::_create_bucket_configuration::CreateBucketConfigurationBuilder;

pub use crate::types::_session_credentials::SessionCredentialsBuilder;

pub use crate::types::_owner::OwnerBuilder;

pub use crate::types::_analytics_configuration::AnalyticsConfigurationBuilder;

pub use crate::types::_server_side_encryption_configuration::ServerSideEncryptionConfigurationBuilder;

pub use crate::types::_intelligent_tiering_configuration::IntelligentTieringConfigurationBuilder;

pub use crate::types::_inventory_configuration::InventoryConfigurationBuilder;

pub use crate::types::_logging_enabled::LoggingEnabledBuilder;

pub use crate::types::_get_bucket_metadata_configuration_result::GetBucketMetadataConfigurationResultBuilder;

pub use crate::types::_get_bucket_metadata_table_configuration_result::GetBucketMetadataTableConfigurationResultBuilder;

pub use crate::types::_metrics_configuration::MetricsConfigurationBuilder;

pub use crate::types::_ownership_controls::OwnershipControlsBuilder;

pub use crate::types::_replication_configuration::ReplicationConfigurationBuilder;

pub use crate::types::_redirect_all_requests_to::RedirectAllRequestsToBuilder;

pub use crate::types::_index_document::IndexDocumentBuilder;

pub use crate::types::_error_document::ErrorDocumentBuilder;

pub use crate::types::_public_access_block_configuration::PublicAccessBlockConfigurationBuilder;

pub use crate::types::_access_control_policy::AccessControlPolicyBuilder;

pub use crate::types::_cors_configuration::CorsConfigurationBuilder;

pub use crate::types::_bucket_lifecycle_configuration::BucketLifecycleConfigurationBuilder;

pub use crate::types::_bucket_logging_status::BucketLoggingStatusBuilder;

pub use crate::types::_tagging::TaggingBuilder;

pub use crate::types::_versioning_configuration::VersioningConfigurationBuilder;

pub use crate::types::_location_info::LocationInfoBuilder;

pub use crate::types::_bucket_info::BucketInfoBuilder;

pub use crate::types::_grant::GrantBuilder;

pub use crate::types::_storage_class_analysis::StorageClassAnalysisBuilder;

pub use crate::types::_cors_rule::CorsRuleBuilder;

pub use crate::types::_intelligent_tiering_filter::IntelligentTieringFilterBuilder;

pub use crate::types::_inventory_destination::InventoryDestinationBuilder;

pub use crate::types::_inventory_filter::InventoryFilterBuilder;

pub use crate::types::_inventory_schedule::InventoryScheduleBuilder;

pub use crate::types::_lifecycle_rule::LifecycleRuleBuilder;

pub use crate::types::_target_object_key_format::TargetObjectKeyFormatBuilder;

pub use crate::types::_metadata_configuration_result::MetadataConfigurationResultBuilder;

pub use crate::types::_metadata_table_configuration_result::MetadataTableConfigurationResultBuilder;

pub use crate::types::_error_details::ErrorDetailsBuilder;

pub use crate::types::_topic_configuration::TopicConfigurationBuilder;

pub use crate::types::_queue_configuration::QueueConfigurationBuilder;

pub use crate::types::_lambda_function_configuration::LambdaFunctionConfigurationBuilder;

pub use crate::types::_tag::TagBuilder;

pub use crate::types::_routing_rule::RoutingRuleBuilder;

pub use crate::types::_bucket::BucketBuilder;

pub use crate::types::_common_prefix::CommonPrefixBuilder;

pub use crate::types::_annotation_entry::AnnotationEntryBuilder;

pub use crate::types::_object::ObjectBuilder;

pub use crate::types::_records_event::RecordsEventBuilder;

pub use crate::types::_stats_event::StatsEventBuilder;

pub use crate::types::_progress_event::ProgressEventBuilder;

pub use crate::types::_continuation_event::ContinuationEventBuilder;

pub use crate::types::_end_event::EndEventBuilder;

pub use crate::types::_record_expiration::RecordExpirationBuilder;

pub use crate::types::_grantee::GranteeBuilder;

pub use crate::types::_analytics_and_operator::AnalyticsAndOperatorBuilder;

pub use crate::types::_storage_class_analysis_data_export::StorageClassAnalysisDataExportBuilder;

pub use crate::types::_server_side_encryption_rule::ServerSideEncryptionRuleBuilder;

pub use crate::types::_intelligent_tiering_and_operator::IntelligentTieringAndOperatorBuilder;

pub use crate::types::_tiering::TieringBuilder;

pub use crate::types::_inventory_s3_bucket_destination::InventoryS3BucketDestinationBuilder;

pub use crate::types::_lifecycle_expiration::LifecycleExpirationBuilder;

pub use crate::types::_lifecycle_rule_filter::LifecycleRuleFilterBuilder;

pub use crate::types::_noncurrent_version_expiration::NoncurrentVersionExpirationBuilder;

pub use crate::types::_abort_incomplete_multipart_upload::AbortIncompleteMultipartUploadBuilder;

pub use crate::types::_target_grant::TargetGrantBuilder;

pub use crate::types::_simple_prefix::SimplePrefixBuilder;

pub use crate::types::_partitioned_prefix::PartitionedPrefixBuilder;

pub use crate::types::_destination_result::DestinationResultBuilder;

pub use crate::types::_journal_table_configuration_result::JournalTableConfigurationResultBuilder;

pub use crate::types::_inventory_table_configuration_result::InventoryTableConfigurationResultBuilder;

pub use crate::types::_annotation_table_configuration_result::AnnotationTableConfigurationResultBuilder;

pub use crate::types::_s3_tables_destination_result::S3TablesDestinationResultBuilder;

pub use crate::types::_metrics_and_operator::MetricsAndOperatorBuilder;

pub use crate::types::_notification_configuration_filter::NotificationConfigurationFilterBuilder;

pub use crate::types::_ownership_controls_rule::OwnershipControlsRuleBuilder;

pub use crate::types::_replication_rule::ReplicationRuleBuilder;

pub use crate::types::_condition::ConditionBuilder;

pub use crate::types::_redirect::RedirectBuilder;

pub use crate::types::_restore_status::RestoreStatusBuilder;

pub use crate::types::_stats::StatsBuilder;

pub use crate::types::_progress::ProgressBuilder;

pub use crate::types::_analytics_export_destination::AnalyticsExportDestinationBuilder;

pub use crate::types::_server_side_encryption_by_default::ServerSideEncryptionByDefaultBuilder;

pub use crate::types::_blocked_encryption_types::BlockedEncryptionTypesBuilder;

pub use crate::types::_inventory_encryption::InventoryEncryptionBuilder;

pub use crate::types::_lifecycle_rule_and_operator::LifecycleRuleAndOperatorBuilder;

pub use crate::types::_transition::TransitionBuilder;

pub use crate::types::_noncurrent_version_transition::NoncurrentVersionTransitionBuilder;

pub use crate::types::_s3_key_filter::S3KeyFilterBuilder;

pub use crate::types::_replication_rule_filter::ReplicationRuleFilterBuilder;

pub use crate::types::_source_selection_criteria::SourceSelectionCriteriaBuilder;

pub use crate::types::_existing_object_replication::ExistingObjectReplicationBuilder;

pub use crate::types::_destination::DestinationBuilder;

pub use crate::types::_delete_marker_replication::DeleteMarkerReplicationBuilder;

pub use crate::types::_analytics_s3_bucket_destination::AnalyticsS3BucketDestinationBuilder;

pub use crate::types::_sses3::Sses3Builder;

pub use crate::types::_ssekms::SsekmsBuilder;

pub use crate::types::_replication_rule_and_operator::ReplicationRuleAndOperatorBuilder;

pub use crate::types::_sse_kms_encrypted_objects::SseKmsEncryptedObjectsBuilder;

pub use crate::types::_replica_modifications::ReplicaModificationsBuilder;

pub use crate::types::_access_control_translation::AccessControlTranslationBuilder;

pub use crate::types::_encryption_configuration::EncryptionConfigurationBuilder;

pub use crate::types::_replication_time::ReplicationTimeBuilder;

pub use crate::types::_metrics::MetricsBuilder;

pub use crate::types::_filter_rule::FilterRuleBuilder;

pub use crate::types::_replication_time_value::ReplicationTimeValueBuilder;
