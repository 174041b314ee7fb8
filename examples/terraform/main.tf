# Talos machine configurations with Longhorn v2 patches, through Terraform's external data
# source. `npx talos-longhorn terraform` runs once per node: no files, deterministic output.

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

locals {
  cluster_name     = "longhorn"
  cluster_endpoint = "https://10.0.0.10:6443"
  talos_version    = "v1.11.5"

  # One query per node; every value is a string, as the external data source requires.
  nodes = {
    "worker-1" = {
      node_id       = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L"
      talos_version = "1.11"
      disks         = "0000:01:00.0"
      vfio_rebind   = "true"
    }
    "worker-2" = {
      machine_id      = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e"
      talos_version   = "1.11"
      memory_size_mib = "4096"
      disks           = "0000:01:00.0,/dev/nvme1n1"
    }
  }
}

data "external" "longhorn" {
  for_each = local.nodes
  program  = ["npx", "talos-longhorn", "terraform"]
  query    = each.value
}

resource "talos_machine_secrets" "this" {
  talos_version = local.talos_version
}

resource "talos_image_factory_schematic" "longhorn" {
  schematic = data.external.longhorn["worker-1"].result.schematic
}

data "talos_machine_configuration" "worker" {
  for_each         = local.nodes
  cluster_name     = local.cluster_name
  cluster_endpoint = local.cluster_endpoint
  machine_type     = "worker"
  machine_secrets  = talos_machine_secrets.this.machine_secrets
  talos_version    = local.talos_version
  config_patches = [
    data.external.longhorn[each.key].result.patch,
    yamlencode({
      machine = {
        install = {
          image = "factory.talos.dev/installer/${talos_image_factory_schematic.longhorn.id}:${local.talos_version}"
        }
      }
    }),
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
