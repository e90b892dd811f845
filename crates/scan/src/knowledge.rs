//! Built-in, dated knowledge the analysis relies on. Update the date with the data.

/// When the tables below were last checked against upstream release schedules.
pub const CHECKED_ON: &str = "2026-11-26";

/// Node.js long-term-support majors that are still supported, newest first, with their
/// codenames (as used by `.nvmrc` files such as `lts/iron`).
pub const NODE_LTS: &[(u64, &str)] = &[(24, "krypton"), (22, "jod"), (20, "iron")];

/// Every Node.js LTS codename ever released, for `.nvmrc` files naming an old line.
pub const NODE_LTS_CODENAMES: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// The Node.js major Slipway uses when a project pins none: the newest LTS line.
pub fn node_default_major() -> u64 {
    NODE_LTS[0].0
}

/// Default ports of frameworks, by framework id (sorted).
pub const DEFAULT_PORTS: &[(&str, u16)] = &[("nextjs", 3000)];

/// Backing services implied by npm packages (sorted by package name).
pub const NPM_BACKING_SERVICES: &[(&str, &str)] = &[
    ("@prisma/client", "prisma"),
    ("@vercel/postgres", "postgres"),
    ("ioredis", "redis"),
    ("mongodb", "mongodb"),
    ("mongoose", "mongodb"),
    ("mysql", "mysql"),
    ("mysql2", "mysql"),
    ("pg", "postgres"),
    ("postgres", "postgres"),
    ("redis", "redis"),
];
