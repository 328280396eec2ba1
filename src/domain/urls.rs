//! Where this instance publishes each thing: the URL of an object is its ActivityPub id, so
//! services name what they store with the same URLs the federation face serves.

use crate::config::Config;

/// The URLs of everything this instance publishes.
pub struct Urls {
    base: String,
}

impl Urls {
    pub fn new(config: &Config) -> Self {
        Self {
            base: config.public_url(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn instance_actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    pub fn theme(&self, slug: &str) -> String {
        format!("{}/themes/{slug}", self.base)
    }

    pub fn user(&self, handle: &str) -> String {
        format!("{}/users/{handle}", self.base)
    }

    pub fn pseudonym(&self, name: &str) -> String {
        format!("{}/anonymous/{name}", self.base)
    }

    pub fn proposal(&self, id: i64) -> String {
        format!("{}/proposals/{id}", self.base)
    }

    pub fn proposal_context(&self, id: i64) -> String {
        format!("{}/proposals/{id}/context", self.base)
    }

    pub fn method(&self, id: i64) -> String {
        format!("{}/methods/{id}", self.base)
    }

    pub fn comment(&self, id: i64) -> String {
        format!("{}/comments/{id}", self.base)
    }

    /// A resident's reply to a post from a followed actor.
    pub fn reply(&self, id: i64) -> String {
        format!("{}/replies/{id}", self.base)
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    pub fn key_id(actor: &str) -> String {
        format!("{actor}#main-key")
    }

    /// A new id for an activity of `actor` (`kind` is the activity type, lower case); the
    /// token makes it unique.
    pub fn activity_id(actor: &str, kind: &str, token: &str) -> String {
        format!("{actor}/activities/{kind}/{token}")
    }
}
