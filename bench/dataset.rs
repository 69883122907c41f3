//! The benchmark's dataset: CPO owners, locations with reference codes and photos, EVSEs and
//! connectors, written in bulk (multi-row inserts, one transaction per chunk of locations) into a
//! fresh database. Seeded, so every run measures the same data.
use anyhow::Context;
use app::store::{bigrams, Backend, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Any, AnyConnection, Connection, Executor, Row};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where benchmark databases are created.
#[derive(Clone)]
pub enum Target {
    Sqlite(PathBuf),
    /// An administrative URL of a PostgreSQL server; databases are created and dropped beside it.
    Postgres(String),
}

pub struct Dataset {
    pub url: String,
    pub api_token: String,
    pub username: String,
    pub password: String,
    pub locations: usize,
    pub evses: usize,
    pub connectors: usize,
    pub generation: Duration,
    target: Target,
    name: String,
}

/// `url` with its database (the last path segment) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl Dataset {
    /// Creates database `name` (replacing any earlier one) and fills it with `scale` locations.
    pub async fn create(target: &Target, name: &str, scale: usize) -> anyhow::Result<Self> {
        let url = match target {
            Target::Sqlite(dir) => {
                let file = dir.join(format!("{name}.db"));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
                format!("sqlite://{}?mode=rwc", file.display())
            }
            Target::Postgres(admin) => {
                let mut conn = AnyConnection::connect(admin).await.context("connecting to PostgreSQL")?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
                with_database(admin, name)
            }
        };
        let started = Instant::now();
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        let api_token = app::secret::ExposeSecret::expose_secret(&store.create_api_token("bench").await?).to_owned();
        let (username, password) = ("bench-admin".to_owned(), "bench password, long enough".to_owned());
        store.create_admin(&username).await?;
        let hash = app::auth::password::hash(password.clone()).await?;
        store.set_password_hash(&username, &hash).await?;
        let counts = fill(&store, scale).await?;
        store.close().await;
        Ok(Dataset {
            url,
            api_token,
            username,
            password,
            locations: scale,
            evses: counts.0,
            connectors: counts.1,
            generation: started.elapsed(),
            target: target.clone(),
            name: name.to_owned(),
        })
    }

    /// Drops a PostgreSQL database (SQLite files stay in the work directory for inspection).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        if let Target::Postgres(admin) = &self.target {
            let mut conn = AnyConnection::connect(admin).await?;
            conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str()).await?;
        }
        Ok(())
    }
}

/// A value for a multi-row insert. Nulls are typed: PostgreSQL checks parameter types.
#[derive(Clone)]
enum Value {
    Int(i64),
    Real(f64),
    Text(String),
    NullText,
}

/// Rows for one table, flushed in statements of at most `MAX_PARAMETERS` values.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

/// Values per statement. Both backends accept far more (32 766 and 65 535), but the cost per row
/// grew with the statement's size: 1 000 rows of grams took 0.06 s, 15 000 took 3 s.
const MAX_PARAMETERS: usize = 2_000;

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Rows { table, columns, values: Vec::new() }
    }

    fn push(&mut self, row: impl IntoIterator<Item = Value>) {
        self.values.extend(row);
    }

    async fn flush(&mut self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        let width = self.columns.len();
        let per_statement = (MAX_PARAMETERS / width) * width;
        for chunk in self.values.chunks(per_statement) {
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.table, self.columns.join(", "));
            for (row, _) in chunk.chunks(width).enumerate() {
                let placeholders: Vec<String> = (1..=width).map(|c| format!("${}", row * width + c)).collect();
                sql.push_str(if row == 0 { "(" } else { ", (" });
                sql.push_str(&placeholders.join(", "));
                sql.push(')');
            }
            let mut query = sqlx::query::<Any>(&sql);
            for value in chunk {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Real(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.clone()),
                    Value::NullText => query.bind(None::<String>),
                };
            }
            query.execute(&mut *conn).await?;
        }
        self.values.clear();
        Ok(())
    }
}

const OPERATORS: &[&str] = &[
    "Allego",
    "Ionity",
    "EnBW",
    "Vattenfall InCharge",
    "Shell Recharge",
    "Electra",
    "Zunder",
    "Atlante",
    "Powerdot",
    "Ewiva",
    "Mer",
    "Virta",
    "Eneco",
    "Q8 Electric",
    "TotalEnergies",
    "Pod Point",
    "Osprey",
    "Gridserve",
    "BP Pulse",
    "Ladenetz",
    "Fastned",
    "Tesla Supercharger",
    "Aral Pulse",
    "Iberdrola",
];
const PLACES: &[&str] = &[
    "Market Square",
    "Central Station",
    "Harbour",
    "Old Town",
    "Riverside",
    "Airport",
    "Park & Ride",
    "Town Hall",
    "Shopping Centre",
    "University",
    "Hospital",
    "Stadium",
    "Motorway Services",
    "Business Park",
    "Marina",
    "Cathedral",
    "Museum",
    "Library",
    "Ring Road",
    "High Street",
    "Lindenallee",
    "Hauptstraße",
    "Bahnhofplatz",
    "Kerkstraat",
    "Rue de la Paix",
    "Via Roma",
    "Calle Mayor",
    "Rynek",
    "Strandvägen",
    "Dorpsstraat",
    "Plaza Norte",
    "Westpark",
    "Zuidas",
    "Expo Centre",
    "Retail Park",
    "Garden Centre",
];
/// Place names no common word shares the letters "fi" with: forty of them per dataset (one in
/// 2 500 at 100 000 locations), so the contract's search for "Fi" finds a few dozen locations at
/// every scale, as a real search for a place name would.
const RARE_PLACES_PER_DATASET: usize = 40;
const RARE_PLACES: &[&str] = &["Fiskartorpet", "Finca Vista", "Fira Barcelona", "Fitzroy Square"];
const CITIES: &[(&str, &str, f64, f64)] = &[
    ("Amsterdam", "NL", 52.3676, 4.9041),
    ("Rotterdam", "NL", 51.9244, 4.4777),
    ("Utrecht", "NL", 52.0907, 5.1214),
    ("Berlin", "DE", 52.52, 13.405),
    ("Hamburg", "DE", 53.5511, 9.9937),
    ("Munich", "DE", 48.1351, 11.582),
    ("Paris", "FR", 48.8566, 2.3522),
    ("Lyon", "FR", 45.764, 4.8357),
    ("Madrid", "ES", 40.4168, -3.7038),
    ("Barcelona", "ES", 41.3874, 2.1686),
    ("Rome", "IT", 41.9028, 12.4964),
    ("Milan", "IT", 45.4642, 9.19),
    ("Vienna", "AT", 48.2082, 16.3738),
    ("Prague", "CZ", 50.0755, 14.4378),
    ("Warsaw", "PL", 52.2297, 21.0122),
    ("Lisbon", "PT", 38.7223, -9.1393),
    ("Dublin", "IE", 53.3498, -6.2603),
    ("Brussels", "BE", 50.8503, 4.3517),
    ("Copenhagen", "DK", 55.6761, 12.5683),
    ("Stockholm", "SE", 59.3293, 18.0686),
    ("Oslo", "NO", 59.9139, 10.7522),
    ("Zurich", "CH", 47.3769, 8.5417),
];
const STANDARDS: &[(&str, &str, i64, i64)] = &[
    ("IEC_62196_T2", "AC_3_PHASE", 400, 32),
    ("IEC_62196_T2", "AC_3_PHASE", 400, 16),
    ("IEC_62196_T2_COMBO", "DC", 920, 500),
    ("CHADEMO", "DC", 500, 125),
    ("DOMESTIC_F", "AC_1_PHASE", 230, 16),
];

fn pick<'a, T>(rng: &mut StdRng, list: &'a [T]) -> &'a T {
    &list[rng.gen_range(0..list.len())]
}

/// `count` distinct ids out of `ids`.
fn some_of(rng: &mut StdRng, ids: &[i64], count: usize) -> Vec<i64> {
    let mut chosen: Vec<i64> = (0..count).map(|_| *pick(rng, ids)).collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

async fn ids_of(conn: &mut AnyConnection, table: &str) -> anyhow::Result<Vec<i64>> {
    let rows = sqlx::query(&format!("SELECT id FROM {table} ORDER BY id")).fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>()?)
}

/// Locations are written in chunks of this many, one transaction each.
const CHUNK: usize = 2_000;
const OWNERS: usize = 40;

/// Writes `scale` locations (and everything under them); returns (EVSEs, connectors).
async fn fill(store: &Store, scale: usize) -> anyhow::Result<(usize, usize)> {
    let mut rng = StdRng::seed_from_u64(100_000);
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Sqlite {
        // Bulk load only (the store is closed right after): a 256 MiB page cache keeps the
        // randomly ordered keys (EVSE uids, bigrams) of the indexes in memory, and a crash would
        // only mean generating again.
        conn.execute("PRAGMA cache_size = -262144; PRAGMA synchronous = OFF").await?;
    }
    let now = app::clock::now_ms();
    let year_ms = 365 * 24 * 3600 * 1000_i64;
    let reference = [
        ids_of(&mut conn, "facilities").await?,
        ids_of(&mut conn, "parking_restrictions").await?,
        ids_of(&mut conn, "parking_types").await?,
        ids_of(&mut conn, "capabilities").await?,
        ids_of(&mut conn, "payment_types").await?,
    ];
    let mut owners = Vec::new();
    for n in 0..OWNERS {
        let row = sqlx::query(
            "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        )
        .bind(format!("{} Operations {n}", pick(&mut rng, OPERATORS)))
        .bind(format!("Contact {n}"))
        .bind(format!("+31 20 555 {n:04}"))
        .bind(format!("operator{n}@bench.example"))
        .bind(now - year_ms * 2)
        .fetch_one(&mut *conn)
        .await?;
        owners.push(row.try_get::<i64, _>("id")?);
    }
    let first_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM locations")
        .fetch_one(&mut *conn)
        .await?
        .try_get("next")?;

    let mut locations = Rows::new(
        "locations",
        &[
            "id",
            "cpo_owner_id",
            "name",
            "address",
            "address_lat",
            "address_lng",
            "city",
            "region",
            "postal_code",
            "country_code",
            "publish",
            "time_zone",
            "date_created",
            "date_modified",
        ],
    );
    let mut grams = Rows::new("location_name_grams", &["gram", "location_id"]);
    let mut photos = Rows::new("location_photos", &["location_id", "file_name", "thumb_name", "date_created"]);
    let mut location_links = [
        Rows::new("location_facilities", &["location_id", "facility_id"]),
        Rows::new("location_parking_restrictions", &["location_id", "parking_restriction_id"]),
        Rows::new("location_parking_types", &["location_id", "parking_type_id"]),
    ];
    let mut evses = Rows::new(
        "evses",
        &[
            "uid",
            "evse_id",
            "serial_number",
            "meter_type",
            "status",
            "cpo_location_id",
            "current_ws_connection_id",
            "server_id",
            "date_created",
            "date_modified",
        ],
    );
    let mut evse_links = [
        Rows::new("evse_capabilities", &["evse_uid", "capability_id"]),
        Rows::new("evse_payment_types", &["evse_uid", "payment_type_id"]),
    ];
    let mut connectors = Rows::new(
        "connectors",
        &[
            "evse_uid",
            "connector_id",
            "standard",
            "format",
            "power_type",
            "max_voltage",
            "max_amperage",
            "max_electric_power",
            "connector_type",
            "rate_setting",
            "status",
            "date_created",
            "date_modified",
        ],
    );
    let (mut evse_count, mut connector_count) = (0, 0);
    let rare_every = (scale / RARE_PLACES_PER_DATASET).clamp(2, 2_500);
    let statuses: Vec<&str> = app::domain::codes::STATUSES.iter().map(|(code, _)| *code).collect();

    for chunk_start in (0..scale).step_by(CHUNK) {
        for index in chunk_start..(chunk_start + CHUNK).min(scale) {
            let id = first_id + index as i64;
            let (city, country, lat, lng) = *pick(&mut rng, CITIES);
            let place = if index % rare_every == rare_every / 2 {
                RARE_PLACES[(index / rare_every) % RARE_PLACES.len()]
            } else {
                *pick(&mut rng, PLACES)
            };
            let name = match rng.gen_range(0..3) {
                0 => format!("{} {place}", pick(&mut rng, OPERATORS)),
                1 => format!("{} {place} {}", pick(&mut rng, OPERATORS), rng.gen_range(1..400)),
                _ => format!("{place} {}", pick(&mut rng, OPERATORS)),
            };
            let created = now - rng.gen_range(0..2 * year_ms);
            let modified = created + rng.gen_range(0..(now - created).max(1));
            // Six decimals: what a real address geocoder gives, and what both backends print alike.
            let jitter = |rng: &mut StdRng| (rng.gen_range(-0.15..0.15_f64) * 1e6).round() / 1e6;
            let (site_lat, site_lng) = (lat + jitter(&mut rng), lng + jitter(&mut rng));
            locations.push([
                Value::Int(id),
                Value::Int(*pick(&mut rng, &owners)),
                Value::Text(name.clone()),
                Value::Text(format!("{place} {}", rng.gen_range(1..250))),
                Value::Real((site_lat * 1e6).round() / 1e6),
                Value::Real((site_lng * 1e6).round() / 1e6),
                Value::Text(city.to_owned()),
                if rng.gen_bool(0.5) { Value::Text(format!("{city} Region")) } else { Value::NullText },
                Value::Text(format!("{:05}", rng.gen_range(1000..99_999))),
                Value::Text(country.to_owned()),
                Value::Int(i64::from(rng.gen_ratio(9, 10))),
                Value::Text(app::domain::time_zones::at(site_lat, site_lng)),
                Value::Int(created),
                Value::Int(modified),
            ]);
            for gram in bigrams(&name) {
                grams.push([Value::Text(gram), Value::Int(id)]);
            }
            if rng.gen_ratio(1, 5) {
                photos.push([
                    Value::Int(id),
                    Value::Text(format!("locations/{id}/photo.webp")),
                    Value::Text(format!("locations/{id}/photo.thumb.webp")),
                    Value::Int(created),
                ]);
            }
            for (links, ids, max) in
                location_links.iter_mut().zip(&reference[..3]).zip([3, 1, 1]).map(|((l, i), m)| (l, i, m))
            {
                let count = rng.gen_range(0..=max);
                for code in some_of(&mut rng, ids, count) {
                    links.push([Value::Int(id), Value::Int(code)]);
                }
            }
            for evse_index in 1..=rng.gen_range(1..=7) {
                let uid = format!("{:032x}", rng.gen::<u128>());
                evses.push([
                    Value::Text(uid.clone()),
                    Value::Text(format!("{country}*BEN*E{id}*{evse_index}")),
                    Value::Text(format!("SN-{:08}", rng.gen_range(0..100_000_000))),
                    if rng.gen_bool(0.5) { Value::Text("MID".into()) } else { Value::NullText },
                    Value::Text((*pick(&mut rng, &statuses)).to_owned()),
                    Value::Int(id),
                    Value::NullText,
                    Value::Text(format!("ocpp-{}", rng.gen_range(1..5))),
                    Value::Int(created),
                    Value::Int(modified),
                ]);
                for (links, ids, max) in
                    evse_links.iter_mut().zip(&reference[3..]).zip([3, 2]).map(|((l, i), m)| (l, i, m))
                {
                    let count = rng.gen_range(1..=max);
                    for code in some_of(&mut rng, ids, count) {
                        links.push([Value::Text(uid.clone()), Value::Int(code)]);
                    }
                }
                for connector_index in 1..=2 {
                    let (standard, power_type, volts, amps) = *pick(&mut rng, STANDARDS);
                    connectors.push([
                        Value::Text(uid.clone()),
                        Value::Text(connector_index.to_string()),
                        Value::Text(standard.into()),
                        Value::Text(if power_type == "DC" { "CABLE" } else { "SOCKET" }.into()),
                        Value::Text(power_type.into()),
                        Value::Int(volts),
                        Value::Int(amps),
                        Value::Int(volts * amps * if power_type == "AC_3_PHASE" { 3 } else { 1 }),
                        Value::NullText,
                        Value::NullText,
                        Value::Text((*pick(&mut rng, &statuses)).to_owned()),
                        Value::Int(created),
                        Value::Int(modified),
                    ]);
                    connector_count += 1;
                }
                evse_count += 1;
            }
        }
        let mut tx = conn.begin().await?;
        locations.flush(&mut tx).await?;
        for rows in [&mut grams, &mut photos].into_iter().chain(location_links.iter_mut()) {
            rows.flush(&mut tx).await?;
        }
        evses.flush(&mut tx).await?;
        for rows in evse_links.iter_mut().chain([&mut connectors]) {
            rows.flush(&mut tx).await?;
        }
        tx.commit().await?;
    }
    if store.backend() == Backend::Postgres {
        // Explicit ids bypassed the identity sequence: move it past them.
        sqlx::query("SELECT setval(pg_get_serial_sequence('locations', 'id'), (SELECT MAX(id) FROM locations))")
            .execute(&mut *conn)
            .await?;
    }
    // Fresh planner statistics, and on PostgreSQL the visibility map autovacuum keeps on a table
    // that has been running a while (without it an index-only scan still reads every row).
    let settle = if store.backend() == Backend::Postgres { "VACUUM (ANALYZE)" } else { "ANALYZE" };
    conn.execute(settle).await?;
    // And the loaded data on disk, as it is on a server that has run a while: on PostgreSQL the
    // first checkpoint after the load otherwise fell inside the status storm, and its write-out
    // of the whole dataset held commits for about a second (storm p99 955 ms, p50 30 ms).
    let flush = if store.backend() == Backend::Postgres { "CHECKPOINT" } else { "PRAGMA wal_checkpoint(TRUNCATE)" };
    conn.execute(flush).await?;
    Ok((evse_count, connector_count))
}

impl Dataset {
    /// A CPO owner of its own named `name` (with OCPI `party` if given), whose user is
    /// `username`, with `count` published locations, and the access token of that user from the
    /// server at `base_url` (for the upload and push scenarios).
    pub async fn owner_with_locations(
        &self,
        base_url: &str,
        (username, name): (&str, &str),
        party: Option<(&str, &str)>,
        count: usize,
    ) -> anyhow::Result<(String, Vec<i64>)> {
        use app::domain::inputs::{NewLocation, Registration, Rules};
        let store = Store::connect(&self.url).await?;
        let registration = Registration {
            username: username.into(),
            cpo_owner_name: name.into(),
            contact_name: "Bench".into(),
            contact_number: "+31 20 555 0199".into(),
            contact_email: format!("{username}@bench.example"),
            ocpp_ready: false,
            logo: None,
        };
        let registration = registration.validated().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let hash = app::auth::password::hash(self.password.clone()).await?;
        let (owner, _) = store.create_cpo_owner(&registration, None, Some(&hash)).await?;
        if party.is_some() {
            store.set_party(owner, party).await?;
        }
        let mut locations = Vec::with_capacity(count);
        for i in 0..count {
            let location = NewLocation {
                name: format!("{name} {i}"),
                address: "Bench street 1".into(),
                address_lat: 52.37,
                address_lng: 4.9,
                city: "Amsterdam".into(),
                country_code: "NL".into(),
                publish: true,
                ..Default::default()
            };
            locations.push(app::services::locations::create_location(&store, owner, location).await?);
        }
        store.close().await;
        let login: serde_json::Value = reqwest::Client::new()
            .post(format!("{base_url}/ocpi/cpo/api/auth/v1/login"))
            .bearer_auth(&self.api_token)
            .json(&serde_json::json!({ "username": username, "password": self.password }))
            .send()
            .await?
            .json()
            .await?;
        let access = login["data"]["access_token"].as_str().context("no access token in the login answer")?;
        Ok((access.to_owned(), locations))
    }
}
