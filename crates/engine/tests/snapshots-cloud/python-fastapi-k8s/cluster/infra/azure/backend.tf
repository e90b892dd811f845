# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The state lives in the storage account the bootstrap stack creates, one blob per environment (the
# pipeline passes -backend-config="key=python-fastapi-k8s/<environment>.tfstate"); a blob lease locks it.
# The backend signs in with Entra ID: the account has no keys to leak.

terraform {
  backend "azurerm" {
    resource_group_name  = "python-fastapi-k8s-shared"
    storage_account_name = "pythonfastapik8stfstate"
    container_name       = "tfstate"
    key                  = "python-fastapi-k8s/production.tfstate"
    use_azuread_auth     = true
  }
}
