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

/// One thank-you as the year-end awards committee sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    pub id: i64,
    pub kind: KudosKind,
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
        Ok(kudos
            .into_iter()
            .map(|k| {
                // Only its giver can undo a thank-you; a revocation records the admin.
                let (removed_by, removed_reason) = match (k.status, k.revoked) {
                    (KudosStatus::Undone, _) => (Some(k.giver.name.clone()), None),
                    (_, Some(revoked)) => (revoked.by, revoked.reason),
                    _ => (None, None),
                };
                ExportRow {
                    id: k.id,
                    kind: k.kind,
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
                }
            })
            .collect())
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
