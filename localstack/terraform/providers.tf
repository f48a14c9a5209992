# Provider set-up for the sample environment. Every endpoint is the LocalStack gateway on
# loopback (aws-config); credentials are LocalStack's fixed test pair, never real ones.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  # Every service's endpoint is aws-config's `endpoint_url`, which driftdrill writes beside these
  # files from var.endpoint once it has checked that it is loopback. That check is what guards
  # the calls now: the provider no longer reads var.endpoint, so a plan reads the resources
  # before variables.tf's validation fails. Not an `endpoints`
  # block: with one, hashicorp/aws 5.100 spends about 2.5 CPU-seconds validating the provider
  # configuration in each of the two provider processes that validate it, half of every plan of
  # this environment (10.5 s -> 5.9 s, 9.8 -> 4.7 CPU-seconds measured). driftdrill sets
  # AWS_ENDPOINT_URL to the same URL and removes AWS_ENDPOINT_URL_<SERVICE> and
  # AWS_IGNORE_CONFIGURED_ENDPOINT_URLS for every terraform it runs here, since those outrank
  # the file.
  profile             = "driftdrill-sample"
  shared_config_files = ["${path.module}/aws-config"]
}

# The tags every resource carries, stated on each resource rather than as the provider's
# default_tags: LocalStack 4.12 keeps the tags given to PutMetricAlarm inside the alarm, where
# ListTagsForResource never sees them and its CBOR DescribeAlarms (the protocol current AWS SDKs
# speak) cannot serialise them, so the alarm must be created untagged; a second provider
# configuration without default tags made every plan start the AWS provider five times instead
# of three (about 10 of 27 CPU-seconds a plan, and the demo runs four terraform loops on two cores).
locals {
  tags = {
    Environment = "staging"
    ManagedBy   = "terraform"
    Project     = "driftdrill-sample"
    Stack       = var.name_prefix
  }
}
