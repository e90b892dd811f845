# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The cluster's network: the nodes' subnet, with no default way out (the cluster's load balancer
# is the way out) and a security group that lets in HTTP and HTTPS for the app's load balancer.
# Pods take addresses from the overlay, outside this range.

resource "azurerm_virtual_network" "main" {
  name                = local.name
  location            = var.location
  resource_group_name = data.azurerm_resource_group.env.name
  address_space       = [var.vpc_cidr]
  tags                = local.tags
}

resource "azurerm_subnet" "nodes" {
  name                            = "nodes"
  resource_group_name             = data.azurerm_resource_group.env.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [cidrsubnet(var.vpc_cidr, 2, 0)]
  default_outbound_access_enabled = false
}

resource "azurerm_network_security_group" "nodes" {
  name                = "${local.name}-nodes"
  location            = var.location
  resource_group_name = data.azurerm_resource_group.env.name

  security_rule {
    name                       = "web"
    description                = "HTTP and HTTPS to the app's load balancer, from anywhere"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["80", "443"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "VirtualNetwork"
  }

  tags = local.tags
}

resource "azurerm_subnet_network_security_group_association" "nodes" {
  subnet_id                 = azurerm_subnet.nodes.id
  network_security_group_id = azurerm_network_security_group.nodes.id
}
