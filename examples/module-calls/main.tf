# A root module calling a local module twice: Keywarden evaluates the module once per call, with
# the call's arguments as its variables.

module "break_glass" {
  source = "./modules/access-key"
  user   = "root"
}

module "deploy" {
  source = "./modules/access-key"
  user   = "deploy"
}
