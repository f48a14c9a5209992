# Provider set-up for the sample environment. Every endpoint is the LocalStack gateway on
# loopback; credentials are LocalStack's fixed test pair, never real ones.
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

  endpoints {
    ec2        = var.endpoint
    s3         = var.endpoint
    sts        = var.endpoint
    iam        = var.endpoint
    sqs        = var.endpoint
    cloudwatch = var.endpoint
    logs       = var.endpoint
    sns        = var.endpoint
    ssm        = var.endpoint
  }
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
