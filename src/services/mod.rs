//! Services: the rules of participation. HTTP handlers (and, later, federated activities)
//! call these; they never touch SQL directly.

pub mod account_suspension;
pub mod accounts;
pub mod amendments;
pub mod answers;
pub mod backlinks;
pub mod comments;
pub mod directory;
pub mod discussion;
pub mod documents;
pub mod draft_revisions;
pub mod drafts;
pub mod event_signal;
pub mod events;
pub mod followed_themes;
pub mod following;
pub mod form_tokens;
pub mod instance;
pub mod method_from_theme;
pub mod method_library;
pub mod method_reuse;
pub mod methods;
pub mod moderation;
pub mod moderation_log;
pub mod municipalities;
pub mod notifications;
pub mod page_cache;
pub mod passwords;
pub mod policies;
pub mod polls;
pub mod proposals;
pub mod references;
pub mod result_editing;
pub mod results;
pub mod review_requests;
pub mod statistics;
pub mod summary;
pub mod survey_breakdowns;
pub mod survey_closing;
pub mod survey_editing;
pub mod survey_responses;
pub mod survey_results;
pub mod surveys;
pub mod theme_from_method;
pub mod theme_overview;
pub mod theme_removal;
pub mod themes;
pub mod thresholds;
pub mod word_cloud;
pub mod word_cloud_names;

use crate::msg;
use jiff::Timestamp;

use crate::domain::Role;
use crate::error::AppError;
use crate::storage::accounts::UserRow;

/// The signed-in person making a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub handle: String,
    pub display_name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn from_row(row: &UserRow) -> Result<Self, AppError> {
        Ok(Self {
            id: row.id,
            handle: row.handle.clone(),
            display_name: row.display_name.clone(),
            role: Role::parse(&row.role).map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "user {} has a bad role: {}",
                    row.id,
                    e.message
                ))
            })?,
        })
    }
}

/// Who is asking: nobody in particular, or a signed-in user.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

impl Viewer {
    pub fn user(&self) -> Result<&CurrentUser, AppError> {
        self.0.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub fn id(&self) -> Option<i64> {
        self.0.as_ref().map(|u| u.id)
    }

    pub fn can_moderate(&self) -> bool {
        self.0.as_ref().is_some_and(|u| u.role.can_moderate())
    }

    pub fn can_manage_themes(&self) -> bool {
        self.0.as_ref().is_some_and(|u| u.role.can_manage_themes())
    }

    pub fn require_staff(&self) -> Result<&CurrentUser, AppError> {
        let user = self.user()?;
        if user.role.can_manage_themes() {
            Ok(user)
        } else {
            Err(AppError::Forbidden(msg!("error-staff-only")))
        }
    }

    pub fn require_moderator(&self) -> Result<&CurrentUser, AppError> {
        let user = self.user()?;
        if user.role.can_moderate() {
            Ok(user)
        } else {
            Err(AppError::Forbidden(msg!("error-moderators-only")))
        }
    }

    pub fn require_administrator(&self) -> Result<&CurrentUser, AppError> {
        let user = self.user()?;
        if user.role.can_manage_users() {
            Ok(user)
        } else {
            Err(AppError::Forbidden(msg!("error-administrators-only")))
        }
    }
}

/// RFC 3339 in UTC, the form every API timestamp takes.
pub fn rfc3339(millis: i64) -> String {
    Timestamp::from_millisecond(millis)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A page of a list.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 100;
    /// Far beyond any list here, and within every client's 32-bit integers.
    pub const MAX_PAGE: u32 = 1_000_000;

    pub fn parse(page: Option<u32>, per_page: Option<u32>) -> Result<Self, AppError> {
        let number = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if number == 0 || number > Self::MAX_PAGE {
            return Err(AppError::invalid(
                "page",
                "out_of_range",
                msg!("error-between", low = 1, high = Self::MAX_PAGE),
            ));
        }
        if per_page == 0 || per_page > Self::MAX_PER_PAGE {
            return Err(AppError::invalid(
                "per_page",
                "out_of_range",
                msg!("error-between", low = 1, high = Self::MAX_PER_PAGE),
            ));
        }
        Ok(Self { number, per_page })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.per_page)
    }

    /// One more than a page, to learn whether another page follows.
    pub fn probe_limit(self) -> i64 {
        i64::from(self.per_page) + 1
    }
}
