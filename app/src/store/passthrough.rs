//! The benchmark's ceiling for the contract's `locations` query: the same JSON page, built by the
//! database in one hand-written statement and returned by the server as it comes. Only served
//! when the server runs with `--bench-routes`; the GraphQL path is the real one.
use super::{Backend, Store, StoreError};
use sqlx::Row;
use std::sync::OnceLock;

/// The JSON functions of one backend; both produce the same document.
#[derive(Clone, Copy)]
struct Json(Backend);

impl Json {
    fn object(self, fields: &[(&str, String)]) -> String {
        let function = match self.0 {
            Backend::Sqlite => "json_object",
            Backend::Postgres => "json_build_object",
        };
        let pairs: Vec<String> = fields.iter().map(|(key, value)| format!("'{key}', {value}")).collect();
        format!("{function}({})", pairs.join(", "))
    }

    /// A sub-select aggregated into a JSON array (`[]` when it finds nothing).
    fn array(self, element: &str, from: &str, order: &str) -> String {
        match self.0 {
            // A value read back from a sub-select loses its JSON type in SQLite: json() restores it.
            Backend::Sqlite => format!("json((SELECT json_group_array({element} ORDER BY {order}) FROM {from}))"),
            Backend::Postgres => {
                format!("(SELECT COALESCE(json_agg({element} ORDER BY {order}), '[]'::json) FROM {from})")
            }
        }
    }

    /// Stored milliseconds as RFC 3339 with milliseconds, as `store::rfc3339` formats them.
    fn time(self, column: &str) -> String {
        match self.0 {
            Backend::Sqlite => {
                format!("strftime('%Y-%m-%dT%H:%M:%S', {column} / 1000, 'unixepoch') || printf('.%03dZ', {column} % 1000)")
            }
            Backend::Postgres => format!(
                "to_char(to_timestamp({column} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(({column} % 1000)::text, 3, '0') || 'Z'"
            ),
        }
    }

    fn boolean(self, column: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("json(CASE WHEN {column} = 1 THEN 'true' ELSE 'false' END)"),
            Backend::Postgres => format!("({column} = 1)"),
        }
    }

    fn codes(self, link: &str, owner: &str, reference: &str, table: &str, key: &str) -> String {
        let element =
            self.object(&[("id", "r.id".into()), ("code", "r.code".into()), ("description", "r.description".into())]);
        self.array(
            &element,
            &format!("{link} k JOIN {table} r ON r.id = k.{reference} WHERE k.{owner} = {key}"),
            "r.id",
        )
    }

    fn columns(self, alias: &str, names: &[&'static str]) -> Vec<(&'static str, String)> {
        names.iter().map(|name| (*name, format!("{alias}.{name}"))).collect()
    }

    fn connector(self) -> String {
        let mut fields = self.columns(
            "c",
            &["id", "evse_uid", "connector_id", "standard", "format", "power_type", "max_voltage", "max_amperage"],
        );
        fields.extend(self.columns("c", &["max_electric_power", "connector_type", "rate_setting", "status"]));
        fields.push(("date_created", self.time("c.date_created")));
        fields.push(("date_modified", self.time("c.date_modified")));
        self.object(&fields)
    }

    fn evse(self) -> String {
        let mut fields = self.columns(
            "e",
            &[
                "uid",
                "evse_id",
                "serial_number",
                "meter_type",
                "status",
                "cpo_location_id",
                "current_ws_connection_id",
                "server_id",
            ],
        );
        fields.push(("date_created", self.time("e.date_created")));
        fields.push((
            "connectors",
            self.array(&self.connector(), "connectors c WHERE c.evse_uid = e.uid", "c.connector_id"),
        ));
        fields.push((
            "capabilities",
            self.codes("evse_capabilities", "evse_uid", "capability_id", "capabilities", "e.uid"),
        ));
        fields.push((
            "payment_types",
            self.codes("evse_payment_types", "evse_uid", "payment_type_id", "payment_types", "e.uid"),
        ));
        self.object(&fields)
    }

    fn location(self) -> String {
        let mut fields = self.columns(
            "l",
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
            ],
        );
        fields.push((
            "images",
            self.array("'/uploads/' || p.file_name", "location_photos p WHERE p.location_id = l.id", "p.id"),
        ));
        fields.push(("publish", self.boolean("l.publish")));
        fields.push(("date_created", self.time("l.date_created")));
        fields.push(("date_modified", self.time("l.date_modified")));
        fields.push(("evses", self.array(&self.evse(), "evses e WHERE e.cpo_location_id = l.id", "e.evse_id")));
        fields.push((
            "facilities",
            self.codes("location_facilities", "location_id", "facility_id", "facilities", "l.id"),
        ));
        fields.push((
            "parking_restrictions",
            self.codes(
                "location_parking_restrictions",
                "location_id",
                "parking_restriction_id",
                "parking_restrictions",
                "l.id",
            ),
        ));
        fields.push((
            "parking_types",
            self.codes("location_parking_types", "location_id", "parking_type_id", "parking_types", "l.id"),
        ));
        self.object(&fields)
    }

    /// `{"data": {"locations": [...]}}` for a page of published locations, oldest first.
    fn page(self) -> String {
        let locations = format!(
            "(SELECT l.id, {} AS location FROM locations l WHERE l.publish = 1 ORDER BY l.id LIMIT $1 OFFSET $2) page",
            self.location()
        );
        let list = match self.0 {
            Backend::Sqlite => "json_group_array(json(page.location) ORDER BY page.id)",
            Backend::Postgres => "COALESCE(json_agg(page.location ORDER BY page.id), '[]'::json)",
        };
        let document = self.object(&[("data", self.object(&[("locations", list.to_owned())]))]);
        let text = match self.0 {
            Backend::Sqlite => document,
            Backend::Postgres => format!("({document})::text"),
        };
        format!("SELECT {text} AS page FROM {locations}")
    }
}

fn statement(backend: Backend) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| Json(backend).page())
}

impl Store {
    /// The contract's `locations(limit, offset)` page for an API client, as JSON text, from one
    /// statement.
    pub async fn locations_page_json(&self, limit: i64, offset: i64) -> Result<String, StoreError> {
        self.count_statement();
        let row = sqlx::query(statement(self.backend())).bind(limit).bind(offset).fetch_one(self.pool()).await?;
        Ok(row.try_get("page")?)
    }
}
