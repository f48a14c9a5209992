# Six buckets with the data-protection settings teams manage in code: versioning, a public
# access block, a TLS-only bucket policy, default encryption and tags. The data bucket also has
# a lifecycle rule and access logging; the artifacts bucket has a CORS rule.
locals {
  buckets = {
    data      = "primary application data"
    logs      = "access logs"
    artifacts = "build artifacts"
    media     = "user uploads"
    reports   = "generated reports"
    exports   = "data exports for partners"
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  bucket   = "${var.name_prefix}-${each.key}"
  # Only the data bucket must log access (detectors/custodian/storage.yml checks buckets tagged so).
  tags = merge(
    local.tags,
    { Name = "${var.name_prefix}-${each.key}", Purpose = each.value, "drill:target" = each.key },
    each.key == "data" ? { AccessLogging = "required" } : {},
  )
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

# The reports bucket enforces object ownership: its ACLs are off, as AWS makes new buckets.
# Switching them back on shows up as drift of object_ownership.
resource "aws_s3_bucket_ownership_controls" "reports" {
  bucket = aws_s3_bucket.this["reports"].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [each.value.arn, "${each.value.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  # Creating one makes the provider wait about a minute for lifecycle consistency, so driftdrill
  # applies without it, puts this same rule with the SDK and imports it (var.import_lifecycle;
  # src/terraform/sample_env.rs). Tests that do not drill lifecycle rules turn it off.
  count  = var.lifecycle_rules ? 1 : 0
  bucket = aws_s3_bucket.this["data"].id
  rule {
    id     = "expire-noncurrent"
    status = "Enabled"
    filter {
      prefix = "tmp/"
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
  depends_on = [aws_s3_bucket_versioning.this]
}

import {
  for_each = var.lifecycle_rules && var.import_lifecycle ? { data = 0 } : {}
  to       = aws_s3_bucket_lifecycle_configuration.data[each.value]
  id       = aws_s3_bucket.this["data"].id
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.this["data"].id
  target_bucket = aws_s3_bucket.this["logs"].id
  target_prefix = "data/"
}

resource "aws_s3_bucket_cors_configuration" "artifacts" {
  bucket = aws_s3_bucket.this["artifacts"].id
  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = ["https://ci.example.com"]
    max_age_seconds = 300
  }
}
