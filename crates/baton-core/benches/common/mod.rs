//! What the benchmarks share: the zones of a team spread around the world.

/// Zones of a team spread around the world, with and without DST, with odd offsets.
pub const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Africa/Lagos",
    "UTC",
];
