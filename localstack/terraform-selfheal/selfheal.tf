# The demo's self-healing corner, a workspace of its own (its own state: a scheduled apply here
# never races the sample environment's plans). A scheduled `terraform apply` keeps this bucket's
# versioning on, the way Spacelift's and env0's auto-remediation do; Cloud Custodian removes
# world-open SSH from this group (detectors/custodian/remediate/), so terraform leaves its rules
# alone. providers.tf and variables.tf are the sample environment's.
resource "aws_vpc" "selfheal" {
  cidr_block = "10.88.0.0/16"
  tags       = merge(local.tags, { Name = "${var.name_prefix}-selfheal-vpc" })
}

resource "aws_security_group" "selfheal" {
  name        = "${var.name_prefix}-selfheal"
  description = "self-healing: custodian removes world-open ssh"
  vpc_id      = aws_vpc.selfheal.id
  tags        = merge(local.tags, { Name = "${var.name_prefix}-selfheal", "drill:target" = "selfheal" })

  lifecycle {
    ignore_changes = [ingress, egress]
  }
}

resource "aws_s3_bucket" "selfheal" {
  bucket = "${var.name_prefix}-selfheal"
  tags   = merge(local.tags, { Name = "${var.name_prefix}-selfheal", "drill:target" = "selfheal" })
}

resource "aws_s3_bucket_versioning" "selfheal" {
  bucket = aws_s3_bucket.selfheal.id
  versioning_configuration {
    status = "Enabled"
  }
}

output "security_group_id" { value = aws_security_group.selfheal.id }
output "bucket_name" { value = aws_s3_bucket.selfheal.bucket }
