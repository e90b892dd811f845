# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

resource "azurerm_virtual_network" "main" {
  resource_group_name = azurerm_resource_group.server.name
  location            = azurerm_resource_group.server.location
  name                = local.name
  address_space       = [var.vpc_cidr]
  tags                = local.tags
}

resource "azurerm_subnet" "server" {
  name                            = "server"
  resource_group_name             = azurerm_resource_group.server.name
  virtual_network_name            = azurerm_virtual_network.main.name
  address_prefixes                = [cidrsubnet(var.vpc_cidr, 4, 0)]
  default_outbound_access_enabled = false
}

# The server's firewall, in front of the one the playbook sets up on the machine: in, HTTP and HTTPS
# from anywhere and SSH from the admin ranges; out, HTTP and HTTPS for the package mirrors, the image
# registry and the certificate authority, and nothing else.
resource "azurerm_network_security_group" "server" {
  resource_group_name = azurerm_resource_group.server.name
  location            = azurerm_resource_group.server.location
  name                = "${local.name}-server"

  security_rule {
    name                       = "web"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["80", "443"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "ssh"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefixes    = var.admin_cidrs
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "web-out"
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["80", "443"]
    source_address_prefix      = "*"
    destination_address_prefix = "Internet"
  }

  security_rule {
    name                       = "dns-out"
    priority                   = 110
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "53"
    source_address_prefix      = "*"
    destination_address_prefix = "AzureCloud"
  }

  security_rule {
    name                       = "nothing-else-out"
    priority                   = 4000
    direction                  = "Outbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }

  tags = local.tags
}

resource "azurerm_subnet_network_security_group_association" "server" {
  subnet_id                 = azurerm_subnet.server.id
  network_security_group_id = azurerm_network_security_group.server.id
}

# The server's address; it stays when the VM is replaced, and DNS points at it.
resource "azurerm_public_ip" "server" {
  resource_group_name = azurerm_resource_group.server.name
  location            = azurerm_resource_group.server.location
  name                = local.name
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_network_interface" "server" {
  resource_group_name = azurerm_resource_group.server.name
  location            = azurerm_resource_group.server.location
  name                = local.name

  ip_configuration {
    name                          = "server"
    subnet_id                     = azurerm_subnet.server.id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.server.id
  }

  tags = local.tags
}
