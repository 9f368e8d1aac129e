//! The Excellence in Service awards once nominations close: every department's shortlist
//! weighing the nominations and the year's thank-yous from other departments, the winners
//! admins pick (or accept from the top of each shortlist), and the ceremony post, which the
//! scheduler sends exactly once with a direct message to each winner.

use chrono::{DateTime, NaiveTime};
use chrono_tz::Tz;

use super::awards::{department_order, parse_when};
use super::Spotlight;
use crate::domain::awards::{
    rank, Candidate, Place, Quote, QuoteKind, Round, Stage, NO_DEPARTMENT,
};
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, MemberRef, Person, Workspace};
use crate::domain::schedule::local_instant;
use crate::store::{NominationRow, WinnerRow};

/// A ceremony given as a date alone is posted at this local time.
pub const CEREMONY_DEFAULT_TIME: (u32, u32) = (16, 0);

/// A department's shortlist and its winner if one was picked.
#[derive(Debug, Clone)]
pub struct Shortlist {
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub places: Vec<Place>,
    pub winner: Option<Person>,
}

impl Shortlist {
    pub fn name(&self) -> &str {
        self.department.as_deref().unwrap_or(NO_DEPARTMENT)
    }
}

#[derive(Debug, Clone)]
pub struct Shortlists {
    pub round: Round,
    pub lists: Vec<Shortlist>,
}

/// What `accept` did: winners taken from the top of their shortlist, departments that already
/// had a pick (kept), and departments whose top is a tie (left for an admin to pick).
#[derive(Debug, Clone, Default)]
pub struct Accepted {
    pub picked: Vec<(String, Person)>,
    pub kept: Vec<(String, Person)>,
    pub tied: Vec<(String, Vec<Person>)>,
}

/// A winner with the words behind them, for the ceremony post, their DM and the export.
#[derive(Debug, Clone)]
pub struct Winner {
    pub department: String,
    pub external_id: String,
    pub candidate: Candidate,
}

/// The ceremony as scheduled.
#[derive(Debug, Clone)]
pub struct CeremonyPlan {
    pub year: i32,
    pub at: DateTime<Tz>,
    pub winners: Vec<(String, Person)>,
}

impl Spotlight {
    /// Every department's shortlist, once nominations have closed.
    pub async fn awards_shortlists(&self, ws: &Workspace, actor: &Actor) -> Result<Shortlists> {
        Self::require_admin(actor, "see the award shortlists")?;
        let round = self.round_or_refuse(ws).await?;
        if let Stage::Open { until } = round.stage(self.now()) {
            return Err(Refusal::Awards(format!(
                "Nominations are open until {}; the shortlists come once they close (or close them now with `awards close`).",
                crate::render::awards::deadline(until, ws.settings.timezone)
            ))
            .into());
        }
        self.shortlists_of(ws, round).await
    }

    async fn shortlists_of(&self, ws: &Workspace, round: Round) -> Result<Shortlists> {
        let rows = self.store.nominations(round.id).await?;
        let mut ids: Vec<i64> = rows.iter().map(|n| n.nominee.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let thanks = self
            .store
            .thanks_from_other_departments(ws.id, round.year, &ids)
            .await?;
        let winners = self.store.award_winners(round.id).await?;
        let mut lists: Vec<Shortlist> = Vec::new();
        let mut by_department: Vec<(Option<i64>, Option<String>, Vec<&NominationRow>)> = Vec::new();
        for n in &rows {
            match by_department.iter_mut().find(|d| d.0 == n.department_id) {
                Some(d) => d.2.push(n),
                None => by_department.push((n.department_id, n.department.clone(), vec![n])),
            }
        }
        for (department_id, department, nominations) in by_department {
            let mut candidates: Vec<Candidate> = Vec::new();
            for n in nominations {
                let quote = Quote {
                    kind: QuoteKind::Nomination,
                    from: None,
                    from_department: None,
                    text: n.reason.clone(),
                    local_date: n
                        .created_at
                        .with_timezone(&ws.settings.timezone)
                        .date_naive(),
                };
                match candidates.iter_mut().find(|c| c.person.id == n.nominee.id) {
                    Some(c) => {
                        c.nominations += 1;
                        c.quotes.push(quote);
                    }
                    None => candidates.push(Candidate {
                        person: n.nominee.clone(),
                        nominations: 1,
                        medallions: 0,
                        kudos: 0,
                        feedback: 0,
                        quotes: vec![quote],
                    }),
                }
            }
            for c in &mut candidates {
                let mut received: Vec<Quote> = Vec::new();
                for t in thanks.iter().filter(|t| t.recipient_id == c.person.id) {
                    match t.kind {
                        QuoteKind::Medallion => c.medallions += 1,
                        QuoteKind::Feedback => c.feedback += 1,
                        _ => c.kudos += 1,
                    }
                    received.push(Quote {
                        kind: t.kind,
                        from: Some(t.giver.clone()),
                        from_department: t.giver_department.clone(),
                        text: t.message.clone(),
                        local_date: t.local_date,
                    });
                }
                // Medallions first; newest first within each (a stable sort keeps the order).
                received.sort_by_key(|q| q.kind != QuoteKind::Medallion);
                c.quotes.extend(received);
            }
            let winner = winners
                .iter()
                .find(|w| w.department_id == department_id)
                .map(|w| w.member.clone());
            lists.push(Shortlist {
                department_id,
                department,
                places: rank(candidates),
                winner,
            });
        }
        lists.sort_by(|a, b| department_order(&a.department, &b.department));
        Ok(Shortlists { round, lists })
    }

    async fn closed_round(&self, ws: &Workspace) -> Result<Round> {
        let round = self.round_or_refuse(ws).await?;
        match round.stage(self.now()) {
            Stage::Open { .. } => Err(Refusal::Awards(
                "Nominations are still open: winners are picked once they close (`awards close` closes them now)."
                    .into(),
            )
            .into()),
            Stage::Celebrated => Err(Refusal::Awards(format!(
                "The {} awards have had their ceremony; open the next ones with `awards open`.",
                round.year
            ))
            .into()),
            _ => Ok(round),
        }
    }

    /// Makes `who` the winner of the department they are shortlisted in (`department` names it
    /// when they are on more than one shortlist).
    pub async fn awards_pick(
        &self,
        ws: &Workspace,
        actor: &Actor,
        who: &MemberRef,
        department: Option<&str>,
    ) -> Result<(String, Person)> {
        Self::require_admin(actor, "pick the award winners")?;
        let round = self.closed_round(ws).await?;
        let member = self.find_member(ws, who).await?;
        let shortlists = self.shortlists_of(ws, round.clone()).await?;
        let wanted = department.map(str::trim).filter(|d| !d.is_empty());
        let on: Vec<&Shortlist> = shortlists
            .lists
            .iter()
            .filter(|l| {
                member
                    .as_ref()
                    .is_some_and(|m| l.places.iter().any(|p| p.candidate.person.id == m.id))
            })
            .filter(|l| wanted.is_none_or(|w| l.name().eq_ignore_ascii_case(w)))
            .collect();
        let name = member
            .as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_else(|| match who {
                MemberRef::User(u) => u.name.clone(),
                MemberRef::Id(id) => format!("member {id}"),
            });
        let list = match on.as_slice() {
            [one] => *one,
            [] => {
                return Err(Refusal::Awards(match wanted {
                    Some(d) => format!("{name} is not on the {d} shortlist: a winner is one of the department's nominees."),
                    None => format!("{name} is not on any shortlist: a winner is one of their department's nominees."),
                })
                .into())
            }
            many => {
                return Err(Refusal::Awards(format!(
                    "{name} is on the {} shortlists: say which, e.g. `awards pick @{name} {}`.",
                    many.iter().map(|l| l.name()).collect::<Vec<_>>().join(" and "),
                    many[0].name()
                ))
                .into())
            }
        };
        let member = member.expect("a shortlisted member");
        self.store
            .set_award_winner(
                round.id,
                list.department_id,
                member.id,
                actor.member.id,
                self.now(),
            )
            .await?;
        tracing::info!(round = round.id, winner = member.id, "award winner picked");
        let person = list
            .places
            .iter()
            .find(|p| p.candidate.person.id == member.id)
            .map(|p| p.candidate.person.clone())
            .expect("on the shortlist");
        Ok((list.name().to_string(), person))
    }

    /// Takes the top of every shortlist that has no winner yet; a department whose top places
    /// tie is left for an admin to pick.
    pub async fn awards_accept(&self, ws: &Workspace, actor: &Actor) -> Result<Accepted> {
        Self::require_admin(actor, "pick the award winners")?;
        let round = self.closed_round(ws).await?;
        let shortlists = self.shortlists_of(ws, round.clone()).await?;
        let mut out = Accepted::default();
        for list in &shortlists.lists {
            let name = list.name().to_string();
            if let Some(w) = &list.winner {
                out.kept.push((name, w.clone()));
                continue;
            }
            let Some(top) = list.places.first() else {
                continue;
            };
            if top.tied {
                let tied = list
                    .places
                    .iter()
                    .filter(|p| p.rank == top.rank)
                    .map(|p| p.candidate.person.clone())
                    .collect();
                out.tied.push((name, tied));
                continue;
            }
            let person = top.candidate.person.clone();
            self.store
                .set_award_winner(
                    round.id,
                    list.department_id,
                    person.id,
                    actor.member.id,
                    self.now(),
                )
                .await?;
            out.picked.push((name, person));
        }
        tracing::info!(
            round = round.id,
            picked = out.picked.len(),
            tied = out.tied.len(),
            "award shortlists accepted"
        );
        Ok(out)
    }

    /// Schedules the ceremony post (a date alone: at 16:00), in the future, once every
    /// department with nominees has its winner. Scheduling it again moves it.
    pub async fn awards_ceremony(
        &self,
        ws: &Workspace,
        actor: &Actor,
        when: &str,
    ) -> Result<CeremonyPlan> {
        Self::require_admin(actor, "schedule the awards ceremony")?;
        let tz = ws.settings.timezone;
        let round = self.closed_round(ws).await?;
        if when.trim().is_empty() {
            return Err(Refusal::Awards(
                "Say when the ceremony is posted, e.g. `awards ceremony 2026-12-18 16:00`.".into(),
            )
            .into());
        }
        let (h, m) = CEREMONY_DEFAULT_TIME;
        let at = parse_when(tz, when, |d| {
            local_instant(tz, d, NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
        })?;
        if at <= self.now() {
            return Err(Refusal::Awards(format!(
                "{} has passed: schedule the ceremony in the future.",
                at.with_timezone(&tz).format("%a %-d %b %Y %H:%M")
            ))
            .into());
        }
        let shortlists = self.shortlists_of(ws, round.clone()).await?;
        if shortlists.lists.is_empty() {
            return Err(Refusal::Awards(
                "Nobody was nominated, so there is no one to celebrate.".into(),
            )
            .into());
        }
        let missing: Vec<&str> = shortlists
            .lists
            .iter()
            .filter(|l| l.winner.is_none())
            .map(|l| l.name())
            .collect();
        if !missing.is_empty() {
            return Err(Refusal::Awards(format!(
                "Pick a winner for {} first (`awards pick @name`, or `awards accept` for the top of each shortlist).",
                missing.join(", ")
            ))
            .into());
        }
        let local = at.with_timezone(&tz);
        self.store
            .schedule_ceremony(ws.id, round.id, at, local.date_naive())
            .await?;
        tracing::info!(round = round.id, %at, "awards ceremony scheduled");
        Ok(CeremonyPlan {
            year: round.year,
            at: local,
            winners: shortlists
                .lists
                .iter()
                .filter_map(|l| l.winner.clone().map(|w| (l.name().to_string(), w)))
                .collect(),
        })
    }

    /// The winners of a round with the words behind them, departments in order: what the
    /// ceremony post and each winner's direct message are made of.
    pub async fn award_winners(&self, ws: &Workspace, round: &Round) -> Result<Vec<Winner>> {
        let shortlists = self.shortlists_of(ws, round.clone()).await?;
        let stored: Vec<WinnerRow> = self.store.award_winners(round.id).await?;
        let mut out = Vec::new();
        for list in shortlists.lists {
            let name = list.name().to_string();
            let Some(w) = stored
                .iter()
                .find(|w| w.department_id == list.department_id)
            else {
                continue;
            };
            if let Some(place) = list
                .places
                .into_iter()
                .find(|p| p.candidate.person.id == w.member.id)
            {
                out.push(Winner {
                    department: name,
                    external_id: w.external_id.clone(),
                    candidate: place.candidate,
                });
            }
        }
        Ok(out)
    }

    /// The latest round's shortlists for the export (admins; once nominations have closed).
    pub async fn awards_export(&self, ws: &Workspace, actor: &Actor) -> Result<Shortlists> {
        self.awards_shortlists(ws, actor).await
    }

    /// The same for the command line, which runs on the database itself (no platform admin to
    /// ask).
    pub async fn awards_export_local(&self, ws: &Workspace) -> Result<Shortlists> {
        let round = self.round_or_refuse(ws).await?;
        if let Stage::Open { until } = round.stage(self.now()) {
            return Err(Refusal::Awards(format!(
                "Nominations are open until {}; the shortlists come once they close.",
                crate::render::awards::deadline(until, ws.settings.timezone)
            ))
            .into());
        }
        self.shortlists_of(ws, round).await
    }
}
