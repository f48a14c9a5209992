# A VPC with one subnet, a network ACL and two security groups whose ingress rules terraform
# manages authoritatively (inline rules), so an out-of-band rule shows up as drift.
resource "aws_vpc" "main" {
  cidr_block = "10.42.0.0/16"
  # Stated, not left to the default: switching the resolver off is drift of enable_dns_support.
  enable_dns_support = true
  tags               = merge(local.tags, { Name = "${var.name_prefix}-vpc", "drill:target" = "app-vpc" })
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.42.1.0/24"
  # Stated, not left to the default: a private tier never hands out public addresses.
  map_public_ip_on_launch = false
  tags                    = merge(local.tags, { Name = "${var.name_prefix}-app", "drill:target" = "app-subnet" })
}

resource "aws_network_acl" "app" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.app.id]

  # No SSH from anywhere into the subnet, whatever a security group allows.
  ingress {
    rule_no    = 50
    protocol   = "tcp"
    action     = "deny"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }

  ingress {
    rule_no    = 100
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "10.42.0.0/16"
    from_port  = 443
    to_port    = 443
  }

  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-app-acl", "drill:target" = "app-acl" })
}

resource "aws_security_group" "web" {
  name        = "${var.name_prefix}-web"
  description = "web tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "https from anywhere"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "http from the vpc"
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["10.42.0.0/16"]
  }

  egress {
    description = "all egress"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-web", "drill:target" = "web" })
}

resource "aws_security_group" "db" {
  name        = "${var.name_prefix}-db"
  description = "database tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "postgres from the app subnet"
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["10.42.1.0/24"]
  }

  egress {
    description = "all egress"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-db", "drill:target" = "db" })
}

# Kept for the "attach an extra security group" drill: not attached to anything by terraform.
resource "aws_security_group" "admin" {
  name        = "${var.name_prefix}-admin"
  description = "admin access, attached only during drills"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "ssh from the bastion range"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.42.9.0/24"]
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-admin", "drill:target" = "admin" })
}

# Outbound only: the batch jobs reach their partners through egress rules managed in code. Its
# own group, so the egress drill runs beside the suppression drill on the ops group instead of
# after it.
resource "aws_security_group" "jobs" {
  name        = "${var.name_prefix}-jobs"
  description = "batch jobs, egress only"
  vpc_id      = aws_vpc.main.id

  egress {
    description = "https to partners"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-jobs", "drill:target" = "jobs" })
}

# A suppression on purpose, as real configurations have them: the ops team edits this group's
# ingress by hand, so terraform ignores ingress changes. A full plan (and the scheduled job that
# runs one) must stay silent about them; a refresh-only plan still reports them. The
# expected-negative drill proves the suppression hides exactly this and nothing more.
resource "aws_security_group" "ops" {
  name        = "${var.name_prefix}-ops"
  description = "ops tools, ingress edited by hand"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "ssh from the bastion range"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.42.9.0/24"]
  }

  egress {
    description = "all egress"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-ops", "drill:target" = "ops" })

  lifecycle {
    ignore_changes = [ingress]
  }
}
