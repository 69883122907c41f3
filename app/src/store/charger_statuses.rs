//! StatusNotifications of many chargers stored in one transaction with a fixed number of
//! statements: one read of every EVSE concerned, then one multi-row write per table. A thousand
//! chargers reporting every second was seven statements per report, a few thousand a second on
//! SQLite's one writer; set-based, a batch of a hundred costs what a batch of one did. On
//! PostgreSQL each statement is a round trip to another process, and under load the writer's
//! backend spent more time waiting for the next statement than running them (sampled
//! `pg_stat_activity`: "idle in transaction" ~55 % of its time): there the writes are one
//! statement of fixed shape (`apply_postgres`).
use super::charger_state::{refresh_evses, seen, touch_location, StatusOutcome, StatusReport, StatusWrite};
use super::journal::{is_postgres, JOURNAL_LOCK, LOCKED_FIRST};
use super::sql::{Arg, Sql};
use super::{Store, StoreError};
use crate::domain::charging::shown_status;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

impl Store {
    /// Several StatusNotifications (of any chargers) in one transaction, in order of the slice.
    pub async fn charger_statuses(&self, writes: &[StatusWrite]) -> Result<Vec<StatusOutcome>, StoreError> {
        let mut tx = self.pool().begin().await?;
        // The first charger was heard from; the others' `last_seen` moves with their connections'
        // pings. On SQLite the transaction writes this first (see `seen`); on PostgreSQL it goes
        // with the first group's writes, a round trip less.
        let mut seen_first = writes.first().map(|write| (write.charger_id, write.report.received_at));
        if !is_postgres(&tx) {
            if let Some((charger_id, at)) = seen_first.take() {
                seen(&mut tx, charger_id, at).await?;
            }
        }
        let mut outcomes = Vec::with_capacity(writes.len());
        // Reports of distinct chargers are independent and go together; a charger's second report
        // (a replaced connection) or a connector-0 report waits until what precedes it is written.
        let mut group: Vec<&StatusWrite> = Vec::new();
        let mut chargers = HashSet::new();
        for write in writes {
            if write.report.connector_id == 0 || !chargers.insert(write.charger_id) {
                outcomes.extend(connector_statuses(&mut tx, &group, &mut seen_first).await?);
                group.clear();
                chargers.clear();
                if write.report.connector_id == 0 {
                    outcomes.push(whole_charger_status(&mut tx, write.charger_id, &write.report).await?);
                    continue;
                }
                chargers.insert(write.charger_id);
            }
            group.push(write);
        }
        outcomes.extend(connector_statuses(&mut tx, &group, &mut seen_first).await?);
        // A batch of connector-0 reports only.
        if let Some((charger_id, at)) = seen_first {
            seen(&mut tx, charger_id, at).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

/// What is stored about one of the EVSEs a group of reports concerns.
struct Stored {
    uid: String,
    location_id: i64,
    shown_now: String,
    status_at: Option<i64>,
    status_connection: Option<String>,
    override_status: Option<String>,
    connected: bool,
}

/// The rows a group of reports writes.
#[derive(Default)]
struct Writes {
    own: Vec<Vec<Arg>>,
    shown: Vec<Vec<Arg>>,
    changes: Vec<Vec<Arg>>,
    /// Ordered, so concurrent writers lock location rows in the same order.
    locations: BTreeSet<i64>,
    history: Vec<Vec<Arg>>,
    latest: i64,
}

/// Reports on connectors ≥ 1 of distinct chargers; on PostgreSQL also `seen` (taken).
async fn connector_statuses(
    conn: &mut AnyConnection,
    group: &[&StatusWrite],
    seen: &mut Option<(i64, i64)>,
) -> Result<Vec<StatusOutcome>, StoreError> {
    if group.is_empty() {
        return Ok(Vec::new());
    }
    let stored = stored_evses(conn, group).await?;
    let mut writes = Writes::default();
    let outcomes = group
        .iter()
        .map(|write| match stored.get(&(write.charger_id, write.report.connector_id)) {
            Some(evse) => decide(evse, write, &mut writes),
            None => StatusOutcome::UnknownConnector,
        })
        .collect();
    if is_postgres(conn) {
        apply_postgres(conn, writes, seen.take()).await?;
    } else {
        apply(conn, writes).await?;
    }
    Ok(outcomes)
}

async fn stored_evses(
    conn: &mut AnyConnection,
    group: &[&StatusWrite],
) -> Result<HashMap<(i64, i64), Stored>, StoreError> {
    let mut sql = Sql::new(
        "SELECT ce.charger_id, ce.position, ce.evse_uid, ce.status_at, ce.status_connection, c.override_status, \
         c.connection_id, e.status, e.cpo_location_id FROM charger_evses ce JOIN chargers c ON c.id = ce.charger_id \
         JOIN evses e ON e.uid = ce.evse_uid WHERE ce.charger_id ",
    );
    let chargers = group.iter().map(|write| Arg::Int(write.charger_id));
    if is_postgres(conn) {
        // One shape for any number of chargers: prepared once (see `Sql::json_rows`).
        let ids = Sql::json_rows(&chargers.map(|id| vec![id]).collect::<Vec<_>>());
        sql.push(&any_of_json(1, "bigint")).args_only([Arg::Text(ids)]);
    } else {
        sql.push("IN ").bind_list(chargers);
        sql.one_off = group.len() > 1;
    }
    let mut stored = HashMap::new();
    for row in sql.fetch_in(conn).await? {
        let key = (row.try_get("charger_id")?, row.try_get("position")?);
        stored.insert(
            key,
            Stored {
                uid: row.try_get("evse_uid")?,
                location_id: row.try_get("cpo_location_id")?,
                shown_now: row.try_get("status")?,
                status_at: row.try_get("status_at")?,
                status_connection: row.try_get("status_connection")?,
                override_status: row.try_get("override_status")?,
                connected: row.try_get::<Option<String>, _>("connection_id")?.is_some(),
            },
        );
    }
    Ok(stored)
}

/// The rule for one report; what it writes goes into `writes`.
fn decide(evse: &Stored, write: &StatusWrite, writes: &mut Writes) -> StatusOutcome {
    let report = &write.report;
    let Some(status) = report.status else { return StatusOutcome::UnknownConnector };
    // On one connection the order of receipt is the order of events; against data stored from an
    // earlier connection the charger's time decides.
    let current = evse.status_connection.as_deref() == Some(write.connection_id.as_str())
        || evse.status_at.is_none_or(|at| at <= report.at);
    if !current {
        writes.history.push(history_row(&evse.uid, status, report));
        return StatusOutcome::Outdated;
    }
    writes.own.push(vec![
        Arg::Text(evse.uid.clone()),
        Arg::Text(status.into()),
        Arg::Int(report.at),
        Arg::Text(write.connection_id.clone()),
    ]);
    let shown = shown_status(evse.connected, evse.override_status.as_deref(), Some(status));
    let now = report.received_at;
    if shown != evse.shown_now {
        writes.shown.push(vec![Arg::Text(evse.uid.clone()), Arg::Text(shown.into()), Arg::Int(now)]);
        writes.changes.push(vec![Arg::Text(evse.uid.clone()), Arg::Int(evse.location_id), Arg::Int(now)]);
        writes.locations.insert(evse.location_id);
        writes.latest = writes.latest.max(now);
    }
    writes.history.push(history_row(&evse.uid, shown, report));
    StatusOutcome::Applied
}

fn history_row(evse_uid: &str, shown: &str, report: &StatusReport) -> Vec<Arg> {
    vec![
        Arg::Text(evse_uid.into()),
        Arg::Text(shown.into()),
        Arg::Text(report.ocpp_status.clone()),
        Arg::Int(report.connector_id),
        Arg::Text(report.error_code.clone()),
        Arg::OptText(report.info.clone()),
        Arg::OptText(report.vendor_error_code.clone()),
        Arg::OptText(report.sent_timestamp.clone()),
        Arg::Int(report.received_at),
    ]
}

/// Rows made by `history_row` (never empty).
async fn insert_history(conn: &mut AnyConnection, rows: Vec<Vec<Arg>>) -> Result<(), StoreError> {
    let mut sql = Sql::new(
        "INSERT INTO evse_status_history (evse_uid, status, ocpp_status, connector_id, error_code, info, \
         vendor_error_code, sent_timestamp, received_at) ",
    );
    sql.bind_rows(rows);
    sql.execute_in(conn).await?;
    Ok(())
}

async fn apply(conn: &mut AnyConnection, writes: Writes) -> Result<(), StoreError> {
    if !writes.own.is_empty() {
        let mut sql = Sql::new(
            "UPDATE charger_evses SET own_status = v.column2, status_at = v.column3, status_connection = v.column4 FROM (",
        );
        sql.bind_rows(writes.own).push(") AS v WHERE charger_evses.evse_uid = v.column1");
        sql.execute_in(conn).await?;
    }
    if !writes.shown.is_empty() {
        // The contract's connectors are the EVSE's plug types: they share its status.
        for (table, key) in [("evses", "uid"), ("connectors", "evse_uid")] {
            let mut sql = Sql::new(&format!("UPDATE {table} SET status = v.column2, date_modified = v.column3 FROM ("));
            sql.bind_rows(writes.shown.clone()).push(&format!(") AS v WHERE {table}.{key} = v.column1"));
            sql.execute_in(conn).await?;
        }
        let mut sql = Sql::new("UPDATE locations SET date_modified = ");
        sql.bind(Arg::Int(writes.latest)).push(" WHERE id IN ");
        sql.one_off = writes.locations.len() > 1;
        sql.bind_list(writes.locations.into_iter().map(Arg::Int));
        sql.execute_in(conn).await?;
    }
    if !writes.history.is_empty() {
        insert_history(conn, writes.history).await?;
    }
    // Last, so the journal's lock is held only until the commit that follows.
    if !writes.changes.is_empty() {
        super::journal::before_append(conn).await?;
        let mut sql = Sql::new("INSERT INTO evse_changes (evse_uid, location_id, at) ");
        sql.bind_rows(writes.changes);
        sql.execute_in(conn).await?;
    }
    Ok(())
}

/// `= ANY (…)` of the first fields of the JSON rows in `$param` as `ty`. Joined with the rows
/// alone, the planner guesses 100 of them whatever their number and reads a table of some
/// thousand rows (`charger_evses`) whole: 4 ms a batch of ten. As an array it looks them up by
/// index: 0.2 ms (EXPLAIN ANALYZE at 100 000 locations).
fn any_of_json(param: usize, ty: &str) -> String {
    format!("= ANY (ARRAY(SELECT (r->>0)::{ty} FROM jsonb_array_elements(${param}::jsonb) AS v(r)))")
}

/// `apply` on PostgreSQL: every write but the journal's in one statement of fixed shape
/// (data-modifying WITH parts over JSON rows): one round trip, prepared once, where `apply` costs
/// two a statement. The parts see one snapshot, and none reads what another writes. The journal
/// append follows on its own, so its lock is taken last and held only until the commit.
async fn apply_postgres(conn: &mut AnyConnection, writes: Writes, seen: Option<(i64, i64)>) -> Result<(), StoreError> {
    static WRITES: LazyLock<String> = LazyLock::new(|| {
        let update = |table: &str, key: &str, set: &str, param: usize| {
            format!(
                "UPDATE {table} SET {set} FROM jsonb_array_elements(${param}::jsonb) AS v(r) \
                 WHERE {table}.{key} = r->>0 AND {table}.{key} {}",
                any_of_json(param, "text")
            )
        };
        let own = update(
            "charger_evses",
            "evse_uid",
            "own_status = r->>1, status_at = (r->>2)::bigint, status_connection = r->>3",
            3,
        );
        let shown = update("evses", "uid", "status = r->>1, date_modified = (r->>2)::bigint", 4);
        let plugs = update("connectors", "evse_uid", "status = r->>1, date_modified = (r->>2)::bigint", 4);
        format!(
            "WITH seen AS (UPDATE chargers SET last_seen = $1 WHERE id = $2), own AS ({own}), shown AS ({shown}), \
             plugs AS ({plugs}), touched AS (UPDATE locations SET date_modified = $5 WHERE id {}), \
             history AS (INSERT INTO evse_status_history (evse_uid, status, ocpp_status, connector_id, error_code, \
             info, vendor_error_code, sent_timestamp, received_at) \
             SELECT r->>0, r->>1, r->>2, (r->>3)::bigint, r->>4, r->>5, r->>6, r->>7, (r->>8)::bigint \
             FROM jsonb_array_elements($7::jsonb) AS v(r)) \
             SELECT 1",
            any_of_json(6, "bigint")
        )
    });
    let locations: Vec<Vec<Arg>> = writes.locations.iter().map(|id| vec![Arg::Int(*id)]).collect();
    sqlx::query(WRITES.as_str())
        .bind(seen.map(|(_, at)| at))
        .bind(seen.map(|(charger_id, _)| charger_id))
        .bind(Sql::json_rows(&writes.own))
        .bind(Sql::json_rows(&writes.shown))
        .bind(writes.latest)
        .bind(Sql::json_rows(&locations))
        .bind(Sql::json_rows(&writes.history))
        .execute(&mut *conn)
        .await?;
    static APPEND: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO evse_changes (evse_uid, location_id, at) SELECT r->>0, (r->>1)::bigint, (r->>2)::bigint \
             FROM {LOCKED_FIRST} CROSS JOIN jsonb_array_elements($2::jsonb) AS v(r)"
        )
    });
    if !writes.changes.is_empty() {
        sqlx::query(APPEND.as_str())
            .bind(JOURNAL_LOCK)
            .bind(Sql::json_rows(&writes.changes))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Connector 0: Unavailable/Faulted shows on every EVSE until Available or a boot clears it.
async fn whole_charger_status(
    conn: &mut AnyConnection,
    charger_id: i64,
    report: &StatusReport,
) -> Result<StatusOutcome, StoreError> {
    sqlx::query("UPDATE chargers SET override_status = $1 WHERE id = $2")
        .bind(report.status)
        .bind(charger_id)
        .execute(&mut *conn)
        .await?;
    touch_location(conn, charger_id, report.received_at).await?;
    refresh_evses(conn, charger_id, None, report.received_at).await?;
    let evses = sqlx::query(
        "SELECT e.uid, e.status FROM evses e JOIN charger_evses ce ON ce.evse_uid = e.uid WHERE ce.charger_id = $1",
    )
    .bind(charger_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = Vec::with_capacity(evses.len());
    for row in &evses {
        let (uid, shown): (String, String) = (row.try_get("uid")?, row.try_get("status")?);
        rows.push(history_row(&uid, &shown, report));
    }
    if !rows.is_empty() {
        insert_history(conn, rows).await?;
    }
    Ok(StatusOutcome::Applied)
}
