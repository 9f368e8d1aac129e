//! Start-up on a data folder that cannot be written: one clear line, a non-zero exit, and the
//! data that was there untouched.
//!
//! Tests often run as root, which permission bits do not stop: then the permission case runs
//! the binary as `nobody` (setpriv). The read-only mount case stops root too: the folder is
//! bind-mounted read-only in a private mount namespace (`unshare -rm`) around the real binary.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Cli, Run};

const SEED: &str = "/kudos @li thanks for the handover\n";

/// Every file of the folder with its bytes, by name.
fn snapshot(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

fn seeded() -> (Cli, PathBuf, Vec<(PathBuf, Vec<u8>)>) {
    let cli = Cli::new();
    let seed = cli.shell("ana", "2026-10-05T09:00:00Z", SEED);
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    let folder = cli.db().parent().unwrap().to_path_buf();
    let before = snapshot(&folder);
    assert!(
        before.iter().any(|(p, b)| *p == cli.db() && !b.is_empty()),
        "{before:?}"
    );
    (cli, folder, before)
}

fn assert_refused(run: &Run, db: &Path) {
    assert_ne!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    assert!(
        lines[0].contains(&db.display().to_string()) && lines[0].contains("not writable"),
        "{}",
        lines[0]
    );
    assert!(!run.stdout.contains("Kudos sent"), "{}", run.stdout);
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs the real binary's shell on the seeded database behind `wrapper` (a program and its
/// arguments that end by running the command given after them).
fn shell_behind(wrapper: &[&std::ffi::OsStr], binary: &Path, cli: &Cli) -> Run {
    let (program, args) = wrapper.split_first().expect("a wrapper program");
    let out = Command::new(program)
        .args(args)
        .arg(binary)
        .args(["shell", "--as", "ana", "--workspace", "acme"])
        .args(["--at", "2026-10-06T09:00:00Z"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SPOTLIGHT_DATABASE_URL", cli.db())
        .env("SPOTLIGHT_SERVER_LISTEN", "127.0.0.1:0")
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[test]
fn a_data_folder_without_write_permission_is_refused_and_left_as_it_was() {
    let (cli, folder, before) = seeded();
    set_mode(&cli.db(), 0o444);
    set_mode(&folder, 0o555);
    let probe = folder.join("probe");
    let run = if std::fs::write(&probe, b"x").is_ok() {
        // Root writes through permission bits: run the binary as `nobody` instead (setpriv is
        // in util-linux, on every Debian), from a copy every user may execute.
        let _ = std::fs::remove_file(&probe);
        let bin_dir = tempfile::tempdir().unwrap();
        set_mode(bin_dir.path(), 0o755);
        let binary = bin_dir.path().join("spotlight");
        std::fs::copy(env!("CARGO_BIN_EXE_spotlight"), &binary).unwrap();
        set_mode(&binary, 0o755);
        let wrapper = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ];
        let wrapper: Vec<&std::ffi::OsStr> = wrapper.iter().map(std::ffi::OsStr::new).collect();
        shell_behind(&wrapper, &binary, &cli)
    } else {
        cli.shell("ana", "2026-10-06T09:00:00Z", SEED)
    };
    set_mode(&folder, 0o755);
    set_mode(&cli.db(), 0o644);
    assert_refused(&run, &cli.db());
    assert_eq!(snapshot(&folder), before, "the data is untouched");
}

#[test]
fn a_data_folder_on_a_read_only_mount_is_refused_even_for_root() {
    let works = Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        // The permission case above covers root through setpriv where namespaces are off.
        println!("skipped: no private mount namespace here (unshare -rm failed)");
        return;
    }
    let (cli, folder, before) = seeded();
    // Mounts the folder read-only, proves a write fails there, then runs the real binary.
    let script = r#"folder="$1"; shift
mount --bind "$folder" "$folder" && mount -o remount,ro,bind "$folder" "$folder" || exit 96
if touch "$folder/probe" 2>/dev/null; then exit 97; fi
exec "$@""#;
    let words = ["unshare", "-rm", "sh", "-c", script, "sh"];
    let wrapper: Vec<&std::ffi::OsStr> = words
        .iter()
        .map(std::ffi::OsStr::new)
        .chain([folder.as_os_str()])
        .collect();
    let run = shell_behind(&wrapper, Path::new(env!("CARGO_BIN_EXE_spotlight")), &cli);
    assert!(
        run.code != 96 && run.code != 97,
        "the folder was not read-only ({}): {}",
        run.code,
        run.stderr
    );
    assert_refused(&run, &cli.db());
    assert_eq!(snapshot(&folder), before, "the data is untouched");
}
