//! The other municipalities this one knows: instances whose NodeInfo describes a
//! municipality, with whether we follow their actor or they follow ours, and the open themes
//! they announced to us.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MunicipalityRow {
    pub domain: String,
    /// What its NodeInfo says of it (JSON).
    pub municipality: String,
    /// Its municipality actor, as we know it.
    pub actor: Option<String>,
    pub url: Option<String>,
    pub we_follow: bool,
    pub follows_us: bool,
}

/// Instances that describe a municipality and that this one follows or is followed by.
pub async fn related(ex: Ex<'_>) -> Result<Vec<MunicipalityRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT domain, municipality, actor, url, we_follow, follows_us FROM ( \
           SELECT i.domain, i.municipality, \
             (SELECT ra.actor_id FROM remote_actors ra WHERE ra.domain = i.domain \
                AND ra.kind IN ('Organization', 'Application', 'Service') \
                ORDER BY ra.id LIMIT 1) AS actor, \
             (SELECT ra.url FROM remote_actors ra WHERE ra.domain = i.domain \
                AND ra.kind IN ('Organization', 'Application', 'Service') \
                ORDER BY ra.id LIMIT 1) AS url, \
             EXISTS (SELECT 1 FROM followed_actors fa \
                JOIN remote_actors ra ON ra.id = fa.remote_actor_id \
                WHERE ra.domain = i.domain AND fa.state = 'accepted') AS we_follow, \
             EXISTS (SELECT 1 FROM followers f \
                JOIN remote_actors ra ON ra.actor_id = f.remote_actor \
                WHERE f.local_kind = 'instance' AND ra.domain = i.domain) AS follows_us \
           FROM instances i WHERE i.municipality IS NOT NULL \
         ) known WHERE we_follow OR follows_us ORDER BY domain"
    )
    .fetch_all(c)
    .await)
}

/// The open themes each followed municipality announced: `(domain, name, url, phase)`.
pub async fn open_themes(
    ex: Ex<'_>,
) -> Result<Vec<(String, String, String, Option<String>)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT ra.domain, t.name, COALESCE(t.url, t.ap_id), t.phase_name FROM remote_themes t \
         JOIN followed_actors fa ON fa.id = t.followed_id \
         JOIN remote_actors ra ON ra.id = fa.remote_actor_id \
         WHERE t.status = 'open' ORDER BY t.updated_at DESC, t.id DESC"
    )
    .fetch_all(c)
    .await)
}
