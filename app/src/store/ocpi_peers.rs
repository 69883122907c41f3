//! Platforms we exchange OCPI with: their state, the digests of the tokens they call us with,
//! the token we call them with, their endpoints and the parties they host.
use super::sql::{Arg, Sql};
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::secret::{self, SecretString};
use sqlx::{AnyConnection, Row};

/// Where a peer is in the credentials handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerState {
    /// We handed out TOKEN_A and wait for the peer to register with it.
    Open,
    Registered,
    /// The peer unregistered: no token of it works.
    Closed,
}

impl PeerState {
    fn parse(text: &str) -> Self {
        match text {
            "REGISTERED" => Self::Registered,
            "CLOSED" => Self::Closed,
            _ => Self::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Registered => "REGISTERED",
            Self::Closed => "CLOSED",
        }
    }
}

/// A party a peer hosts (one of its credentials' roles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRole {
    pub role: String,
    pub country_code: String,
    pub party_id: String,
    /// The role's BusinessDetails as JSON.
    pub business_details: String,
}

#[derive(Debug, Clone)]
pub struct Peer {
    pub id: i64,
    pub name: String,
    pub state: PeerState,
    pub versions_url: Option<String>,
    /// The peer's 2.2.1 endpoints as JSON.
    pub endpoints: String,
    pub plain_token: bool,
    pub roles: Vec<PeerRole>,
    pub date_modified: i64,
}

/// Who an OCPI token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcpiCaller {
    pub peer_id: i64,
    /// The token is a TOKEN_A (good for versions and credentials only).
    pub token_a: bool,
    pub registered: bool,
}

/// What a (re)registration stores.
pub struct Registration<'a> {
    pub peer_token: &'a str,
    pub versions_url: &'a str,
    pub endpoints: &'a str,
    pub roles: &'a [PeerRole],
    /// The digest of the token we now hand to the peer.
    pub our_token_hash: String,
}

const PEER_COLUMNS: &str = "id, name, state, versions_url, endpoints, plain_token, date_modified";

impl Store {
    /// A new peer in state OPEN: `token_a` works on versions and credentials only, until the
    /// registration (either direction) replaces it. When we start the handshake this is the token
    /// we send, which the peer uses to read our versions while our POST is in flight.
    pub async fn open_ocpi_peer(&self, name: &str, token_a: &str, plain_token: bool) -> Result<i64, StoreError> {
        let now = now_ms();
        let id = sqlx::query_scalar(
            "INSERT INTO ocpi_peers (name, state, token_a_hash, plain_token, date_created, date_modified) \
             VALUES ($1, 'OPEN', $2, $3, $4, $4) RETURNING id",
        )
        .bind(name)
        .bind(secret::digest(token_a))
        .bind(i64::from(plain_token))
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::unique_as(e, &format!("a peer named {name:?}")))?;
        Ok(id)
    }

    /// The peer a token (as sent, decoded) belongs to, if it is live.
    pub async fn ocpi_caller(&self, token: &str) -> Result<Option<OcpiCaller>, StoreError> {
        let digest = secret::digest(token);
        let row = sqlx::query(
            "SELECT id, state, token_a_hash FROM ocpi_peers WHERE (token_hash = $1 AND state = 'REGISTERED') \
             OR (token_a_hash = $1 AND state = 'OPEN')",
        )
        .bind(&digest)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.try_get("state")?;
        Ok(Some(OcpiCaller {
            peer_id: row.try_get("id")?,
            token_a: row.try_get::<Option<String>, _>("token_a_hash")?.as_deref() == Some(digest.as_str()),
            registered: state == "REGISTERED",
        }))
    }

    /// Stores a registration (first or renewed): the peer becomes REGISTERED, TOKEN_A and the
    /// previous token stop working, its roles are replaced.
    pub async fn register_ocpi_peer(&self, peer_id: i64, registration: &Registration<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE ocpi_peers SET state = 'REGISTERED', token_a_hash = NULL, token_hash = $1, peer_token = $2, \
             versions_url = $3, endpoints = $4, date_modified = $5 WHERE id = $6",
        )
        .bind(&registration.our_token_hash)
        .bind(registration.peer_token)
        .bind(registration.versions_url)
        .bind(registration.endpoints)
        .bind(now_ms())
        .bind(peer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound(format!("peer {peer_id}")));
        }
        replace_roles(&mut tx, peer_id, registration.roles).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The peer unregistered (or we removed it at the peer): no token of it works any more.
    pub async fn close_ocpi_peer(&self, peer_id: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE ocpi_peers SET state = 'CLOSED', token_a_hash = NULL, token_hash = NULL, peer_token = NULL, \
             date_modified = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(peer_id)
        .execute(&mut *tx)
        .await?;
        replace_roles(&mut tx, peer_id, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a peer entirely (`emsp ocpi peer remove`).
    pub async fn delete_ocpi_peer(&self, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM ocpi_peers WHERE name = $1").bind(name).execute(self.pool()).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("peer {name:?}")));
        }
        Ok(())
    }

    pub async fn ocpi_peer(&self, peer_id: i64) -> Result<Option<Peer>, StoreError> {
        self.peer_where("id = $1", Arg::Int(peer_id)).await
    }

    pub async fn ocpi_peer_named(&self, name: &str) -> Result<Option<Peer>, StoreError> {
        self.peer_where("name = $1", Arg::Text(name.to_owned())).await
    }

    async fn peer_where(&self, condition: &str, value: Arg) -> Result<Option<Peer>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {PEER_COLUMNS} FROM ocpi_peers WHERE {condition}"));
        sql.args_only([value]);
        match sql.fetch(self).await?.first() {
            Some(row) => Ok(Some(self.peer_with_roles(row).await?)),
            None => Ok(None),
        }
    }

    pub async fn ocpi_peers(&self) -> Result<Vec<Peer>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {PEER_COLUMNS} FROM ocpi_peers ORDER BY name")).fetch_all(self.pool()).await?;
        let mut peers = Vec::with_capacity(rows.len());
        for row in &rows {
            peers.push(self.peer_with_roles(row).await?);
        }
        Ok(peers)
    }

    /// The business details (JSON) of `peer_id`'s role `role` for party `country`-`party`, if it
    /// holds that role.
    pub async fn ocpi_peer_role(
        &self,
        peer_id: i64,
        role: &str,
        country: &str,
        party: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT business_details FROM ocpi_peer_roles WHERE peer_id = $1 AND role = $2 AND country_code = $3 \
             AND party_id = $4",
        )
        .bind(peer_id)
        .bind(role)
        .bind(country.to_uppercase())
        .bind(party.to_uppercase())
        .fetch_optional(self.pool())
        .await?)
    }

    /// The token we call a registered peer with.
    pub async fn ocpi_peer_token(&self, peer_id: i64) -> Result<Option<SecretString>, StoreError> {
        let token: Option<String> = sqlx::query_scalar("SELECT peer_token FROM ocpi_peers WHERE id = $1")
            .bind(peer_id)
            .fetch_optional(self.pool())
            .await?
            .flatten();
        Ok(token.map(SecretString::from))
    }

    async fn peer_with_roles(&self, row: &sqlx::any::AnyRow) -> Result<Peer, StoreError> {
        let id: i64 = row.try_get("id")?;
        let roles = sqlx::query(
            "SELECT role, country_code, party_id, business_details FROM ocpi_peer_roles WHERE peer_id = $1 \
             ORDER BY role, country_code, party_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|role| {
            Ok(PeerRole {
                role: role.try_get("role")?,
                country_code: role.try_get("country_code")?,
                party_id: role.try_get("party_id")?,
                business_details: role.try_get("business_details")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        Ok(Peer {
            id,
            name: row.try_get("name")?,
            state: PeerState::parse(&row.try_get::<String, _>("state")?),
            versions_url: row.try_get("versions_url")?,
            endpoints: row.try_get("endpoints")?,
            plain_token: row.try_get::<i64, _>("plain_token")? != 0,
            roles,
            date_modified: row.try_get("date_modified")?,
        })
    }
}

async fn replace_roles(conn: &mut AnyConnection, peer_id: i64, roles: &[PeerRole]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM ocpi_peer_roles WHERE peer_id = $1").bind(peer_id).execute(&mut *conn).await?;
    for role in roles {
        sqlx::query(
            "INSERT INTO ocpi_peer_roles (peer_id, role, country_code, party_id, business_details) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(peer_id)
        .bind(&role.role)
        .bind(role.country_code.to_uppercase())
        .bind(role.party_id.to_uppercase())
        .bind(&role.business_details)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
