//! The awards' shortlists and the quotes behind them, as CSV or JSON for a printed ceremony.

use serde::Serialize;

use super::{ExportFormat, Shortlists};
use crate::domain::awards::QuoteKind;

/// One quote behind a shortlisted person, with their place; a nomination's quote never names
/// its nominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardsExportRow {
    pub year: i32,
    pub department: String,
    pub rank: usize,
    pub tied: bool,
    pub member: String,
    pub score: u32,
    pub nominations: u32,
    pub medallions: u32,
    pub kudos: u32,
    pub feedback: u32,
    pub winner: bool,
    pub quote_kind: QuoteKind,
    pub quote_from: String,
    pub quote_from_department: String,
    pub quote_date: String,
    pub quote: String,
}

/// Every quote of every place of every shortlist, departments and places in order.
pub fn awards_export_rows(s: &Shortlists) -> Vec<AwardsExportRow> {
    let mut rows = Vec::new();
    for list in &s.lists {
        for p in &list.places {
            let c = &p.candidate;
            let winner = list.winner.as_ref().is_some_and(|w| w.id == c.person.id);
            for q in &c.quotes {
                rows.push(AwardsExportRow {
                    year: s.round.year,
                    department: list.name().to_string(),
                    rank: p.rank,
                    tied: p.tied,
                    member: c.person.name.clone(),
                    score: c.score(),
                    nominations: c.nominations,
                    medallions: c.medallions,
                    kudos: c.kudos,
                    feedback: c.feedback,
                    winner,
                    quote_kind: q.kind,
                    quote_from: q.from.clone().unwrap_or_default(),
                    quote_from_department: q.from_department.clone().unwrap_or_default(),
                    quote_date: q.local_date.to_string(),
                    quote: q.text.clone(),
                });
            }
        }
    }
    rows
}

/// Writes the rows as CSV (one line per quote) or as a JSON array.
pub fn write_awards_export(
    rows: &[AwardsExportRow],
    format: ExportFormat,
    out: impl std::io::Write,
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Json => serde_json::to_writer_pretty(out, rows)?,
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "year",
                "department",
                "rank",
                "tied",
                "member",
                "score",
                "nominations",
                "medallions",
                "kudos",
                "feedback",
                "winner",
                "quote_kind",
                "quote_from",
                "quote_from_department",
                "quote_date",
                "quote",
            ])?;
            for r in rows {
                w.write_record([
                    r.year.to_string(),
                    r.department.clone(),
                    r.rank.to_string(),
                    r.tied.to_string(),
                    r.member.clone(),
                    r.score.to_string(),
                    r.nominations.to_string(),
                    r.medallions.to_string(),
                    r.kudos.to_string(),
                    r.feedback.to_string(),
                    r.winner.to_string(),
                    r.quote_kind.as_str().to_string(),
                    r.quote_from.clone(),
                    r.quote_from_department.clone(),
                    r.quote_date.clone(),
                    r.quote.clone(),
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// The export as text, for a chat reply.
pub fn awards_export_text(s: &Shortlists, format: ExportFormat) -> anyhow::Result<String> {
    let mut out = Vec::new();
    write_awards_export(&awards_export_rows(s), format, &mut out)?;
    Ok(String::from_utf8(out)?)
}
