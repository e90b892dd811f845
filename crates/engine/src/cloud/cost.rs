//! What a plan costs a month, from a dated price table, so the person sees it before applying.
//!
//! The prices are the clouds' on-demand list prices in their first region (AWS in us-east-1,
//! Google Cloud in us-central1, Azure in East US; other regions differ by a few percent to a third), checked on
//! the date below; a month is 730 hours. Usage that depends on
//! traffic (requests, bytes through the NAT gateway, log volume) is priced at a stated small
//! amount, so the estimate is the floor of an idle service, not a forecast.

use serde::{Deserialize, Serialize};

/// When the prices were checked.
pub const PRICES_CHECKED: &str = "2026-12-06";

/// Hours in a month, as AWS bills them.
pub const HOURS: f64 = 730.0;

/// Prices, in US dollars.
pub mod aws {
    /// Fargate (x86, Linux), per vCPU-hour.
    pub const FARGATE_VCPU_HOUR: f64 = 0.04048;
    /// Fargate (x86, Linux), per GB-hour of memory.
    pub const FARGATE_GB_HOUR: f64 = 0.004445;
    /// An Application Load Balancer, per hour.
    pub const ALB_HOUR: f64 = 0.0225;
    /// One load balancer capacity unit, per hour (an idle service uses about one).
    pub const LCU_HOUR: f64 = 0.008;
    /// A NAT gateway, per hour.
    pub const NAT_HOUR: f64 = 0.045;
    /// Data through a NAT gateway, per GB.
    pub const NAT_GB: f64 = 0.045;
    /// A public IPv4 address, per hour (the load balancer holds two, the NAT gateway one).
    pub const IPV4_HOUR: f64 = 0.005;
    /// gp3 database storage, per GB-month (twice with a standby).
    pub const RDS_GP3_GB_MONTH: f64 = 0.115;
    /// ECR storage, per GB-month.
    pub const ECR_GB_MONTH: f64 = 0.10;
    /// CloudWatch Logs ingestion, per GB.
    pub const LOGS_GB: f64 = 0.50;
    /// A Secrets Manager secret, per month.
    pub const SECRET_MONTH: f64 = 0.40;
    /// A customer-managed KMS key, per month.
    pub const KMS_KEY_MONTH: f64 = 1.00;
    /// EFS standard storage, per GB-month.
    pub const EFS_GB_MONTH: f64 = 0.30;
    /// S3 Standard storage, per GB-month.
    pub const S3_GB_MONTH: f64 = 0.023;
    /// CloudFront data out to the internet beyond the free tier (North America and Europe, the
    /// first 10 TB), per GB.
    pub const CLOUDFRONT_GB: f64 = 0.085;

    /// A database instance class's price per hour, single zone (PostgreSQL and MySQL list the
    /// same for these classes); none for a class not in the table.
    pub fn rds_hour(class: &str) -> Option<f64> {
        Some(match class {
            "db.t4g.micro" => 0.016,
            "db.t4g.small" => 0.032,
            "db.t4g.medium" => 0.065,
            "db.t4g.large" => 0.129,
            "db.m7g.large" => 0.168,
            "db.m7g.xlarge" => 0.337,
            "db.r7g.large" => 0.239,
            _ => return None,
        })
    }

    /// The cache node the generated ElastiCache uses, per hour.
    pub const CACHE_T4G_MICRO_HOUR: f64 = 0.016;
}

/// Azure's pay-as-you-go prices, in US dollars, East US.
pub mod azure {
    /// Container Apps (Consumption), an idle replica, per vCPU-second.
    pub const APPS_IDLE_VCPU_SECOND: f64 = 0.000003;
    /// Container Apps (Consumption), per GiB-second of memory, idle or active.
    pub const APPS_GIB_SECOND: f64 = 0.000003;
    /// PostgreSQL Flexible Server storage, per GiB-month (twice with a standby).
    pub const PG_STORAGE_GB_MONTH: f64 = 0.115;
    /// Geo-redundant backup storage, per GiB-month.
    pub const PG_GEO_BACKUP_GB_MONTH: f64 = 0.20;
    /// Container Registry, Standard tier, per day.
    pub const ACR_STANDARD_DAY: f64 = 0.667;
    /// Log Analytics ingestion (Analytics logs), per GB.
    pub const LOGS_GB: f64 = 2.76;

    /// A Flexible Server size's price per hour, without a standby; none for one not in the table.
    pub fn pg_hour(sku: &str) -> Option<f64> {
        Some(match sku {
            "B_Standard_B1ms" => 0.017,
            "B_Standard_B2s" => 0.068,
            "B_Standard_B2ms" => 0.136,
            "GP_Standard_D2ds_v5" => 0.178,
            "GP_Standard_D4ds_v5" => 0.356,
            "GP_Standard_D8ds_v5" => 0.712,
            "MO_Standard_E2ds_v5" => 0.244,
            "MO_Standard_E4ds_v5" => 0.488,
            _ => return None,
        })
    }
}

/// Google Cloud's prices, in US dollars, us-central1.
pub mod gcp {
    /// Cloud Run, request-based billing, per vCPU-second while serving.
    pub const RUN_VCPU_SECOND: f64 = 0.000024;
    /// Cloud Run, per GiB-second of memory while serving.
    pub const RUN_GIB_SECOND: f64 = 0.0000025;
    /// Cloud Run, an idle minimum instance, per vCPU-second.
    pub const RUN_IDLE_VCPU_SECOND: f64 = 0.0000025;
    /// Cloud Run, an idle minimum instance, per GiB-second.
    pub const RUN_IDLE_GIB_SECOND: f64 = 0.0000025;
    /// Seconds in a month of 730 hours.
    pub const SECONDS: f64 = 730.0 * 3600.0;
    /// Cloud SQL Enterprise edition, per vCPU-hour (twice with high availability).
    pub const SQL_VCPU_HOUR: f64 = 0.0413;
    /// Cloud SQL Enterprise edition, per GB-hour of memory.
    pub const SQL_GB_HOUR: f64 = 0.007;
    /// Cloud SQL SSD storage, per GB-month (twice with high availability).
    pub const SQL_SSD_GB_MONTH: f64 = 0.17;
    /// Cloud SQL backups beyond the instance's size, per GB-month.
    pub const SQL_BACKUP_GB_MONTH: f64 = 0.08;
    /// Memorystore for Redis, Basic tier, 1 to 4 GB, per GB-hour.
    pub const REDIS_BASIC_GB_HOUR: f64 = 0.049;
    /// Memorystore for Redis, Standard tier (a replica in another zone), per GB-hour.
    pub const REDIS_STANDARD_GB_HOUR: f64 = 0.064;
    /// An external Application Load Balancer's forwarding rules (up to five), per hour.
    pub const LB_RULES_HOUR: f64 = 0.025;
    /// Data the load balancer processes, per GB.
    pub const LB_GB: f64 = 0.008;
    /// Artifact Registry storage beyond the free half GB, per GB-month.
    pub const REGISTRY_GB_MONTH: f64 = 0.10;
    /// Secret Manager, an active secret version, per month (six are free).
    pub const SECRET_VERSION_MONTH: f64 = 0.06;
    /// Cloud Logging ingestion beyond the free 50 GiB, per GiB.
    pub const LOGS_GIB: f64 = 0.50;

    /// A Cloud SQL tier's price per hour, single zone: the shared-core tiers from the table,
    /// the custom ones from their vCPUs and memory; none for a tier it cannot read.
    pub fn sql_hour(tier: &str) -> Option<f64> {
        match tier {
            "db-f1-micro" => return Some(0.0105),
            "db-g1-small" => return Some(0.035),
            _ => {}
        }
        let (cpus, mib) = tier.strip_prefix("db-custom-")?.split_once('-')?;
        let cpus: f64 = cpus.parse().ok()?;
        let gb: f64 = mib.parse::<f64>().ok()? / 1024.0;
        Some(cpus * SQL_VCPU_HOUR + gb * SQL_GB_HOUR)
    }
}

/// Prices of servers on each cloud (Linux, on demand, the first region of each), in US dollars.
pub mod servers {
    /// EBS gp3, per GB-month.
    pub const EBS_GP3_GB_MONTH: f64 = 0.08;
    /// EBS snapshots (standard tier), per GB-month.
    pub const EBS_SNAPSHOT_GB_MONTH: f64 = 0.05;
    /// Compute Engine balanced persistent disk, per GB-month.
    pub const GCE_BALANCED_GB_MONTH: f64 = 0.10;
    /// Compute Engine standard snapshots, per GB-month.
    pub const GCE_SNAPSHOT_GB_MONTH: f64 = 0.05;
    /// A static external IPv4 address in use by a VM, per hour.
    pub const GCE_IPV4_HOUR: f64 = 0.005;
    /// Azure Standard SSD managed disk, per GB-month (an E4 of 32 GiB lists at about 2.40).
    pub const AZURE_STANDARD_SSD_GB_MONTH: f64 = 0.075;
    /// Azure Backup, a protected VM of 50 GB or less, per month.
    pub const AZURE_BACKUP_INSTANCE_MONTH: f64 = 5.0;
    /// Azure Backup storage, locally redundant, per GB-month.
    pub const AZURE_BACKUP_GB_MONTH: f64 = 0.0224;

    /// An EC2 instance type's price per hour; none for a type not in the table.
    pub fn ec2_hour(size: &str) -> Option<f64> {
        Some(match size {
            "t3.micro" => 0.0104,
            "t3.small" => 0.0208,
            "t3.medium" => 0.0416,
            "t3.large" => 0.0832,
            "t3a.small" => 0.0188,
            "t3a.medium" => 0.0376,
            "m7i.large" => 0.1008,
            "c7i.large" => 0.08925,
            _ => return None,
        })
    }

    /// A Compute Engine machine type's price per hour; none for a type not in the table.
    pub fn gce_hour(size: &str) -> Option<f64> {
        Some(match size {
            "e2-micro" => 0.008376,
            "e2-small" => 0.016751,
            "e2-medium" => 0.033503,
            "e2-standard-2" => 0.067006,
            "n2-standard-2" => 0.097118,
            _ => return None,
        })
    }

    /// An Azure VM size's price per hour (Linux); none for a size not in the table.
    pub fn azure_vm_hour(size: &str) -> Option<f64> {
        Some(match size {
            "Standard_B1s" => 0.0104,
            "Standard_B1ms" => 0.0207,
            "Standard_B2s" => 0.0416,
            "Standard_B2ms" => 0.0832,
            "Standard_D2s_v5" => 0.096,
            _ => return None,
        })
    }
}

/// Prices of managed Kubernetes clusters (the first region of each), in US dollars.
pub mod clusters {
    use super::{Estimate, HOURS};
    use crate::spec::{CloudSpec, ClusterSpec};

    /// A cluster's control plane on EKS (standard support) or AKS (Standard tier), and GKE's
    /// cluster management fee, per hour.
    pub const CONTROL_PLANE_HOUR: f64 = 0.10;
    /// GKE's free tier: a monthly credit that covers one Autopilot or zonal cluster's fee.
    pub const GKE_FREE_TIER_MONTH: f64 = 74.40;
    /// Autopilot general-purpose pods, per vCPU-hour requested.
    pub const AUTOPILOT_VCPU_HOUR: f64 = 0.0445;
    /// Autopilot general-purpose pods, per GB-hour of memory requested.
    pub const AUTOPILOT_GB_HOUR: f64 = 0.0049225;
    /// Cloud NAT, per VM using the gateway per hour.
    pub const CLOUD_NAT_VM_HOUR: f64 = 0.0014;
    /// A Google Cloud forwarding rule (the ingress's load balancer), per hour.
    pub const GCP_FORWARDING_RULE_HOUR: f64 = 0.025;
    /// The EC2 instance an idle Auto Mode cluster runs its pods on (c6a.large), per hour.
    pub const AUTO_MODE_NODE_HOUR: f64 = 0.0765;
    /// EKS Auto Mode's management fee for that instance, per hour.
    pub const AUTO_MODE_FEE_HOUR: f64 = 0.00918;
    /// An AKS node's 128 GiB premium OS disk (P10), per month.
    pub const AKS_OS_DISK_MONTH: f64 = 19.71;
    /// Azure Standard Load Balancer's first five rules, per hour.
    pub const AZURE_LB_HOUR: f64 = 0.025;
    /// Log Analytics ingestion, per GB.
    pub const LOG_ANALYTICS_GB: f64 = 2.30;

    /// An AKS node size's price per hour (Linux); none for a size not in the table.
    pub fn aks_node_hour(size: &str) -> Option<f64> {
        Some(match size {
            "Standard_D2ds_v5" => 0.113,
            "Standard_D4ds_v5" => 0.226,
            "Standard_D2s_v5" => 0.096,
            "Standard_D4s_v5" => 0.192,
            _ => return None,
        })
    }

    /// What an idle cluster of the spec costs a month: the control plane, the least the nodes
    /// or pods cost, the network's way out and the ingress's load balancer.
    pub fn estimate(cloud: &CloudSpec, cluster: &ClusterSpec, pods: (f64, f64)) -> Estimate {
        let mut e = Estimate::default();
        match cloud.provider.as_str() {
            "gcp" => {
                e.add(
                    "GKE cluster management fee",
                    "one cluster, all month",
                    CONTROL_PLANE_HOUR * HOURS,
                );
                e.add(
                    "GKE free tier credit",
                    "covers one Autopilot cluster's fee",
                    -GKE_FREE_TIER_MONTH.min(CONTROL_PLANE_HOUR * HOURS),
                );
                e.add(
                    "Autopilot pods",
                    format!("{:.2} vCPU and {:.2} GiB requested, all month", pods.0, pods.1),
                    (pods.0 * AUTOPILOT_VCPU_HOUR + pods.1 * AUTOPILOT_GB_HOUR) * HOURS,
                );
                e.add("Cloud NAT", "three nodes using it", 3.0 * CLOUD_NAT_VM_HOUR * HOURS);
                e.add(
                    "Ingress load balancer",
                    "one forwarding rule",
                    GCP_FORWARDING_RULE_HOUR * HOURS,
                );
                e.add("Cloud KMS key", "one key version", 0.06);
            }
            "azure" => {
                let size = cluster.node_size.as_deref().unwrap_or("Standard_D2ds_v5");
                e.add(
                    "AKS control plane (Standard tier)",
                    "all month",
                    CONTROL_PLANE_HOUR * HOURS,
                );
                match aks_node_hour(size) {
                    Some(h) => e.add(
                        format!("AKS nodes ({size})"),
                        "three, one per zone, all month",
                        3.0 * h * HOURS,
                    ),
                    None => e.unpriced.push(format!("the node size {size}")),
                }
                e.add("Node OS disks", "three 128 GiB premium disks", 3.0 * AKS_OS_DISK_MONTH);
                e.add(
                    "Standard Load Balancer",
                    "the cluster's, with one public address",
                    (AZURE_LB_HOUR + super::aws::IPV4_HOUR) * HOURS,
                );
                e.add("Log Analytics", "1 GB of logs a month", LOG_ANALYTICS_GB);
            }
            _ => {
                e.add(
                    "EKS control plane",
                    "standard support, all month",
                    CONTROL_PLANE_HOUR * HOURS,
                );
                e.add(
                    "Auto Mode nodes",
                    "two c6a.large with Auto Mode's fee, all month (it picks sizes from the pods' requests)",
                    2.0 * (AUTO_MODE_NODE_HOUR + AUTO_MODE_FEE_HOUR) * HOURS,
                );
                e.add(
                    "NAT gateway",
                    "one, with its address, and 10 GB out",
                    (super::aws::NAT_HOUR + super::aws::IPV4_HOUR) * HOURS + 10.0 * super::aws::NAT_GB,
                );
                e.add(
                    "Ingress load balancer",
                    "one ALB with two addresses, idle",
                    (super::aws::ALB_HOUR + super::aws::LCU_HOUR + 2.0 * super::aws::IPV4_HOUR) * HOURS,
                );
                e.add("KMS key", "one", super::aws::KMS_KEY_MONTH);
                e.add(
                    "CloudWatch Logs",
                    "1 GB of control-plane logs a month",
                    super::aws::LOGS_GB,
                );
            }
        }
        e
    }
}

/// One line of the estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CostLine {
    /// What is billed.
    pub item: String,
    /// How it is counted.
    pub basis: String,
    /// US dollars a month.
    pub monthly: f64,
}

/// The monthly estimate of what a plan creates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Line by line.
    pub lines: Vec<CostLine>,
    /// What the table cannot price (an instance class it has not), in words.
    pub unpriced: Vec<String>,
}

impl Estimate {
    /// Adds a line.
    pub fn add(&mut self, item: impl Into<String>, basis: impl Into<String>, monthly: f64) {
        self.lines.push(CostLine {
            item: item.into(),
            basis: basis.into(),
            monthly: (monthly * 100.0).round() / 100.0,
        });
    }

    /// The sum, in US dollars a month.
    pub fn total(&self) -> f64 {
        (self.lines.iter().map(|l| l.monthly).sum::<f64>() * 100.0).round() / 100.0
    }

    /// The estimate as a Markdown table, with its date, what it counts (`basis`, one sentence
    /// on the region and the traffic-dependent lines) and what it leaves out.
    pub fn markdown(&self, basis: &str) -> String {
        let mut out = String::from("| Item | Counted as | USD a month |\n| --- | --- | ---: |\n");
        for l in &self.lines {
            out.push_str(&format!("| {} | {} | {:.2} |\n", l.item, l.basis, l.monthly));
        }
        out.push_str(&format!("| **Total** | | **{:.2}** |\n", self.total()));
        out.push_str(&format!("\n{}\n", basis.replace("{date}", PRICES_CHECKED)));
        for u in &self.unpriced {
            out.push_str(&format!("\nNot priced: {u}.\n"));
        }
        out
    }
}
