//! One `spotlight run` serving Discord and Slack together: one store, one scheduler per
//! platform, the week's posts reaching both.

use spotlight::domain::model::Actor;
use spotlight::secrets::Secret;
use spotlight::slack::SlackCredentials;

use crate::discord::fake::{FakeDiscord, GUILD_ID};
use crate::slack::fake::FakeSlack;
use crate::support::TestApp;

#[tokio::test]
async fn the_daily_prompt_reaches_discord_and_slack_from_one_process() {
    let discord = FakeDiscord::start().await;
    let slack = FakeSlack::start().await;
    let (discord_url, slack_url) = (discord.base_url.clone(), slack.base_url.clone());
    let test = TestApp::with_config("2026-10-05T08:59:00Z", move |c| {
        c.discord.api_base_url = discord_url;
        c.discord.dev_guild_id = GUILD_ID.to_string();
        c.slack.api_base_url = slack_url;
        c.scheduler.tick_ms = 50;
    })
    .await;
    let core = test.core();
    for (platform, team, channel) in [
        ("discord", GUILD_ID.to_string(), "300"),
        ("slack", "T1".into(), "C9"),
    ] {
        let ws = core.workspace(platform, &team, Some("Acme")).await.unwrap();
        let admin = Actor {
            member: core.member(&ws, "boss", "boss", false).await.unwrap(),
            is_admin: true,
        };
        core.set_channel(&ws, &admin, Some(channel)).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platforms = spotlight::run::Platforms {
        discord: Some(Secret::new("fake-token")),
        slack: Some(SlackCredentials {
            signing_secret: Secret::new("secret"),
            bot_token: Some(Secret::new("xoxb-test")),
            oauth: None,
            app_token: None,
        }),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(spotlight::run::run(
        test.app.clone(),
        platforms,
        spotlight::run::Listeners {
            http: listener,
            metrics: None,
        },
        async {
            let _ = stopped.await;
        },
    ));
    discord.wait_identified().await;
    test.set_time("2026-10-05T09:00:00Z");
    let on_discord = discord
        .wait_for("the prompt on Discord", |r| {
            r.method == "POST" && r.path == "/api/v10/channels/300/messages"
        })
        .await;
    assert_eq!(
        on_discord.body["embeds"][0]["title"],
        "Customer Service Week, day 1: Thank a teammate"
    );
    let on_slack = slack
        .wait_for("chat.postMessage", |c| c.body["channel"] == "C9")
        .await;
    assert!(
        on_slack.body["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Customer Service Week, day 1: Thank a teammate"),
        "{:#}",
        on_slack.body
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(slack.calls("chat.postMessage").len(), 1, "once");
    let _ = stop.send(());
    tokio::time::timeout(std::time::Duration::from_secs(10), running)
        .await
        .expect("stops within 10 s")
        .unwrap()
        .unwrap();
}
