use chrono::NaiveDate;

use super::Spotlight;
use crate::domain::calendar::WeekDates;
use crate::domain::error::Result;
use crate::domain::model::Workspace;
use crate::domain::themes::{Plan, Theme};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanDay {
    pub date: NaiveDate,
    pub number: u8,
    pub theme: Option<Theme>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeekPlan {
    pub year: i32,
    pub dates: WeekDates,
    /// True when an admin moved the week away from the standard dates.
    pub overridden: bool,
    pub days: Vec<PlanDay>,
}

impl Spotlight {
    /// The workspace's Customer Service Week of `year`: its override, or the standard week.
    pub async fn week_dates(&self, ws: &Workspace, year: i32) -> Result<WeekDates> {
        Ok(self
            .store
            .week_override(ws.id, year)
            .await?
            .unwrap_or_else(|| WeekDates::standard(year)))
    }

    /// The day-by-day plan with the workspace's own edits applied.
    pub async fn plan_for(&self, ws: &Workspace) -> Result<Plan> {
        let mut plan = self.plan.clone();
        for (day, theme) in self.store.theme_overrides(ws.id).await? {
            if let Some(slot) = plan.days.get_mut(usize::from(day).saturating_sub(1)) {
                *slot = theme;
            }
        }
        Ok(plan)
    }

    /// The week's dates and plan, for a workspace or (without one) the standard week.
    pub async fn week_plan(&self, ws: Option<&Workspace>, year: i32) -> Result<WeekPlan> {
        let (dates, plan) = match ws {
            Some(ws) => (self.week_dates(ws, year).await?, self.plan_for(ws).await?),
            None => (WeekDates::standard(year), self.plan.clone()),
        };
        let days = dates
            .days()
            .map(|date| {
                let number = dates.day_number(date).unwrap_or(0);
                PlanDay {
                    date,
                    number,
                    theme: plan.days.get(usize::from(number).wrapping_sub(1)).cloned(),
                }
            })
            .collect();
        Ok(WeekPlan {
            year,
            overridden: dates != WeekDates::standard(year),
            dates,
            days,
        })
    }
}
