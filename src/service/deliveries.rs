use super::Spotlight;
use crate::domain::error::Result;
use crate::domain::model::{Actor, Member, Workspace};
use crate::domain::text::clean_name;
use crate::store::DeliveryFailure;

impl Spotlight {
    /// Remembers a post the platform refused, for `status` and the admins' next command.
    pub async fn delivery_failed(
        &self,
        ws: &Workspace,
        what: &str,
        channel: Option<&str>,
        reason: &str,
        permanent: bool,
    ) -> Result<()> {
        tracing::warn!(
            workspace = ws.id,
            what,
            channel,
            reason,
            permanent,
            "post not delivered"
        );
        let failure = DeliveryFailure {
            what: what.to_string(),
            channel: channel.map(str::to_string),
            reason: reason.to_string(),
            permanent,
            at: self.now(),
        };
        Ok(self.store.record_delivery_failure(ws.id, &failure).await?)
    }

    /// The latest delivery failures, for an admin's status view.
    pub async fn recent_failures(
        &self,
        ws: &Workspace,
        actor: &Actor,
    ) -> Result<Vec<DeliveryFailure>> {
        Self::require_admin(actor, "see the bot's status")?;
        Ok(self.store.delivery_failures(ws.id, 10).await?)
    }

    /// Failures an admin has not been told about yet; empty for everyone else.
    pub async fn admin_notices(
        &self,
        ws: &Workspace,
        actor: &Actor,
    ) -> Result<Vec<DeliveryFailure>> {
        if !actor.is_admin {
            return Ok(Vec::new());
        }
        Ok(self.store.take_unseen_failures(ws.id, self.now()).await?)
    }

    /// Members holding `role` belong to `department` (or, with `None`, the mapping goes).
    pub async fn map_role(
        &self,
        ws: &Workspace,
        actor: &Actor,
        role: &str,
        department: Option<&str>,
    ) -> Result<()> {
        Self::require_admin(actor, "map roles to departments")?;
        let department = match department {
            Some(d) => Some(clean_name(d, 60)?),
            None => None,
        };
        Ok(self
            .store
            .map_role(ws.id, role, department.as_deref())
            .await?)
    }

    /// Applies role-mapped departments to a member from the roles the platform reports.
    pub async fn apply_roles(
        &self,
        ws: &Workspace,
        member: &Member,
        roles: &[String],
    ) -> Result<Member> {
        debug_assert_eq!(ws.id, member.workspace_id);
        if self.store.apply_role_departments(member, roles).await? {
            self.refresh_member(member).await
        } else {
            Ok(member.clone())
        }
    }
}
