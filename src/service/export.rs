use serde::Serialize;

use super::Spotlight;
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{KudosKind, KudosStatus, Workspace};
use crate::store::KudosFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl std::str::FromStr for ExportFormat {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Refusal> {
        match s.trim().to_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            other => Err(Refusal::Usage(format!(
                "'{other}' is not an export format: use csv or json."
            ))),
        }
    }
}

/// What a row of the export records. Ids are numbered per kind: (kind, id) names a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Kudos,
    Feedback,
    /// A service medallion: one recipient.
    Medallion,
    /// A thank-you note written to a customer: no recipients; the message is the optional note.
    CustomerThanks,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Kudos => "kudos",
            ExportKind::Feedback => "feedback",
            ExportKind::Medallion => "medallion",
            ExportKind::CustomerThanks => "customer_thanks",
        }
    }
}

impl From<KudosKind> for ExportKind {
    fn from(k: KudosKind) -> Self {
        match k {
            KudosKind::Kudos => ExportKind::Kudos,
            KudosKind::Feedback => ExportKind::Feedback,
        }
    }
}

/// One thank-you as the year-end awards committee sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    pub id: i64,
    pub kind: ExportKind,
    /// RFC 3339 in the workspace's time zone.
    pub time: String,
    pub local_date: String,
    pub giver: String,
    pub giver_department: String,
    pub recipients: Vec<String>,
    pub recipient_departments: Vec<String>,
    pub message: String,
    pub value: String,
    pub customer: String,
    pub theme: String,
    pub status: KudosStatus,
    /// Who took it back (its giver for an undo, an admin for a revocation); empty while active.
    pub removed_by: String,
    /// The admin's reason for a revocation.
    pub removed_reason: String,
}

impl Spotlight {
    pub async fn export_rows(
        &self,
        ws: &Workspace,
        filter: &KudosFilter,
    ) -> Result<Vec<ExportRow>> {
        let tz = ws.settings.timezone;
        let kudos = self.store.kudos_list(ws.id, filter).await?;
        let mut rows: Vec<(chrono::DateTime<chrono::Utc>, ExportRow)> = kudos
            .into_iter()
            .map(|k| {
                // Only its giver can undo a thank-you; a revocation records the admin.
                let (removed_by, removed_reason) = match (k.status, k.revoked) {
                    (KudosStatus::Undone, _) => (Some(k.giver.name.clone()), None),
                    (_, Some(revoked)) => (revoked.by, revoked.reason),
                    _ => (None, None),
                };
                let at = k.created_at;
                let row = ExportRow {
                    id: k.id,
                    kind: k.kind.into(),
                    time: k.created_at.with_timezone(&tz).to_rfc3339(),
                    local_date: k.local_date.to_string(),
                    giver: k.giver.name,
                    giver_department: k.giver.department.unwrap_or_default(),
                    recipient_departments: k
                        .recipients
                        .iter()
                        .map(|r| r.department.clone().unwrap_or_default())
                        .collect(),
                    recipients: k.recipients.into_iter().map(|r| r.name).collect(),
                    message: k.message,
                    value: k.value.unwrap_or_default(),
                    customer: k.customer.unwrap_or_default(),
                    theme: k.theme.unwrap_or_default(),
                    status: k.status,
                    removed_by: removed_by.unwrap_or_default(),
                    removed_reason: removed_reason.unwrap_or_default(),
                };
                (at, row)
            })
            .collect();
        let dates = match (filter.from, filter.to) {
            (None, None) => None,
            (from, to) => Some((
                from.unwrap_or(chrono::NaiveDate::MIN),
                to.unwrap_or(chrono::NaiveDate::MAX),
            )),
        };
        for m in self
            .store
            .medallions_list(ws.id, dates, filter.include_removed, None)
            .await?
        {
            let removed_by = match m.status {
                KudosStatus::Active => String::new(),
                _ => m.giver.name.clone(),
            };
            rows.push((
                m.created_at,
                ExportRow {
                    id: m.id,
                    kind: ExportKind::Medallion,
                    time: m.created_at.with_timezone(&tz).to_rfc3339(),
                    local_date: m.local_date.to_string(),
                    giver: m.giver.name,
                    giver_department: m.giver.department.unwrap_or_default(),
                    recipients: vec![m.recipient.name],
                    recipient_departments: vec![m.recipient.department.unwrap_or_default()],
                    message: m.message,
                    value: String::new(),
                    customer: String::new(),
                    theme: String::new(),
                    status: m.status,
                    removed_by,
                    removed_reason: String::new(),
                },
            ));
        }
        for c in self
            .store
            .customer_thanks_list(ws.id, (filter.from, filter.to))
            .await?
        {
            rows.push((
                c.created_at,
                ExportRow {
                    id: c.id,
                    kind: ExportKind::CustomerThanks,
                    time: c.created_at.with_timezone(&tz).to_rfc3339(),
                    local_date: c.local_date.to_string(),
                    giver: c.member.name,
                    giver_department: c.member.department.unwrap_or_default(),
                    recipients: Vec::new(),
                    recipient_departments: Vec::new(),
                    message: c.note.unwrap_or_default(),
                    value: String::new(),
                    customer: String::new(),
                    theme: String::new(),
                    status: KudosStatus::Active,
                    removed_by: String::new(),
                    removed_reason: String::new(),
                },
            ));
        }
        // One timeline; a stable sort keeps each kind's own order at equal times.
        rows.sort_by_key(|(at, _)| *at);
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }
}

/// Writes rows as CSV (recipients joined with "; ") or as a JSON array.
pub fn write_export(
    rows: &[ExportRow],
    format: ExportFormat,
    out: impl std::io::Write,
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(out, rows)?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "kind",
                "time",
                "local_date",
                "giver",
                "giver_department",
                "recipients",
                "recipient_departments",
                "message",
                "value",
                "customer",
                "theme",
                "status",
                "removed_by",
                "removed_reason",
            ])?;
            for r in rows {
                w.write_record([
                    r.id.to_string(),
                    r.kind.as_str().to_string(),
                    r.time.clone(),
                    r.local_date.clone(),
                    r.giver.clone(),
                    r.giver_department.clone(),
                    r.recipients.join("; "),
                    r.recipient_departments.join("; "),
                    r.message.clone(),
                    r.value.clone(),
                    r.customer.clone(),
                    r.theme.clone(),
                    format!("{:?}", r.status).to_lowercase(),
                    r.removed_by.clone(),
                    r.removed_reason.clone(),
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}
