//! A configuration file (the one SPOTLIGHT_CONFIG names) with any content: it loads, or it is
//! refused as invalid configuration; never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static FILE: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    // A prompts.file naming a device or a kernel file would read forever: not the parser's bug.
    let text = String::from_utf8_lossy(data);
    if ["/dev", "/proc", "/sys"].iter().any(|p| text.contains(p)) {
        return;
    }
    let file = FILE.get_or_init(|| {
        let file = std::env::temp_dir().join(format!("spotlight-fuzz-{}.toml", std::process::id()));
        // One process, one thread: nothing else reads the environment meanwhile.
        std::env::set_var("SPOTLIGHT_CONFIG", &file);
        file
    });
    std::fs::write(file, data).unwrap();
    if let Err(e) = spotlight::config::Config::load() {
        let message = format!("{e:#}");
        assert!(message.starts_with("invalid configuration"), "{message}");
    }
});
