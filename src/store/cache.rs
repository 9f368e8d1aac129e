//! What nearly every command reads and almost never changes: workspaces by their platform id,
//! members by their platform id, and each workspace's role-to-department mapping. Kept in
//! memory so a command costs one write rather than ten round trips.
//!
//! Correct because every write to those rows goes through this store, which updates or forgets
//! the entry in the same call, and, when processes share a PostgreSQL store, tells the others
//! to forget it too (`feed`).

use std::collections::HashMap;
use std::sync::RwLock;

use crate::domain::model::{Member, MemberId, Workspace, WorkspaceId};

#[derive(Debug, Default)]
pub(super) struct Cache {
    /// Bumped by every forget: an entry read from the database before a change committed is
    /// not put back after it (`put_*` take the epoch seen before the read).
    epoch: std::sync::atomic::AtomicU64,
    workspaces: RwLock<HashMap<(String, String), Workspace>>,
    members: RwLock<HashMap<(WorkspaceId, String), Member>>,
    /// Per workspace: (role id, department name), in no particular order.
    roles: RwLock<HashMap<WorkspaceId, Vec<(String, String)>>>,
}

impl Cache {
    pub fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn bump(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn workspace(&self, platform: &str, external_id: &str) -> Option<Workspace> {
        let key = (platform.to_string(), external_id.to_string());
        self.workspaces.read().ok()?.get(&key).cloned()
    }

    pub fn put_workspace(&self, seen: u64, ws: &Workspace) {
        if let Ok(mut map) = self.workspaces.write() {
            if self.epoch() != seen {
                return;
            }
            map.insert((ws.platform.clone(), ws.external_id.clone()), ws.clone());
        }
    }

    /// After any change to a workspace's settings (they are read whole).
    pub fn forget_workspace(&self, id: WorkspaceId) {
        if let Ok(mut map) = self.workspaces.write() {
            self.bump();
            map.retain(|_, ws| ws.id != id);
        }
    }

    pub fn member(&self, ws: WorkspaceId, external_id: &str) -> Option<Member> {
        let key = (ws, external_id.to_string());
        self.members.read().ok()?.get(&key).cloned()
    }

    pub fn put_member(&self, seen: u64, m: &Member) {
        if let Ok(mut map) = self.members.write() {
            if self.epoch() != seen {
                return;
            }
            map.insert((m.workspace_id, m.external_id.clone()), m.clone());
        }
    }

    /// After a change to a member (department, admin) made elsewhere than an upsert.
    pub fn forget_member(&self, id: MemberId) {
        if let Ok(mut map) = self.members.write() {
            self.bump();
            map.retain(|_, m| m.id != id);
        }
    }

    pub fn roles(&self, ws: WorkspaceId) -> Option<Vec<(String, String)>> {
        self.roles.read().ok()?.get(&ws).cloned()
    }

    pub fn put_roles(&self, seen: u64, ws: WorkspaceId, roles: Vec<(String, String)>) {
        if let Ok(mut map) = self.roles.write() {
            if self.epoch() != seen {
                return;
            }
            map.insert(ws, roles);
        }
    }

    /// Everything, when changes may have been missed (see `feed`).
    pub fn clear(&self) {
        if let (Ok(mut w), Ok(mut m), Ok(mut r)) = (
            self.workspaces.write(),
            self.members.write(),
            self.roles.write(),
        ) {
            self.bump();
            w.clear();
            m.clear();
            r.clear();
        }
    }

    pub fn forget_roles(&self, ws: WorkspaceId) {
        if let Ok(mut map) = self.roles.write() {
            self.bump();
            map.remove(&ws);
        }
    }
}
