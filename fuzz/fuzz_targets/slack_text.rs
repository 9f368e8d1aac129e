//! What Slack shows: escaping, replies, long posts cut into sections, and the announcement of a
//! thank-you whose every typed field is arbitrary. Nothing typed becomes a live control
//! sequence; only the people meant are mentioned.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotlight::chat::parse::{leading_mentions, Mention};
use spotlight::domain::model::{Kudos, KudosKind, KudosStatus, Person};
use spotlight::slack::render::{announcement, escape, plain, post, refusal, titled};
use spotlight_fuzz::{assert_slack_controls, slack_markup};

fuzz_target!(|input: (&str, &str, Option<String>, Vec<String>, bool)| {
    let (a, b, c, ids, feedback) = input;
    let escaped = escape(a);
    assert!(!escaped.contains('<') && !escaped.contains('>'));
    let back = escaped
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&");
    assert_eq!(back, a);
    for content in [plain(a), titled(a), refusal(a)] {
        assert_slack_controls(&content, &[]);
    }
    let long = post(a, b);
    assert_slack_controls(&long, &[]);
    let json = serde_json::to_value(&long).unwrap();
    assert!(json["blocks"].as_array().unwrap().len() <= 50);
    assert!(json["text"].as_str().unwrap().chars().count() <= 3000);
    for text in slack_markup(&long).iter().skip(1) {
        assert!(text.chars().count() <= 3000, "a section of {}", text.len());
    }

    // Slack's ids are letters and digits; the announcement mentions exactly those people.
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    let person = |name: &str| Person {
        id: 1,
        name: name.to_string(),
        department: Some(name.to_string()),
    };
    let k = Kudos {
        id: 7,
        kind: if feedback {
            KudosKind::Feedback
        } else {
            KudosKind::Kudos
        },
        giver: person(a),
        recipients: vec![person(b)],
        message: b.to_string(),
        value: Some(a.to_string()),
        customer: c.clone(),
        channel: Some(a.to_string()),
        link: None,
        theme: c,
        created_at: chrono::DateTime::UNIX_EPOCH,
        local_date: chrono::NaiveDate::MIN,
        status: KudosStatus::Active,
        revoked: None,
    };
    let mut allowed: Vec<&str> = ids.iter().map(String::as_str).collect();
    allowed.push("UGIVER");
    assert_slack_controls(&announcement(&k, &ids, "UGIVER"), &allowed);

    // Mentions as Slack escapes them carry a user id of letters and digits.
    if let Ok((mentions, _)) = leading_mentions(a) {
        for m in mentions {
            if let Mention::User { id, .. } = m {
                assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
            }
        }
    }
});
