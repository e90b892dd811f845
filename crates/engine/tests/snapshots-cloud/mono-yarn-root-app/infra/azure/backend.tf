# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The state lives in the storage account the bootstrap stack creates, one blob per environment (the
# pipeline passes -backend-config="key=mono-yarn-root-app/<environment>.tfstate"); a blob lease locks it.
# The backend signs in with Entra ID: the account has no keys to leak.

terraform {
  backend "azurerm" {
    resource_group_name  = "mono-yarn-root-app-shared"
    storage_account_name = "monoyarnrootapptfstate"
    container_name       = "tfstate"
    key                  = "mono-yarn-root-app/production.tfstate"
    use_azuread_auth     = true
  }
}
