# A queue with an access policy managed in code: only its own account may send. An out-of-band
# statement opening it to everyone shows up as drift of the policy. The policy is the queue's
# own argument, not an aws_sqs_queue_policy: the provider waits about 25 s after creating either.
# Messages that fail five times go to a dead-letter queue that keeps them for 14 days; detaching
# it is drift of the redrive policy, cutting its retention or encryption drift of its own.
# driftdrill creates both queues as declared with the SDK and imports them (var.imports): the
# provider waits about 25 s after creating each, and the queue waits for its dead-letter queue.
data "aws_caller_identity" "current" {}

resource "aws_sqs_queue" "orders_dlq" {
  name = "${var.name_prefix}-orders-dlq"
  tags = merge(local.tags, { Name = "${var.name_prefix}-orders-dlq", "drill:target" = "orders-dlq" })
  # A dead-letter queue keeps what failed for the longest SQS allows, encrypted like the queue.
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "orders" {
  name = "${var.name_prefix}-orders"
  tags = merge(local.tags, { Name = "${var.name_prefix}-orders", "drill:target" = "orders" })
  # Stated, not left to the default: only a stated value makes switching it off a diff.
  sqs_managed_sse_enabled = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.orders_dlq.arn
    maxReceiveCount     = 5
  })
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OwnAccountSends"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:${var.region}:${data.aws_caller_identity.current.account_id}:${var.name_prefix}-orders"
    }]
  })
}

import {
  for_each = { for name, url in var.imports : name => url if name == "orders_dlq" }
  to       = aws_sqs_queue.orders_dlq
  id       = each.value
}

import {
  for_each = { for name, url in var.imports : name => url if name == "orders" }
  to       = aws_sqs_queue.orders
  id       = each.value
}
