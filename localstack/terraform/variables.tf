variable "endpoint" {
  description = "LocalStack gateway URL, on loopback (for example http://127.0.0.1:4566)."
  type        = string
  validation {
    condition     = can(regex("^https?://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?/?$", var.endpoint))
    error_message = "The sample environment only ever targets a loopback endpoint."
  }
}

variable "region" {
  description = "Region to create the environment in."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix for every name, unique per test or demo so environments can coexist."
  type        = string
  default     = "dd-sample"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lowercase letters, digits and dashes (bucket-name safe)."
  }
}

variable "ami" {
  description = "AMI for the sample instance (LocalStack ships a few fake ones)."
  type        = string
  default     = "ami-03cf127a"
}

variable "lifecycle_rules" {
  description = "Whether the data bucket gets its lifecycle rule."
  type        = bool
  default     = true
}

variable "import_lifecycle" {
  description = "Import the data bucket's lifecycle rule instead of creating it (driftdrill puts it first: creating one makes the provider wait about a minute)."
  type        = bool
  default     = false
}

variable "imports" {
  description = "Import these resources (ids by resource name: the queues orders and orders_dlq by URL, the parameter orders_endpoint by name) instead of creating them. driftdrill makes them first as declared: the provider waits about 25 s after creating a queue, and a put of the parameter retried under load fails the apply."
  type        = map(string)
  default     = {}
}
