//! The durable OCPI push queue. The fan-out reads the change journals (`location_changes`,
//! `evse_changes`) past its cursors and queues one row per peer and object; a newer change of an
//! object bumps its row's version instead of adding one. Senders lease due rows of one peer
//! (portable `UPDATE … WHERE key IN (SELECT … LIMIT n)`, no `SKIP LOCKED`), so several nodes
//! never send the same row at once, and a crashed sender's lease simply runs out.
use super::sql::{Arg, Sql};
use super::{Store, StoreError};
use sqlx::Row;
use std::collections::BTreeSet;

/// One object a peer is to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub peer_id: i64,
    pub location_id: i64,
    /// Empty: the whole location (PUT); else this EVSE's status (PATCH).
    pub evse_uid: String,
    pub version: i64,
    pub attempts: i64,
}

/// Journal entries read per fan-out.
const FAN_OUT_BATCH: i64 = 1000;

impl Store {
    /// Queues what changed since the last fan-out for each of `peers`; returns the objects queued.
    pub async fn ocpi_fan_out(&self, peers: &[i64], now: i64) -> Result<usize, StoreError> {
        // Nothing new: no write transaction (it would contend with the status writes for nothing).
        let news: i64 = sqlx::query_scalar(
            "SELECT CASE WHEN (SELECT COALESCE(MAX(id), 0) FROM location_changes) > \
             COALESCE((SELECT last_id FROM ocpi_cursors WHERE journal = 'location_changes'), -1) \
             OR (SELECT COALESCE(MAX(id), 0) FROM evse_changes) > \
             COALESCE((SELECT last_id FROM ocpi_cursors WHERE journal = 'evse_changes'), -1) THEN 1 ELSE 0 END",
        )
        .fetch_one(self.pool())
        .await?;
        if news == 0 {
            return Ok(0);
        }
        let mut tx = self.pool().begin().await?;
        // Writes first (SQLite: a transaction that reads first cannot wait for the write lock).
        for journal in ["location_changes", "evse_changes"] {
            sqlx::query("INSERT INTO ocpi_cursors (journal, last_id) VALUES ($1, 0) ON CONFLICT (journal) DO NOTHING")
                .bind(journal)
                .execute(&mut *tx)
                .await?;
        }
        let cursor = |journal: &'static str| {
            sqlx::query_scalar::<_, i64>("SELECT last_id FROM ocpi_cursors WHERE journal = $1").bind(journal)
        };
        let after_locations = cursor("location_changes").fetch_one(&mut *tx).await?;
        let after_evses = cursor("evse_changes").fetch_one(&mut *tx).await?;
        let locations = sqlx::query("SELECT id, location_id FROM location_changes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_locations)
            .bind(FAN_OUT_BATCH)
            .fetch_all(&mut *tx)
            .await?;
        let evses =
            sqlx::query("SELECT id, location_id, evse_uid FROM evse_changes WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after_evses)
                .bind(FAN_OUT_BATCH)
                .fetch_all(&mut *tx)
                .await?;
        let mut objects = BTreeSet::new();
        let (mut last_location, mut last_evse) = (after_locations, after_evses);
        for row in &locations {
            last_location = row.try_get("id")?;
            objects.insert((row.try_get::<i64, _>("location_id")?, String::new()));
        }
        for row in &evses {
            last_evse = row.try_get("id")?;
            objects.insert((row.try_get::<i64, _>("location_id")?, row.try_get::<String, _>("evse_uid")?));
        }
        if !objects.is_empty() && !peers.is_empty() {
            let rows = peers.iter().flat_map(|peer| {
                objects.iter().map(move |(location, evse)| {
                    vec![Arg::Int(*peer), Arg::Int(*location), Arg::Text(evse.clone()), Arg::Int(now)]
                })
            });
            // Chunks keep each statement within SQLite's bound-variable limit.
            let rows: Vec<Vec<Arg>> = rows.collect();
            for chunk in rows.chunks(2000) {
                let mut sql = Sql::new("INSERT INTO ocpi_outbox (peer_id, location_id, evse_uid, due_at) ");
                sql.bind_rows(chunk.to_vec()).push(
                    " ON CONFLICT (peer_id, location_id, evse_uid) DO UPDATE SET version = ocpi_outbox.version + 1",
                );
                sql.execute_in(&mut tx).await?;
            }
        }
        for (journal, last) in [("location_changes", last_location), ("evse_changes", last_evse)] {
            sqlx::query("UPDATE ocpi_cursors SET last_id = $1 WHERE journal = $2 AND last_id < $1")
                .bind(last)
                .bind(journal)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(objects.len() * peers.len())
    }

    /// Leases up to `limit` due rows of `peer_id` to `holder` (a node id) for `lease_ms`; whole
    /// locations first.
    pub async fn ocpi_lease(
        &self,
        peer_id: i64,
        holder: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Pending>, StoreError> {
        let rows = sqlx::query(
            "UPDATE ocpi_outbox SET lease_until = $1, lease_holder = $5 \
             WHERE peer_id = $2 AND due_at <= $3 AND lease_until < $3 \
             AND (location_id, evse_uid) IN (SELECT location_id, evse_uid FROM ocpi_outbox \
             WHERE peer_id = $2 AND due_at <= $3 AND lease_until < $3 ORDER BY due_at, location_id, evse_uid LIMIT $4) \
             RETURNING location_id, evse_uid, version, attempts",
        )
        .bind(now + lease_ms)
        .bind(peer_id)
        .bind(now)
        .bind(limit)
        .bind(holder)
        .fetch_all(self.pool())
        .await?;
        let mut leased = rows
            .iter()
            .map(|row| {
                Ok(Pending {
                    peer_id,
                    location_id: row.try_get("location_id")?,
                    evse_uid: row.try_get("evse_uid")?,
                    version: row.try_get("version")?,
                    attempts: row.try_get("attempts")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        leased.sort_by(|a, b| (a.location_id, &a.evse_uid).cmp(&(b.location_id, &b.evse_uid)));
        Ok(leased)
    }

    /// The row was sent: it goes, unless a change came meanwhile (then it is due again at once).
    pub async fn ocpi_sent_ok(&self, row: &Pending) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM ocpi_outbox WHERE peer_id = $1 AND location_id = $2 AND evse_uid = $3 AND version = $4",
        )
        .bind(row.peer_id)
        .bind(row.location_id)
        .bind(&row.evse_uid)
        .bind(row.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted == 0 {
            sqlx::query(
                "UPDATE ocpi_outbox SET lease_until = 0, attempts = 0 WHERE peer_id = $1 AND location_id = $2 AND evse_uid = $3",
            )
            .bind(row.peer_id)
            .bind(row.location_id)
            .bind(&row.evse_uid)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends every lease `holder` took (a node starting again after a crash: it sends nothing yet).
    pub async fn ocpi_release_leases(&self, holder: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE ocpi_outbox SET lease_until = 0, lease_holder = NULL WHERE lease_holder = $1")
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The send failed: try again at `due_at`.
    pub async fn ocpi_send_failed(&self, row: &Pending, due_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE ocpi_outbox SET attempts = attempts + 1, due_at = $1, lease_until = 0 \
             WHERE peer_id = $2 AND location_id = $3 AND evse_uid = $4",
        )
        .bind(due_at)
        .bind(row.peer_id)
        .bind(row.location_id)
        .bind(&row.evse_uid)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Rows waiting per peer (for `emsp ocpi peer list`).
    pub async fn ocpi_backlog(&self, peer_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ocpi_outbox WHERE peer_id = $1")
            .bind(peer_id)
            .fetch_one(self.pool())
            .await?)
    }

    /// The Location body `peer_id` last accepted for `location_id`.
    pub async fn ocpi_last_sent(&self, peer_id: i64, location_id: i64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT body FROM ocpi_sent WHERE peer_id = $1 AND location_id = $2")
            .bind(peer_id)
            .bind(location_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Keeps (Some) or forgets (None) what `peer_id` last accepted for `location_id`.
    pub async fn ocpi_remember_sent(
        &self,
        peer_id: i64,
        location_id: i64,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut sql = Sql::new("");
        match body {
            Some(body) => {
                sql.push("INSERT INTO ocpi_sent (peer_id, location_id, body) ");
                sql.bind_rows([vec![Arg::Int(peer_id), Arg::Int(location_id), Arg::Text(body.to_owned())]]);
                sql.push(" ON CONFLICT (peer_id, location_id) DO UPDATE SET body = excluded.body");
            }
            None => {
                sql.push("DELETE FROM ocpi_sent WHERE peer_id = ").bind(Arg::Int(peer_id));
                sql.push(" AND location_id = ").bind(Arg::Int(location_id));
            }
        }
        sql.execute(self).await
    }
}
