//! One writer per file format. Generators build typed values; these turn them into text.
//!
//! YAML goes through [`yaml`] (typed values, our own or `k8s-openapi`'s, through [`ser`]), JSON through `serde_json`, TOML through `toml_edit`, HCL through [`hcl`] (`hcl-rs` values in `terraform fmt` form); text
//! templates are kept for formats that are text (Dockerfiles, shell, Groovy).

pub mod hcl;
pub mod ser;
pub mod yaml;

pub use yaml::{Entry, Yaml};
