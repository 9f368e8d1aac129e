//! `/metrics` and the HTTP server as the built binary serves them: one process per test, so the
//! process-wide metrics count only what the test did.

use std::time::Duration;

use crate::discord::fake::{FakeDiscord, GUILD_ID};
use crate::discord::payloads::{kudos, user};
use crate::process::{free_port, Process};

impl Process {
    async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let (status, text) = self.get("/metrics").await;
        assert_eq!(status, 200);
        value(&text, name, labels)
    }

    /// The metric once it reaches `want`, or its last value after a few seconds: a Discord
    /// command is counted after its reply has gone out, so the reply can be seen first.
    async fn metric_reaching(&self, name: &str, labels: &[(&str, &str)], want: f64) -> f64 {
        let mut seen = self.metric(name, labels).await;
        for _ in 0..100 {
            if seen == want {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            seen = self.metric(name, labels).await;
        }
        seen
    }
}

/// A sample's value from Prometheus text; 0 when it was never recorded.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .map(|v| v.parse().unwrap())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn the_shell_serves_the_wall_live_and_counts_its_commands() {
    let mut shell = Process::start(
        &[
            "shell",
            "--as",
            "ana",
            "--workspace",
            "acme",
            "--at",
            "2026-10-05T09:00:00Z",
        ],
        free_port(),
        &[],
    );
    shell.say("/kudos @li Thanks for the handover #teamwork");
    shell.expect("Kudos sent to li");
    shell.say("/kudos @ana well done me");
    shell.expect("You can't send kudos to yourself");
    shell.say("/config wall on");
    let reply = shell.expect("The wall of thanks is on: http://localhost:");
    let link = reply
        .split_whitespace()
        .find(|w| w.starts_with("http://localhost:"))
        .unwrap();
    let path = link.splitn(4, '/').nth(3).unwrap();
    let (status, wall) = shell.get(&format!("/{path}")).await;
    assert_eq!(status, 200);
    assert!(wall.contains("Thanks for the handover"), "{wall}");

    let kudos = [("platform", "local"), ("kind", "kudos")];
    assert_eq!(
        shell.metric("spotlight_kudos_given_total", &kudos).await,
        1.0
    );
    let ok = [
        ("platform", "local"),
        ("command", "kudos"),
        ("outcome", "ok"),
    ];
    assert_eq!(shell.metric("spotlight_commands_total", &ok).await, 1.0);
    let refused = [
        ("platform", "local"),
        ("command", "kudos"),
        ("outcome", "refused"),
    ];
    assert_eq!(
        shell.metric("spotlight_commands_total", &refused).await,
        1.0
    );
    let rule = [("platform", "local"), ("rule", "self_kudos")];
    assert_eq!(shell.metric("spotlight_refusals_total", &rule).await, 1.0);
    let timed = [("platform", "local"), ("command", "kudos")];
    assert_eq!(
        shell
            .metric("spotlight_command_duration_seconds_count", &timed)
            .await,
        2.0
    );

    // /stats hands the speaker their own book.
    shell.say("/stats");
    let line = shell.expect("Your thank-you book");
    assert!(line.contains("/book/"), "{line}");
    shell.say(":as li");
    shell.say("/stats");
    let line = shell.expect("Your thank-you book");
    let book = line.rsplit(' ').next().unwrap();
    let path = book.splitn(4, '/').nth(3).unwrap();
    let (status, page) = shell.get(&format!("/{path}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Thank you, li") && page.contains("Thanks for the handover"));
    shell.say("/kudos @dana Another one");
    shell.expect("Kudos sent to dana");
    assert_eq!(
        shell.metric("spotlight_kudos_given_total", &kudos).await,
        2.0
    );
}

#[tokio::test]
async fn run_counts_discord_commands_and_reports_readiness() {
    let fake = FakeDiscord::start().await;
    let port = free_port();
    let guild = GUILD_ID.to_string();
    let bot = Process::start(
        &["run"],
        port,
        &[
            ("SPOTLIGHT_DISCORD_TOKEN", "fake-token"),
            ("SPOTLIGHT_DISCORD_API_BASE_URL", &fake.base_url),
            ("SPOTLIGHT_DISCORD_DEV_GUILD_ID", &guild),
            ("SPOTLIGHT_DEFAULTS_PROMPTS_ENABLED", "false"),
        ],
    );
    fake.wait_identified().await;
    fake.wait_for("command registration", |r| {
        r.method == "PUT" && r.path.ends_with("/commands")
    })
    .await;
    let ready = async {
        for _ in 0..100 {
            let (status, body) = bot.get("/readyz").await;
            if status == 200 {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never ready");
    };
    let body = ready.await;
    assert!(body.contains("\"discord\":\"connected\""), "{body}");

    let ana = user(1, "ana");
    let li = user(2, "li");
    fake.dispatch(
        "INTERACTION_CREATE",
        kudos(61, &ana, &li, "Thanks for the help"),
    );
    fake.wait_for("the kudos reply", |r| r.path.contains("/interactions/61/"))
        .await;
    fake.dispatch("INTERACTION_CREATE", kudos(62, &ana, &ana, "me"));
    fake.wait_for("the refusal", |r| r.path.contains("/interactions/62/"))
        .await;
    let kudos = [("platform", "discord"), ("kind", "kudos")];
    assert_eq!(
        bot.metric_reaching("spotlight_kudos_given_total", &kudos, 1.0)
            .await,
        1.0
    );
    let ok = [
        ("platform", "discord"),
        ("command", "kudos"),
        ("outcome", "ok"),
    ];
    assert_eq!(
        bot.metric_reaching("spotlight_commands_total", &ok, 1.0)
            .await,
        1.0
    );
    let rule = [("platform", "discord"), ("rule", "self_kudos")];
    assert_eq!(
        bot.metric_reaching("spotlight_refusals_total", &rule, 1.0)
            .await,
        1.0
    );
    let connected = [("platform", "discord")];
    assert_eq!(
        bot.metric_reaching("spotlight_platform_connected", &connected, 1.0)
            .await,
        1.0
    );
    let (_, text) = bot.get("/metrics").await;
    assert!(text.contains("spotlight_db_pool_connections"), "{text}");
    assert_eq!(bot.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn a_port_in_use_stops_run_with_one_line_and_the_shell_goes_on_without_pages() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let cli = crate::support::Cli::new();
    let listen = format!("127.0.0.1:{port}");
    let run = cli.run_env(
        &["run"],
        "",
        &[
            ("SPOTLIGHT_DISCORD_TOKEN", "token"),
            ("SPOTLIGHT_SERVER_LISTEN", &listen),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        format!("error: server.listen: cannot listen on {listen}: the port is already in use")
    );
    let shell = cli.run_env(
        &["shell", "--as", "ana", "--at", "2026-10-05T09:00:00Z"],
        "/kudos @li thanks\n",
        &[("SPOTLIGHT_SERVER_LISTEN", &listen)],
    );
    assert_eq!(shell.code, 0, "{}", shell.stderr);
    assert!(
        shell.stdout.contains("Kudos sent to li"),
        "{}",
        shell.stdout
    );
    assert!(
        shell.stderr.contains("server.listen") && shell.stderr.contains("already in use"),
        "{}",
        shell.stderr
    );
    drop(taken);
}
