//! Admin configuration through the core: every change checked, every bad value refused.

use spotlight::domain::error::Refusal;
use spotlight::domain::model::Actor;
use spotlight::service::ThemeField;

use crate::support::{refusal, TestApp};

#[tokio::test]
async fn settings_change_for_admins_and_refuse_bad_values() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let member = Actor {
        member: app.member(&ws, "ana").await,
        is_admin: false,
    };
    let core = app.core();
    assert!(matches!(
        refusal(core.set_timezone(&ws, &member, "Europe/London").await),
        Refusal::NotAdmin(_)
    ));
    assert_eq!(
        refusal(core.set_timezone(&ws, &admin, "Mars/Olympus").await),
        Refusal::InvalidTimezone("Mars/Olympus".into())
    );
    assert_eq!(
        refusal(core.set_allowance(&ws, &admin, "lots").await),
        Refusal::InvalidAllowance("lots".into())
    );
    assert_eq!(
        refusal(core.set_prompt_time(&ws, &admin, "25:00").await),
        Refusal::InvalidTime("25:00".into())
    );
    let ws2 = core
        .set_timezone(&ws, &admin, "Europe/London")
        .await
        .unwrap();
    assert_eq!(ws2.settings.timezone.name(), "Europe/London");
    let ws2 = core.set_allowance(&ws2, &admin, "3").await.unwrap();
    let ws2 = core.set_prompt_time(&ws2, &admin, "08:30").await.unwrap();
    let ws2 = core
        .set_channel(&ws2, &admin, Some("#celebrations"))
        .await
        .unwrap();
    let ws2 = core.set_prompts_enabled(&ws2, &admin, false).await.unwrap();
    // Nothing half-written: a refused change leaves the rest as it was.
    let _ = core.set_allowance(&ws2, &admin, "-1").await.unwrap_err();
    let stored = app.reload(&ws).await;
    assert_eq!(stored.settings.daily_allowance, 3);
    assert_eq!(
        stored.settings.prompt_time.format("%H:%M").to_string(),
        "08:30"
    );
    assert_eq!(
        stored.settings.celebration_channel.as_deref(),
        Some("celebrations")
    );
    assert!(!stored.settings.prompts_enabled);
}

#[tokio::test]
async fn values_are_added_and_removed_loosely_but_never_emptied() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let core = app.core();
    let ws = core.add_value(&ws, &admin, "Ownership").await.unwrap();
    assert_eq!(
        ws.settings.values.last().map(String::as_str),
        Some("Ownership")
    );
    assert_eq!(
        refusal(core.add_value(&ws, &admin, "owner-ship").await),
        Refusal::ValueExists("owner-ship".into())
    );
    let mut ws = core
        .remove_value(&ws, &admin, "going the extra mile")
        .await
        .unwrap();
    assert!(!ws
        .settings
        .values
        .iter()
        .any(|v| v == "Going the extra mile"));
    while ws.settings.values.len() > 1 {
        let v = ws.settings.values[0].clone();
        ws = core.remove_value(&ws, &admin, &v).await.unwrap();
    }
    assert!(matches!(
        refusal(core.remove_value(&ws, &admin, "Ownership").await),
        Refusal::LastValue(_)
    ));
}

#[tokio::test]
async fn the_plan_and_week_can_be_edited_per_workspace() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let other = app.workspace("globex").await;
    let admin = app.admin(&ws, "boss").await;
    let core = app.core();
    core.set_theme(&ws, &admin, 2, ThemeField::Title, "Thank another team")
        .await
        .unwrap();
    let ws = app.reload(&ws).await;
    let plan = core.week_plan(Some(&ws), 2026).await.unwrap();
    assert_eq!(
        plan.days[1].theme.as_ref().unwrap().title,
        "Thank another team"
    );
    assert_eq!(
        plan.days[0].theme.as_ref().unwrap().title,
        "Thank a teammate"
    );
    let untouched = core.week_plan(Some(&other), 2026).await.unwrap();
    assert_eq!(
        untouched.days[1].theme.as_ref().unwrap().title,
        "Internal customers"
    );

    let bad = refusal(
        core.set_week(
            &ws,
            &admin,
            "2026-10-12".parse().unwrap(),
            Some("2026-10-30".parse().unwrap()),
        )
        .await,
    );
    assert!(matches!(bad, Refusal::InvalidWeek { .. }), "{bad:?}");
    core.set_week(
        &ws,
        &admin,
        "2026-10-13".parse().unwrap(),
        Some("2026-10-16".parse().unwrap()),
    )
    .await
    .unwrap();
    let ws = app.reload(&ws).await;
    let plan = core.week_plan(Some(&ws), 2026).await.unwrap();
    assert!(plan.overridden);
    assert_eq!(plan.days.len(), 4);
    assert_eq!(plan.days[0].date.to_string(), "2026-10-13");
}

#[tokio::test]
async fn the_first_speaker_becomes_admin_only_once() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let li = app.member(&ws, "li").await;
    assert!(
        app.core()
            .claim_first_admin(&ws, &ana)
            .await
            .unwrap()
            .is_admin
    );
    assert!(
        !app.core()
            .claim_first_admin(&ws, &li)
            .await
            .unwrap()
            .is_admin
    );
}

#[tokio::test]
async fn the_store_runs_on_the_backend_its_module_names() {
    crate::skip_without_postgres!();
    // The copy under `postgres::` must know it is that copy, or it would quietly run on SQLite.
    assert_eq!(
        crate::backends::on_postgres(),
        module_path!().contains("::postgres::")
    );
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let expected = if crate::backends::on_postgres() {
        spotlight::store::Dialect::Postgres
    } else {
        spotlight::store::Dialect::Sqlite
    };
    assert_eq!(app.core().store().dialect(), expected);
}
