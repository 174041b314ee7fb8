# A Talos cluster whose nodes are ready for Longhorn v2: the siderolabs/talos provider builds and
# applies each node's machine configuration with our patch in config_patches. The patch comes from
# `talos-longhorn terraform` (an external data source, run once per node: no files, deterministic).
#
# Install talos-longhorn next to this file first (from a clone: `npm pack` there, then
# `npm install /path/to/talos-longhorn-*.tgz` here), so that the program below exists. The program
# is called by its path, never through npx: npx would fetch a package of that name from the
# registry when none is installed.

terraform {
  required_providers {
    external = {
      source  = "hashicorp/external"
      version = "~> 2.3"
    }
    talos = {
      source  = "siderolabs/talos"
      version = "~> 0.9"
    }
  }
}

variable "talos_version" {
  description = "Talos release of the nodes, as X.Y.Z (the only place it is named)."
  type        = string
  default     = "1.11.6"
}

variable "talos_longhorn" {
  description = "Path of the talos-longhorn program (empty: node_modules/.bin/talos-longhorn beside this file)."
  type        = string
  default     = ""
}

variable "installer_image" {
  description = "Installer with the longhorn-v2-node extension, built from installer.yaml (empty: Image Factory's, without it)."
  type        = string
  default     = ""
}

locals {
  cluster_name     = "longhorn"
  cluster_endpoint = "https://10.0.0.10:6443"
  talos_longhorn   = var.talos_longhorn != "" ? var.talos_longhorn : "${path.module}/node_modules/.bin/talos-longhorn"

  # Per node: its address, its role, and the query for talos-longhorn (every value a string,
  # as the external data source requires).
  nodes = {
    "cp-1" = {
      address = "10.0.0.11"
      role    = "controlplane"
      query = {
        machine_id     = "8d2c0de2408fa2a178bad7f45d9aa8fb"
        v2_data_engine = "false"
      }
    }
    "worker-1" = {
      address = "10.0.0.21"
      role    = "worker"
      query = {
        node_id     = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L"
        disks       = "0000:01:00.0"
        vfio_rebind = "true"
      }
    }
    "worker-2" = {
      address = "10.0.0.22"
      role    = "worker"
      query = {
        machine_id      = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e"
        memory_size_mib = "4096"
        disks           = "0000:01:00.0,/dev/nvme1n1"
      }
    }
  }
}

data "external" "longhorn" {
  for_each = local.nodes
  program  = [local.talos_longhorn, "terraform"]
  query    = merge(each.value.query, { talos_version = var.talos_version })
}

resource "talos_machine_secrets" "this" {
  talos_version = "v${var.talos_version}"
}

resource "talos_image_factory_schematic" "longhorn" {
  schematic = data.external.longhorn["worker-1"].result.schematic
}

locals {
  installer_image = var.installer_image != "" ? var.installer_image : "factory.talos.dev/installer/${talos_image_factory_schematic.longhorn.id}:v${var.talos_version}"
}

data "talos_machine_configuration" "node" {
  for_each         = local.nodes
  cluster_name     = local.cluster_name
  cluster_endpoint = local.cluster_endpoint
  machine_type     = each.value.role
  machine_secrets  = talos_machine_secrets.this.machine_secrets
  talos_version    = "v${var.talos_version}"
}

resource "talos_machine_configuration_apply" "node" {
  for_each                    = local.nodes
  client_configuration        = talos_machine_secrets.this.client_configuration
  machine_configuration_input = data.talos_machine_configuration.node[each.key].machine_configuration
  node                        = each.value.address
  config_patches = [
    data.external.longhorn[each.key].result.patch,
    yamlencode({ machine = { install = { image = local.installer_image } } }),
  ]
}

output "initiators" {
  description = "iSCSI IQN and NVMe host NQN per node, e.g. for SAN access lists."
  value = {
    for name, node in data.external.longhorn : name => {
      iqn      = node.result.iqn
      host_nqn = node.result.host_nqn
    }
  }
}

output "kernel_modules" {
  value = { for name, node in data.external.longhorn : name => jsondecode(node.result.kernel_modules) }
}
