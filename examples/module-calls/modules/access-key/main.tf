variable "user" {
  type    = string
  default = "root"
}

resource "aws_iam_access_key" "this" {
  user = var.user
}
