//! The directory of other municipalities this one follows or is followed by.

use axum::Json;
use axum::extract::State;

use crate::error::AppError;
use crate::services::municipalities::{self, MunicipalityView};
use crate::state::AppState;

/// Other municipalities this one follows or is followed by (as their servers' NodeInfo
/// describes them), with their prefecture, local government code and open themes.
#[utoipa::path(get, path = "/federated/municipalities", tag = "following",
    responses((status = 200, body = Vec<MunicipalityView>)))]
pub async fn list_municipalities(
    State(state): State<AppState>,
) -> Result<Json<Vec<MunicipalityView>>, AppError> {
    Ok(Json(municipalities::directory(&state).await?))
}
