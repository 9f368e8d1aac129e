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
    pub fn week_dates(&self, ws: &Workspace, year: i32) -> WeekDates {
        ws.settings.week(year)
    }

    /// The day-by-day plan with the workspace's own edits applied.
    pub fn plan_for(&self, ws: &Workspace) -> Plan {
        ws.settings.plan(&self.plan)
    }

    /// The week's dates and plan, for a workspace or (without one) the standard week.
    pub async fn week_plan(&self, ws: Option<&Workspace>, year: i32) -> Result<WeekPlan> {
        let (dates, plan) = match ws {
            Some(ws) => (self.week_dates(ws, year), self.plan_for(ws)),
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
