# Two instances in the app subnet with IMDSv2 required, so the instance drills (resize,
# IMDSv1 and an extra security group on app, termination protection on worker) have a baseline
# and drills on different instances can run at once. LocalStack ignores
# disable_api_termination at launch, so protection starts off (the drill toggles it on).
resource "aws_instance" "app" {
  ami                    = var.ami
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.web.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-app", "drill:target" = "app" })

  # A blind spot on purpose, as real configurations have them: terraform will never report a
  # change of termination protection, so the drill on it shows up as a miss in the report.
  lifecycle {
    ignore_changes = [disable_api_termination]
  }
}

# The batch worker: same hardening, same deliberate blind spot (termination protection).
# Two more instances, so drills on different instances run side by side.
resource "aws_instance" "background" {
  for_each               = toset(["worker", "batch"])
  ami                    = var.ami
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.web.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-${each.key}", "drill:target" = each.key })

  lifecycle {
    ignore_changes = [disable_api_termination]
  }
}

# Where the orders service finds its backend, read at start-up. A value edited by hand during an
# incident shows up as drift of value. driftdrill puts it as declared and imports it
# (var.imports): a create that the provider retries under load fails on the first attempt's
# parameter.
resource "aws_ssm_parameter" "orders_endpoint" {
  name  = "/${var.name_prefix}/orders/endpoint"
  type  = "String"
  value = "https://orders.internal"
  tags  = merge(local.tags, { Name = "/${var.name_prefix}/orders/endpoint", "drill:target" = "orders-endpoint" })
}

import {
  for_each = { for name, id in var.imports : name => id if name == "orders_endpoint" }
  to       = aws_ssm_parameter.orders_endpoint
  id       = each.value
}

# Every new volume in the account and region is encrypted. An account setting, not a resource:
# switching it off shows up as drift of enabled.
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
