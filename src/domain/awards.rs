//! The Excellence in Service awards' rules: how a shortlist weighs nominations and the year's
//! thank-yous from other departments, and how it is ordered when people tie. Pure: no I/O.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::Person;

/// Points for each colleague who nominated the person.
pub const NOMINATION_POINTS: u32 = 3;
/// Points for each service medallion received this year from another department.
pub const MEDALLION_POINTS: u32 = 3;
/// Points for each kudos received this year from another department.
pub const KUDOS_POINTS: u32 = 1;
/// Points for each customer compliment shared this year by someone of another department.
pub const FEEDBACK_POINTS: u32 = 1;
/// A nomination's reason: 1 to this many characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Where people without a department are listed.
pub const NO_DEPARTMENT: &str = "No department";

/// What a quote behind a shortlisted person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    Nomination,
    Medallion,
    Kudos,
    Feedback,
}

impl QuoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Nomination => "nomination",
            QuoteKind::Medallion => "medallion",
            QuoteKind::Kudos => "kudos",
            QuoteKind::Feedback => "feedback",
        }
    }
}

/// One of the words behind a shortlisted person: a nomination's reason (its nominator stays
/// private to admins) or a thank-you they received from another department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub kind: QuoteKind,
    /// The giver's name; `None` for nominations, which are shown without their nominator.
    pub from: Option<String>,
    pub from_department: Option<String>,
    pub text: String,
    pub local_date: NaiveDate,
}

/// A nominee of one department with what weighs for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub person: Person,
    pub nominations: u32,
    pub medallions: u32,
    pub kudos: u32,
    pub feedback: u32,
    /// Nomination reasons first, then medallions, then kudos and feedback, newest first.
    pub quotes: Vec<Quote>,
}

impl Candidate {
    /// nominations × 3 + medallions × 3 + kudos × 1 + feedback × 1 (thank-yous of the year from
    /// other departments only).
    pub fn score(&self) -> u32 {
        self.nominations * NOMINATION_POINTS
            + self.medallions * MEDALLION_POINTS
            + self.kudos * KUDOS_POINTS
            + self.feedback * FEEDBACK_POINTS
    }

    /// The thank-yous that earned it (never the nominations): medallions, then kudos and
    /// feedback, newest first.
    pub fn thank_yous(&self) -> impl Iterator<Item = &Quote> {
        self.quotes
            .iter()
            .filter(|q| q.kind != QuoteKind::Nomination)
    }
}

/// A place on a shortlist. `rank` counts from 1; people with the same score share it and are
/// `tied`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub rank: usize,
    pub tied: bool,
    pub candidate: Candidate,
}

/// Orders a department's nominees: by score, highest first. Equal scores are a tie and share
/// their rank; within a tie the order is still fixed: more nominations, then more medallions,
/// then the name (A to Z, ignoring case), then who was on record first.
pub fn rank(mut candidates: Vec<Candidate>) -> Vec<Place> {
    candidates.sort_by(|a, b| {
        b.score()
            .cmp(&a.score())
            .then(b.nominations.cmp(&a.nominations))
            .then(b.medallions.cmp(&a.medallions))
            .then_with(|| {
                a.person
                    .name
                    .to_lowercase()
                    .cmp(&b.person.name.to_lowercase())
            })
            .then(a.person.id.cmp(&b.person.id))
    });
    let scores: Vec<u32> = candidates.iter().map(Candidate::score).collect();
    candidates
        .into_iter()
        .enumerate()
        .map(|(i, candidate)| {
            let score = scores[i];
            let first = scores.iter().position(|s| *s == score).unwrap_or(i);
            let tied = scores.iter().filter(|s| **s == score).count() > 1;
            Place {
                rank: first + 1,
                tied,
                candidate,
            }
        })
        .collect()
}

/// Where a round of the awards stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Members can nominate until the instant.
    Open { until: DateTime<Utc> },
    /// Nominations are closed; the ceremony is not scheduled yet.
    Closed,
    /// The ceremony post is due at the instant.
    Scheduled { at: DateTime<Utc> },
    /// The ceremony was posted.
    Celebrated,
}

/// One round of the awards, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub year: i32,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub ceremony_at: Option<DateTime<Utc>>,
    pub ceremony_date: Option<NaiveDate>,
    pub celebrated_at: Option<DateTime<Utc>>,
}

impl Round {
    pub fn stage(&self, now: DateTime<Utc>) -> Stage {
        if self.celebrated_at.is_some() {
            Stage::Celebrated
        } else if let Some(at) = self.ceremony_at {
            Stage::Scheduled { at }
        } else if self.closed_at.is_none() && now < self.closes_at {
            Stage::Open {
                until: self.closes_at,
            }
        } else {
            Stage::Closed
        }
    }

    /// When nominations closed (early, or at their time), if they have.
    pub fn closed(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.closed_at {
            Some(at) => Some(at.min(self.closes_at)),
            None => (now >= self.closes_at).then_some(self.closes_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, name: &str, nominations: u32, medallions: u32, kudos: u32) -> Candidate {
        Candidate {
            person: Person {
                id,
                name: name.into(),
                department: None,
            },
            nominations,
            medallions,
            kudos,
            feedback: 0,
            quotes: Vec::new(),
        }
    }

    #[test]
    fn ties_share_a_rank_in_a_fixed_order() {
        // li 3+0+3 = 6, ana 3+3 = 6, bo 6 kudos = 6: a three-way tie; dana 7 leads.
        let places = rank(vec![
            c(1, "bo", 0, 0, 6),
            c(2, "li", 1, 0, 3),
            c(3, "Ana", 1, 1, 0),
            c(4, "dana", 2, 0, 1),
        ]);
        let got: Vec<_> = places
            .iter()
            .map(|p| (p.candidate.person.name.as_str(), p.rank, p.tied))
            .collect();
        assert_eq!(
            got,
            [
                ("dana", 1, false),
                ("Ana", 2, true),
                ("li", 2, true),
                ("bo", 2, true)
            ]
        );
    }
}
