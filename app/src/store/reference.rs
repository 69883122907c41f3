//! The reference tables (OCPI code lists) as seeded by the migrations.
use super::{Store, StoreError};
use crate::domain::codes::REFERENCE_TABLES;
use sqlx::Row;

impl Store {
    /// `(code, description)` rows of one reference table, in id order.
    pub async fn reference_codes(&self, table: &str) -> Result<Vec<(String, String)>, StoreError> {
        // Table names cannot be bound: only the known names are accepted.
        let Some((table, _)) = REFERENCE_TABLES.iter().find(|(t, _)| *t == table) else {
            return Err(StoreError::NotFound(format!("reference table {table:?}")));
        };
        let rows =
            sqlx::query(&format!("SELECT code, description FROM {table} ORDER BY id")).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("description")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Ids of `codes` in `table`; `NotFound` names the first unknown code.
pub(crate) async fn reference_ids(
    tx: &mut sqlx::AnyConnection,
    table: &'static str,
    codes: &[String],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        let id: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        ids.push(id.ok_or_else(|| StoreError::NotFound(format!("{table} code {code:?}")))?);
    }
    Ok(ids)
}
