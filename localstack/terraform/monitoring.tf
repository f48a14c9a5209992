# An alarm that pages on-call when the orders queue backs up. Switching its actions off during an
# incident ("it keeps paging") and never back on shows up as drift of actions_enabled. It is
# created without tags (see local.tags in providers.tf); the apply tags it with TagResource
# afterwards, so terraform leaves its tags alone.
resource "aws_cloudwatch_metric_alarm" "orders_backlog" {
  alarm_name          = "${var.name_prefix}-orders-backlog"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.orders.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1000
  comparison_operator = "GreaterThanThreshold"
  actions_enabled     = true
  alarm_actions       = ["arn:aws:sns:${var.region}:${data.aws_caller_identity.current.account_id}:${var.name_prefix}-on-call"]

  lifecycle {
    ignore_changes = [tags, tags_all]
  }
}

# The topic the alarm pages, with an access policy managed in code: only its own account may
# publish. An out-of-band statement letting anyone publish shows up as drift of the policy.
resource "aws_sns_topic" "on_call" {
  name = "${var.name_prefix}-on-call"
  tags = merge(local.tags, { Name = "${var.name_prefix}-on-call", "drill:target" = "on-call" })
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OwnAccountPublishes"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "SNS:Publish"
      Resource  = "arn:aws:sns:${var.region}:${data.aws_caller_identity.current.account_id}:${var.name_prefix}-on-call"
    }]
  })
}

# The orders service's logs, kept for 90 days: what an incident review reads. Cutting the
# retention shows up as drift of retention_in_days.
resource "aws_cloudwatch_log_group" "orders" {
  name              = "/${var.name_prefix}/orders"
  retention_in_days = 90
  tags              = merge(local.tags, { Name = "/${var.name_prefix}/orders", "drill:target" = "orders-logs" })
}

# Counts the orders service's failures into the metric an alarm would page on. Deleting the
# filter shows up as a filter terraform would create again.
resource "aws_cloudwatch_log_metric_filter" "order_failures" {
  name           = "order-failures"
  log_group_name = aws_cloudwatch_log_group.orders.name
  pattern        = "ERROR"
  metric_transformation {
    name          = "OrderFailures"
    namespace     = "${var.name_prefix}/orders"
    value         = "1"
    default_value = "0"
  }
}

# Order events fanned out to the services that react to them, encrypted with SNS's AWS-managed
# key. Clearing the key shows up as drift of kms_master_key_id.
resource "aws_sns_topic" "order_events" {
  name              = "${var.name_prefix}-order-events"
  kms_master_key_id = "alias/aws/sns"
  tags              = merge(local.tags, { Name = "${var.name_prefix}-order-events", "drill:target" = "order-events" })
}
