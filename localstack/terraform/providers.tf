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
    ec2 = var.endpoint
    s3  = var.endpoint
    sts = var.endpoint
    iam = var.endpoint
    sqs = var.endpoint
    cloudwatch = var.endpoint
    logs = var.endpoint
    sns = var.endpoint
    ssm = var.endpoint
  }

  default_tags {
    tags = {
      Environment = "staging"
      ManagedBy   = "terraform"
      Project     = "driftdrill-sample"
      Stack       = var.name_prefix
    }
  }
}

# The same provider without default tags, for CloudWatch alarms only: LocalStack 4.12 keeps the
# tags given to PutMetricAlarm inside the alarm, where ListTagsForResource never sees them and
# its CBOR DescribeAlarms (the protocol current AWS SDKs speak) cannot serialise them. Alarms are
# created untagged and driftdrill tags them with TagResource right after the apply.
provider "aws" {
  alias                       = "untagged"
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}
