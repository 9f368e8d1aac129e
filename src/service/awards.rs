//! The Excellence in Service awards: admins open nominations until a moment they choose,
//! members nominate one colleague per department, and admins see who is nominated. What follows
//! the close (shortlists, winners, the ceremony) is in `awards_shortlists`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::Spotlight;
use crate::domain::awards::{Round, Stage, MAX_REASON_CHARS};
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, Member, MemberRef, Person, Workspace};
use crate::domain::schedule::local_instant;
use crate::domain::text::clean_message;

/// A nomination that went through.
#[derive(Debug, Clone)]
pub struct Nominated {
    /// The nominee, with the department they are nominated in.
    pub nominee: Person,
    /// The nominator's earlier nominee in that department, now replaced (or the same person,
    /// whose reason was updated).
    pub replaced: Option<Person>,
    pub until: DateTime<Tz>,
}

/// One nominee on the admins' private list.
#[derive(Debug, Clone)]
pub struct Nominee {
    pub person: Person,
    /// (nominator, reason), oldest first.
    pub reasons: Vec<(String, String)>,
}

/// A department's nominees (`department` `None`: no department).
#[derive(Debug, Clone)]
pub struct DepartmentNominees {
    pub department: Option<String>,
    pub nominees: Vec<Nominee>,
}

/// Where the awards stand, for admins.
#[derive(Debug, Clone)]
pub struct AwardsStatus {
    pub round: Round,
    pub stage: Stage,
    pub tz: Tz,
    pub nominators: usize,
    pub departments: Vec<DepartmentNominees>,
}

/// Parses `2026-12-15`, `2026-12-15 17:00` or `2026-12-15T17:00` in the workspace's zone; a date
/// alone means `date_only` applied to it.
pub(super) fn parse_when(
    tz: Tz,
    text: &str,
    date_only: impl Fn(NaiveDate) -> DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let text = text.trim();
    let bad = || -> crate::domain::error::Error {
        Refusal::Awards(format!(
            "'{text}' is not a date or a date and time: use 2026-12-15 or 2026-12-15 17:00 ({}).",
            tz.name()
        ))
        .into()
    };
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
    Ok(match time {
        None => date_only(date),
        Some(t) => {
            let time = NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| bad())?;
            local_instant(tz, date, time)
        }
    })
}

/// Departments by name, "No department" last.
pub(super) fn department_order(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

impl Spotlight {
    async fn latest_round(&self, ws: &Workspace) -> Result<Option<Round>> {
        Ok(self.store.latest_award_round(ws.id).await?)
    }

    pub(super) async fn round_or_refuse(&self, ws: &Workspace) -> Result<Round> {
        self.latest_round(ws).await?.ok_or_else(|| {
            Refusal::Awards(
                "The Excellence in Service awards have not been opened yet: an admin opens \
                 nominations with `awards open 2026-12-15`."
                    .into(),
            )
            .into()
        })
    }

    /// Where the awards stand now; `None` when they were never opened.
    pub async fn awards_round(&self, ws: &Workspace) -> Result<Option<(Round, Stage)>> {
        let now = self.now();
        Ok(self.latest_round(ws).await?.map(|r| {
            let stage = r.stage(now);
            (r, stage)
        }))
    }

    /// Opens nominations until `until` (a date: to the end of that day; or a date and time), in
    /// the workspace's zone; it must be in the future. A closed round that has not had its
    /// ceremony opens again (its nominations stay, its picks go); an open one is refused.
    pub async fn awards_open(&self, ws: &Workspace, actor: &Actor, until: &str) -> Result<Round> {
        Self::require_admin(actor, "open the Excellence in Service awards")?;
        let tz = ws.settings.timezone;
        if until.trim().is_empty() {
            return Err(Refusal::Awards(
                "Say until when nominations are open, e.g. `awards open 2026-12-15` or `awards open 2026-12-15 17:00`."
                    .into(),
            )
            .into());
        }
        let closes_at = parse_when(tz, until, |d| {
            local_instant(tz, d.succ_opt().unwrap_or(d), NaiveTime::MIN)
        })?;
        let now = self.now();
        if closes_at <= now {
            return Err(Refusal::Awards(format!(
                "Nominations would close at {}, which has passed: choose a moment in the future.",
                crate::render::awards::deadline(closes_at, tz)
            ))
            .into());
        }
        match self.latest_round(ws).await? {
            Some(r) => match r.stage(now) {
                Stage::Open { until } => {
                    return Err(Refusal::Awards(format!(
                        "Nominations are already open, until {}. Close them first (`awards close`) to change that.",
                        crate::render::awards::deadline(until, tz)
                    ))
                    .into())
                }
                Stage::Closed | Stage::Scheduled { .. } => {
                    self.store.reopen_award_round(r.id, closes_at).await?;
                    tracing::info!(round = r.id, "award nominations reopened");
                }
                Stage::Celebrated => self.open_new_round(ws, actor, closes_at).await?,
            },
            None => self.open_new_round(ws, actor, closes_at).await?,
        }
        self.round_or_refuse(ws).await
    }

    async fn open_new_round(
        &self,
        ws: &Workspace,
        actor: &Actor,
        closes_at: DateTime<Utc>,
    ) -> Result<()> {
        let year = self.today(ws).year();
        let id = self
            .store
            .open_award_round(ws.id, year, actor.member.id, self.now(), closes_at)
            .await?;
        tracing::info!(round = id, year, "award nominations opened");
        Ok(())
    }

    /// Closes nominations now, before their time.
    pub async fn awards_close(&self, ws: &Workspace, actor: &Actor) -> Result<Round> {
        Self::require_admin(actor, "close the award nominations")?;
        let round = self.round_or_refuse(ws).await?;
        if !matches!(round.stage(self.now()), Stage::Open { .. }) {
            return Err(Refusal::Awards("Nominations are not open.".into()).into());
        }
        self.store.close_award_round(round.id, self.now()).await?;
        tracing::info!(round = round.id, "award nominations closed early");
        self.round_or_refuse(ws).await
    }

    /// Nominates a colleague for their department's award. Not yourself, not a bot, a reason of
    /// 1 to 500 characters, only while nominations are open; one nominee per department per
    /// member: a new nomination in the same department replaces the earlier one.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, nominator = nominator.id))]
    pub async fn nominate(
        &self,
        ws: &Workspace,
        nominator: &Member,
        nominee: &MemberRef,
        reason: &str,
    ) -> Result<Nominated> {
        let tz = ws.settings.timezone;
        let round = self.latest_round(ws).await?;
        let until = match round.as_ref().map(|r| (r, r.stage(self.now()))) {
            Some((_, Stage::Open { until })) => until,
            Some((r, _)) if r.celebrated_at.is_none() => {
                return Err(Refusal::Awards(format!(
                    "Nominations for the Excellence in Service awards closed on {}.",
                    r.closed(self.now())
                        .unwrap_or(r.closes_at)
                        .with_timezone(&tz)
                        .format("%a %-d %b %Y %H:%M")
                ))
                .into())
            }
            _ => {
                return Err(Refusal::Awards(
                    "Nominations for the Excellence in Service awards are not open.".into(),
                )
                .into())
            }
        };
        let round = round.expect("an open round");
        match nominee {
            MemberRef::Id(id) if *id == nominator.id => return Err(Refusal::SelfNomination.into()),
            MemberRef::User(u) if u.external_id == nominator.external_id => {
                return Err(Refusal::SelfNomination.into())
            }
            MemberRef::User(u) if u.is_bot => {
                return Err(Refusal::NominateBot(u.name.clone()).into())
            }
            _ => {}
        }
        let reason = clean_message(reason, MAX_REASON_CHARS).map_err(|r| match r {
            Refusal::EmptyMessage => Refusal::Awards(
                "Say why you nominate them, e.g. /nominate @dana answers Billing's questions the same day."
                    .into(),
            ),
            other => other,
        })?;
        let person = self.resolve(ws, nominee).await?;
        if person.is_bot {
            return Err(Refusal::NominateBot(person.display_name).into());
        }
        if person.id == nominator.id {
            return Err(Refusal::SelfNomination.into());
        }
        let (department, replaced) = self
            .store
            .nominate(round.id, nominator.id, person.id, &reason, self.now())
            .await?;
        tracing::info!(round = round.id, nominee = person.id, "nominated");
        Ok(Nominated {
            nominee: Person {
                id: person.id,
                name: person.display_name,
                department,
            },
            replaced,
            until: until.with_timezone(&tz),
        })
    }

    /// The admins' private view: where the awards stand, and who is nominated in each
    /// department, by whom and why.
    pub async fn awards_status(&self, ws: &Workspace, actor: &Actor) -> Result<AwardsStatus> {
        Self::require_admin(actor, "see the award nominations")?;
        let round = self.round_or_refuse(ws).await?;
        let rows = self.store.nominations(round.id).await?;
        let mut nominators: Vec<i64> = rows.iter().map(|n| n.nominator.id).collect();
        nominators.sort_unstable();
        nominators.dedup();
        let mut departments: Vec<DepartmentNominees> = Vec::new();
        for n in &rows {
            let i = match departments
                .iter()
                .position(|d| d.department == n.department)
            {
                Some(i) => i,
                None => {
                    departments.push(DepartmentNominees {
                        department: n.department.clone(),
                        nominees: Vec::new(),
                    });
                    departments.len() - 1
                }
            };
            let d = &mut departments[i];
            let reason = (n.nominator.name.clone(), n.reason.clone());
            match d.nominees.iter_mut().find(|x| x.person.id == n.nominee.id) {
                Some(x) => x.reasons.push(reason),
                None => d.nominees.push(Nominee {
                    person: n.nominee.clone(),
                    reasons: vec![reason],
                }),
            }
        }
        departments.sort_by(|a, b| department_order(&a.department, &b.department));
        for d in &mut departments {
            d.nominees.sort_by(|a, b| {
                b.reasons.len().cmp(&a.reasons.len()).then_with(|| {
                    a.person
                        .name
                        .to_lowercase()
                        .cmp(&b.person.name.to_lowercase())
                })
            });
        }
        Ok(AwardsStatus {
            stage: round.stage(self.now()),
            round,
            tz: ws.settings.timezone,
            nominators: nominators.len(),
            departments,
        })
    }
}
