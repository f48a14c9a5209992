output "vpc_id" { value = aws_vpc.main.id }
output "network_acl_id" { value = aws_network_acl.app.id }
output "security_group_ids" {
  value = {
    web   = aws_security_group.web.id
    db    = aws_security_group.db.id
    admin = aws_security_group.admin.id
    ops   = aws_security_group.ops.id
    jobs  = aws_security_group.jobs.id
  }
}
output "instance_id" { value = aws_instance.app.id }
output "queue_urls" { value = { orders = aws_sqs_queue.orders.id } }
output "alarm_names" { value = { orders_backlog = aws_cloudwatch_metric_alarm.orders_backlog.alarm_name } }
output "bucket_names" { value = { for k, b in aws_s3_bucket.this : k => b.bucket } }
