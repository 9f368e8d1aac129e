fn main() {
    // New migration files change what `sqlx::migrate!` embeds.
    println!("cargo:rerun-if-changed=migrations");
}
