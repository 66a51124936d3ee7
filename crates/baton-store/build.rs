//! The migrations are embedded at compile time (`refinery::embed_migrations!`). Cargo would
//! not notice a migration file added to the folder, so an incremental build could ship without
//! it; this tells Cargo to rebuild the store whenever anything under `migrations/` changes.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
