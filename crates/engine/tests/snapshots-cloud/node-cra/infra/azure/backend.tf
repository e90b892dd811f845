# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The state lives in the storage account the bootstrap stack creates, one blob per environment (the
# pipeline passes -backend-config="key=node-cra/<environment>.tfstate"); a blob lease locks it.
# The backend signs in with Entra ID: the account has no keys to leak.

terraform {
  backend "azurerm" {
    resource_group_name  = "node-cra-shared"
    storage_account_name = "nodecratfstate"
    container_name       = "tfstate"
    key                  = "node-cra/production.tfstate"
    use_azuread_auth     = true
  }
}
