//! What can go wrong: refusals a user caused (shown to them as they are) and internal faults
//! (logged with their cause, shown as a short apology).

use thiserror::Error;

/// A request the rules turn down. Each message names the rule and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("You can't send kudos to yourself. Thank a colleague instead!")]
    SelfKudos,
    #[error("{0} is a bot; kudos are for people.")]
    BotRecipient(String),
    #[error(
        "Name at least one colleague to thank, e.g. /kudos @dana thanks for covering my shift."
    )]
    NoRecipients,
    #[error("You can thank at most {max} people at once (you named {given}).")]
    TooManyRecipients { max: usize, given: usize },
    #[error("Add a message saying what you are thankful for.")]
    EmptyMessage,
    #[error(
        "Name at least one colleague the customer praised, e.g. /feedback @li from:\"Acme\" Li fixed it in minutes."
    )]
    NoFeedbackRecipients,
    #[error("A customer's compliment can name at most {max} colleagues (you named {given}).")]
    TooManyFeedbackRecipients { max: usize, given: usize },
    #[error(
        "Share feedback about your colleagues; ask a teammate to share a compliment about you."
    )]
    SelfFeedback,
    #[error("Add the customer's words, e.g. /feedback @li from:\"Acme\" Li fixed it in minutes.")]
    EmptyFeedback,
    #[error("The customer's name has no closing quote: use from:\"Customer Name\".")]
    UnclosedQuote,
    #[error("Your message is {len} characters; the limit is {max}. Please shorten it.")]
    MessageTooLong { len: usize, max: usize },
    #[error("Unknown value '{given}'. Valid values: {}.", valid.join(", "))]
    UnknownValue { given: String, valid: Vec<String> },
    #[error(
        "Daily allowance reached: you can thank {allowance} people a day and have {left} left \
         today, so you can't thank {requested} more. It resets at midnight ({timezone}), in {resets_in}."
    )]
    AllowanceExceeded {
        allowance: u32,
        left: u32,
        requested: u32,
        timezone: String,
        resets_in: String,
    },
    #[error("{0} hasn't given or received any kudos here yet.")]
    NoKudosYet(String),
    #[error("You have no kudos to undo.")]
    NothingToUndo,
    #[error(
        "Your latest kudos (#{id}) was given {minutes_ago} minutes ago; undo works for {window} \
         minutes. Ask an admin to revoke it if it must go."
    )]
    UndoWindowPassed {
        id: i64,
        minutes_ago: i64,
        window: u32,
    },
    #[error("There is no kudos #{0} in this workspace.")]
    KudosNotFound(i64),
    #[error("Kudos #{0} has already been revoked or undone.")]
    AlreadyRemoved(i64),
    #[error("Give a reason for revoking it, e.g. /config revoke 12 posted by mistake.")]
    MissingReason,
    #[error("Only admins can {0}.")]
    NotAdmin(String),
    #[error(
        "{0} is the last admin: appoint another admin first (/config admin @name), so someone can \
         still change the settings."
    )]
    LastAdmin(String),
    #[error(
        "'{0}' is not an IANA time zone. Use a name such as Europe/London or America/New_York."
    )]
    InvalidTimezone(String),
    #[error("'{0}' is not a period. Use today, week, csw, csw2025, month, year or all.")]
    InvalidPeriod(String),
    #[error(
        "'{0}' is not a board. Use received, given, departments, values, crossteam or medallions."
    )]
    InvalidBoard(String),
    #[error("'{0}' is not a date. Use YYYY-MM-DD, e.g. 2026-10-05.")]
    InvalidDate(String),
    #[error("'{0}' is not a time of day. Use HH:MM in 24-hour form, e.g. 09:00.")]
    InvalidTime(String),
    #[error(
        "'{0}' is not an allowance. Use a whole number of thank-yous per day (0 = unlimited)."
    )]
    InvalidAllowance(String),
    #[error("The week must run 1 to 7 days, from {start} to {end} does not.")]
    InvalidWeek { start: String, end: String },
    #[error("'{0}' is already a value.")]
    ValueExists(String),
    #[error("A workspace needs at least one value; add another before removing '{0}'.")]
    LastValue(String),
    #[error("'{0}' is not a valid name: use 1 to {1} characters.")]
    InvalidName(String, usize),
    #[error("There is no day {0} in the plan: use 1 to 7 or monday to sunday.")]
    InvalidDay(String),
    #[error(
        "'{0}' is not an emoji. Use one such as 🌟, a shortcode such as :star2:, or a custom emoji \
         such as :partyblob:."
    )]
    InvalidEmoji(String),
    #[error("You can't give a service medallion to yourself: it is for a colleague whose service to you stood out.")]
    SelfMedallion,
    #[error("{0} is a bot; service medallions are for people.")]
    MedallionForBot(String),
    #[error(
        "Name the colleague whose service stood out, e.g. /medallion @dana for untangling my customer's order."
    )]
    NoMedallionRecipient,
    #[error("A service medallion goes to one colleague; you named {0}.")]
    OneMedallionRecipient(usize),
    #[error("Service medallions are switched off in this workspace.")]
    MedallionsOff,
    #[error(
        "You have given all {per_year} of your service medallions for {year}; you get {per_year} more on 1 January. Kudos are always there: /kudos."
    )]
    MedallionsUsed { per_year: u32, year: i32 },
    #[error("'{0}' is not a number of medallions: use 0 to 3 per member per year.")]
    InvalidMedallionCount(String),
    #[error(
        "You can't nominate yourself: nominate a colleague whose service to your department stood out."
    )]
    SelfNomination,
    #[error("{0} is a bot; the Excellence in Service awards are for people.")]
    NominateBot(String),
    #[error(
        "Name the colleague you nominate and why, e.g. /nominate @dana answers Billing's questions the same day."
    )]
    NoNominee,
    #[error("Nominate one colleague at a time; you named {0}.")]
    OneNominee(usize),
    /// The awards' state does not allow it (not open, already open, not closed yet...).
    #[error("{0}")]
    Awards(String),
    #[error("{0}")]
    Usage(String),
}

impl Refusal {
    /// The rule that refused, as a metrics label: one short name per kind of refusal.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::SelfKudos => "self_kudos",
            Refusal::BotRecipient(..) => "bot_recipient",
            Refusal::NoRecipients => "no_recipients",
            Refusal::TooManyRecipients { .. } => "too_many_recipients",
            Refusal::EmptyMessage => "empty_message",
            Refusal::NoFeedbackRecipients => "no_feedback_recipients",
            Refusal::TooManyFeedbackRecipients { .. } => "too_many_feedback_recipients",
            Refusal::SelfFeedback => "self_feedback",
            Refusal::EmptyFeedback => "empty_feedback",
            Refusal::UnclosedQuote => "unclosed_quote",
            Refusal::MessageTooLong { .. } => "message_too_long",
            Refusal::UnknownValue { .. } => "unknown_value",
            Refusal::AllowanceExceeded { .. } => "allowance_exceeded",
            Refusal::NoKudosYet(..) => "no_kudos_yet",
            Refusal::NothingToUndo => "nothing_to_undo",
            Refusal::UndoWindowPassed { .. } => "undo_window_passed",
            Refusal::KudosNotFound(..) => "kudos_not_found",
            Refusal::AlreadyRemoved(..) => "already_removed",
            Refusal::MissingReason => "missing_reason",
            Refusal::NotAdmin(..) => "not_admin",
            Refusal::LastAdmin(..) => "last_admin",
            Refusal::InvalidTimezone(..) => "invalid_timezone",
            Refusal::InvalidPeriod(..) => "invalid_period",
            Refusal::InvalidBoard(..) => "invalid_board",
            Refusal::InvalidDate(..) => "invalid_date",
            Refusal::InvalidTime(..) => "invalid_time",
            Refusal::InvalidAllowance(..) => "invalid_allowance",
            Refusal::InvalidWeek { .. } => "invalid_week",
            Refusal::ValueExists(..) => "value_exists",
            Refusal::LastValue(..) => "last_value",
            Refusal::InvalidName(..) => "invalid_name",
            Refusal::InvalidDay(..) => "invalid_day",
            Refusal::InvalidEmoji(..) => "invalid_emoji",
            Refusal::SelfMedallion => "self_medallion",
            Refusal::MedallionForBot(..) => "medallion_for_bot",
            Refusal::NoMedallionRecipient => "no_medallion_recipient",
            Refusal::OneMedallionRecipient(..) => "one_medallion_recipient",
            Refusal::MedallionsOff => "medallions_off",
            Refusal::MedallionsUsed { .. } => "medallions_used",
            Refusal::InvalidMedallionCount(..) => "invalid_medallion_count",
            Refusal::SelfNomination => "self_nomination",
            Refusal::NominateBot(..) => "nominate_bot",
            Refusal::NoNominee => "no_nominee",
            Refusal::OneNominee(..) => "one_nominee",
            Refusal::Awards(..) => "awards",
            Refusal::Usage(..) => "usage",
        }
    }
}

/// What a user is told when something failed on the bot's side (the cause is logged).
pub const APOLOGY: &str =
    "Sorry, something went wrong on my side. It has been logged; please try again.";

/// Everything the core can return as an error.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the database is busy: another process holds a lock on it. Try again in a moment.")]
    Busy,
    #[error("the database is read-only: check the permissions of the file and its folder (database.url)")]
    ReadOnly,
    #[error("the database is full: free disk space or raise database.max_size_mb")]
    Full,
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl Error {
    /// What a user may be shown: the refusal itself, or an apology that hides internals.
    pub fn user_message(&self) -> String {
        match self {
            Error::Refused(r) => r.to_string(),
            Error::Busy => {
                "The database is busy right now. Please try again in a moment.".to_string()
            }
            Error::ReadOnly => {
                "I can't save anything right now: my database is read-only. Please tell an admin."
                    .to_string()
            }
            Error::Full => {
                "I can't save anything right now: my database is full. Please tell an admin; nothing you sent was half-saved."
                    .to_string()
            }
            Error::Internal(_) => APOLOGY.to_string(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match sqlite_code(&e) {
            Some(5 | 6) => Error::Busy,
            Some(8) => Error::ReadOnly,
            Some(13) => Error::Full,
            _ => Error::Internal(anyhow::Error::new(e)),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        let code = match e.downcast_ref::<crate::store::WriteFailed>() {
            Some(failed) => failed.cause.as_deref().and_then(sqlite_code),
            None => e.downcast_ref::<sqlx::Error>().and_then(sqlite_code),
        };
        match code {
            Some(5 | 6) => Error::Busy,
            Some(8) => Error::ReadOnly,
            Some(13) => {
                tracing::error!(error = ?e, "the database is full");
                Error::Full
            }
            _ => Error::Internal(e),
        }
    }
}

/// The primary SQLite result code of a database error (BUSY 5, LOCKED 6, READONLY 8...).
fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    match e {
        sqlx::Error::Database(db) => db.code()?.parse::<i32>().ok().map(|c| c & 0xff),
        _ => None,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
