# keywarden:ignore terraform-aws-root-account-has-active-access-keys,terraform-aws-iam-access-key-is-exposed break-glass key, vaulted; review by the end of 2099 exp:2099-12-31
resource "aws_iam_access_key" "break_glass" {
  user = "root"
}
