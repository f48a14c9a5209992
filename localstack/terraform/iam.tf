# Identity: three roles (one with an inline policy, a managed attachment and a boundary), a user
# with a managed attachment, a bot user, and a customer-managed policy. None of them manages its
# attachments exclusively, as most code bases do not: a managed policy attached by hand is invisible to
# `terraform plan` (hashicorp/terraform#27992), which the demo's IAM drills show. Names end in
# their kind (`-role`, `-user`, `-policy`): a role named like a security group would make any
# alert that names the group look like it concerns the role too.
locals {
  ec2_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  roles = {
    app    = "the application's instance role"
    deploy = "assumed by the deploy pipeline"
    ops    = "break-glass operations role"
  }
}

resource "aws_iam_role" "this" {
  for_each             = local.roles
  name                 = "${var.name_prefix}-${each.key}-role"
  description          = each.value
  assume_role_policy   = local.ec2_trust
  max_session_duration = 3600
  # The application role may never grant more than power-user access, whatever is attached.
  permissions_boundary = each.key == "app" ? "arn:aws:iam::aws:policy/PowerUserAccess" : null
  tags                 = merge(local.tags, { Name = "${var.name_prefix}-${each.key}-role", "drill:target" = "${each.key}-role" })
}

resource "aws_iam_role_policy" "app_read" {
  name = "app-read"
  role = aws_iam_role.this["app"].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.this["data"].arn}/*" }]
  })
}

resource "aws_iam_role_policy_attachment" "app_read_only" {
  role       = aws_iam_role.this["app"].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_user" "ci" {
  name = "${var.name_prefix}-ci-user"
  tags = merge(local.tags, { Name = "${var.name_prefix}-ci-user", "drill:target" = "ci-user" })
}

resource "aws_iam_user_policy_attachment" "ci_read_only" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# The release pipeline's bot user: what it may do is attached, never written on the user. Like
# most code, this does not manage the user's inline policies exclusively
# (aws_iam_user_policies_exclusive), so one written by hand is invisible to `terraform plan`.
resource "aws_iam_user" "release_bot" {
  name = "${var.name_prefix}-release-bot-user"
  tags = merge(local.tags, { Name = "${var.name_prefix}-release-bot-user", "drill:target" = "release-bot" })
}

resource "aws_iam_policy" "deploy" {
  name        = "${var.name_prefix}-deploy-policy"
  description = "what the deploy pipeline may do"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "${aws_s3_bucket.this["artifacts"].arn}/*" }]
  })
  tags = merge(local.tags, { Name = "${var.name_prefix}-deploy-policy", "drill:target" = "deploy-policy" })
}

# The account's password policy, as CIS AWS Foundations asks: 14 characters with symbols,
# numbers and both cases, 90 days, no reuse of the last 24. An account setting, not a tagged
# resource: lowering the minimum length shows up as drift of minimum_password_length.
resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 14
  require_symbols                = true
  require_numbers                = true
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 24
}
