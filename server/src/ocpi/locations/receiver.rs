//! The Locations Receiver (`/ocpi/2.2.1/emsp/locations/{country_code}/{party_id}/…`): partner CPOs
//! PUT and PATCH their locations, EVSEs and connectors, and may GET them back. Only a peer holding
//! the CPO role of that party reaches it (anyone else: 404). What is stored is the OCPI object as
//! pushed (unknown fields kept); its projection makes it a location of the partner's owner.
use super::mapping::alpha2;
use super::receive::{check_connector, check_evse, check_location, date_time};
use crate::ocpi::auth::Registered;
use crate::ocpi::envelope::{ok, OcpiError, INVALID, SUCCESS};
use crate::ocpi::OcpiState;
use app::domain::inputs::{NewConnector, NewEvse, NewLocation};
use app::store::{PartnerEvse, PartnerOwner, PartnerSave, PartnerWrite, PartyHolder};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// Which object a request addresses below the location.
#[derive(Clone, Copy)]
enum Object<'a> {
    Location,
    Evse(&'a str),
    Connector(&'a str, &'a str),
}

fn unknown(what: &str) -> OcpiError {
    OcpiError::not_found(format!("unknown {what}"))
}

/// The owner a partner party's locations are stored under.
enum Partner {
    Owner(i64),
    /// No location of the party yet: its first stored location creates the owner, named so.
    FirstPush(String),
}

/// The party's partner owner, if the caller holds that CPO role.
async fn partner(state: &OcpiState, caller: &Registered, country: &str, party: &str) -> Result<Partner, OcpiError> {
    let details = state
        .store
        .ocpi_peer_role(caller.0.peer_id, "CPO", country, party)
        .await?
        .ok_or_else(|| unknown("location"))?;
    match state.store.party_holder(country, party).await? {
        PartyHolder::Partner(id) => Ok(Partner::Owner(id)),
        PartyHolder::Hosted => Err(unknown("location")),
        PartyHolder::Nobody => {
            let details: Value = serde_json::from_str(&details).unwrap_or(Value::Null);
            Ok(Partner::FirstPush(details["name"].as_str().map_or_else(|| format!("{country}-{party}"), str::to_owned)))
        }
    }
}

async fn stored(state: &OcpiState, owner: i64, location_id: &str) -> Result<Option<Value>, OcpiError> {
    let body = state.store.partner_location(owner, &location_id.to_uppercase()).await?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

fn same(a: &Value, b: &str) -> bool {
    a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(b))
}

fn find_mut<'a>(list: &'a mut Value, key: &str, id: &str) -> Option<&'a mut Value> {
    list.as_array_mut()?.iter_mut().find(|item| same(&item[key], id))
}

fn lu(value: &Value) -> Option<i64> {
    value["last_updated"].as_str().and_then(date_time)
}

/// The later of the parent's and the child's `last_updated`, as pushed (never our clock).
fn bump(parent: &mut Value, child_last_updated: &Value) {
    let child = child_last_updated.as_str().and_then(date_time);
    if child > lu(parent) {
        parent["last_updated"] = child_last_updated.clone();
    }
}

fn merge(target: &mut Value, patch: &Map<String, Value>) {
    if let Some(target) = target.as_object_mut() {
        for (key, value) in patch {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// What applying the request gives: the new whole location, or "older than stored" (not applied).
enum Applied {
    Location(Value),
    Outdated,
}

fn apply_put(
    stored: Option<Value>,
    object: Object<'_>,
    ids: (&str, &str, &str),
    body: Value,
) -> Result<Applied, OcpiError> {
    let (country, party, location_id) = ids;
    match object {
        Object::Location => {
            if !same(&body["country_code"], country)
                || !same(&body["party_id"], party)
                || !same(&body["id"], location_id)
            {
                return Err(OcpiError::invalid("country_code, party_id and id must equal those in the URL"));
            }
            check_location(&body).map_err(OcpiError::invalid)?;
            if stored.as_ref().is_some_and(|s| lu(s) > lu(&body)) {
                return Ok(Applied::Outdated);
            }
            Ok(Applied::Location(body))
        }
        Object::Evse(uid) => {
            let mut location = stored.ok_or_else(|| unknown("location: PUT the whole location first"))?;
            if !same(&body["uid"], uid) {
                return Err(OcpiError::invalid("uid must equal the one in the URL"));
            }
            check_evse(&body, "").map_err(OcpiError::invalid)?;
            if location["evses"].is_null() {
                location["evses"] = json!([]);
            }
            match find_mut(&mut location["evses"], "uid", uid) {
                Some(existing) if lu(existing) > lu(&body) => return Ok(Applied::Outdated),
                Some(existing) => *existing = body.clone(),
                None => {
                    if let Some(evses) = location["evses"].as_array_mut() {
                        evses.push(body.clone());
                    }
                }
            }
            bump(&mut location, &body["last_updated"]);
            Ok(Applied::Location(location))
        }
        Object::Connector(uid, connector_id) => {
            let mut location = stored.ok_or_else(|| unknown("location: PUT the whole location first"))?;
            if !same(&body["id"], connector_id) {
                return Err(OcpiError::invalid("id must equal the connector id in the URL"));
            }
            check_connector(&body, "").map_err(OcpiError::invalid)?;
            let evse = find_mut(&mut location["evses"], "uid", uid).ok_or_else(|| unknown("EVSE"))?;
            match find_mut(&mut evse["connectors"], "id", connector_id) {
                Some(existing) if lu(existing) > lu(&body) => return Ok(Applied::Outdated),
                Some(existing) => *existing = body.clone(),
                None => {
                    if let Some(connectors) = evse["connectors"].as_array_mut() {
                        connectors.push(body.clone());
                    }
                }
            }
            bump(evse, &body["last_updated"]);
            bump(&mut location, &body["last_updated"]);
            Ok(Applied::Location(location))
        }
    }
}

fn apply_patch(stored: Option<Value>, object: Object<'_>, body: Value) -> Result<Applied, OcpiError> {
    let patch = body.as_object().ok_or_else(|| OcpiError::invalid("the body is not an object"))?;
    if patch.get("last_updated").and_then(Value::as_str).and_then(date_time).is_none() {
        return Err(OcpiError::invalid("last_updated: required in every PATCH"));
    }
    let mut location = stored.ok_or_else(|| unknown("location"))?;
    let (target, id_key, id) = match object {
        Object::Location => (&mut location, "id", None),
        Object::Evse(uid) => {
            (find_mut(&mut location["evses"], "uid", uid).ok_or_else(|| unknown("EVSE"))?, "uid", Some(uid))
        }
        Object::Connector(uid, connector_id) => {
            let evse = find_mut(&mut location["evses"], "uid", uid).ok_or_else(|| unknown("EVSE"))?;
            let connector =
                find_mut(&mut evse["connectors"], "id", connector_id).ok_or_else(|| unknown("connector"))?;
            (connector, "id", Some(connector_id))
        }
    };
    if let (Some(id), Some(sent)) = (id, patch.get(id_key)) {
        if !same(sent, id) {
            return Err(OcpiError::invalid(format!("{id_key} must equal the one in the URL")));
        }
    }
    if matches!(object, Object::Location)
        && ["country_code", "party_id", "id"].iter().any(|k| patch.get(*k).is_some_and(|v| v != &target[*k]))
    {
        return Err(OcpiError::invalid("country_code, party_id and id cannot change"));
    }
    if lu(target) > lu(&body) {
        return Ok(Applied::Outdated);
    }
    merge(target, patch);
    if let Object::Connector(uid, _) = object {
        if let Some(evse) = find_mut(&mut location["evses"], "uid", uid) {
            bump(evse, &body["last_updated"]);
        }
    }
    bump(&mut location, &body["last_updated"]);
    check_location(&location).map_err(OcpiError::invalid)?;
    Ok(Applied::Location(location))
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

fn codes(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The location as the platform's own rows (EVSE uids made unique on the platform).
fn project(location: &Value, country: &str, party: &str) -> Result<(NewLocation, Vec<PartnerEvse>, i64), OcpiError> {
    let invalid = |what: &str| OcpiError::invalid(what.to_owned());
    let coordinate = |key: &str| location["coordinates"][key].as_str().and_then(|t| t.parse::<f64>().ok());
    let mut restrictions: Vec<String> = Vec::new();
    let mut evses = Vec::new();
    for evse in location["evses"].as_array().into_iter().flatten() {
        for restriction in codes(&evse["parking_restrictions"]) {
            if !restrictions.contains(&restriction) {
                restrictions.push(restriction);
            }
        }
        let uid = format!("{}-{}-{}", country.to_uppercase(), party.to_uppercase(), text(evse, "uid").to_uppercase());
        let status = text(evse, "status");
        let connectors = evse["connectors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let connector = NewConnector {
                    connector_id: text(c, "id"),
                    standard: text(c, "standard"),
                    format: text(c, "format"),
                    power_type: text(c, "power_type"),
                    max_voltage: c["max_voltage"].as_i64().unwrap_or_default(),
                    max_amperage: c["max_amperage"].as_i64().unwrap_or_default(),
                    max_electric_power: c["max_electric_power"].as_i64(),
                    connector_type: None,
                    rate_setting: None,
                    status: status.clone(),
                };
                (connector, lu(c).unwrap_or_default())
            })
            .collect();
        let evse_id = evse["evse_id"].as_str().map_or_else(|| uid.clone(), str::to_owned);
        evses.push(PartnerEvse {
            evse: NewEvse { evse_id, status, capabilities: codes(&evse["capabilities"]), payment_types: Vec::new() },
            uid,
            last_updated: lu(evse).unwrap_or_default(),
            connectors,
        });
    }
    let address = text(location, "address");
    let new = NewLocation {
        name: location["name"].as_str().filter(|n| !n.is_empty()).map_or_else(|| address.clone(), str::to_owned),
        address,
        address_lat: coordinate("latitude")
            .filter(|v| (-90.0..=90.0).contains(v))
            .ok_or_else(|| invalid("coordinates.latitude: out of range"))?,
        address_lng: coordinate("longitude")
            .filter(|v| (-180.0..=180.0).contains(v))
            .ok_or_else(|| invalid("coordinates.longitude: out of range"))?,
        city: text(location, "city"),
        region: location["state"].as_str().map(str::to_owned),
        postal_code: location["postal_code"].as_str().map(str::to_owned),
        country_code: alpha2(&text(location, "country"))
            .ok_or_else(|| invalid("country: not an ISO 3166-1 alpha-3 code"))?
            .to_owned(),
        publish: location["publish"].as_bool().unwrap_or(false),
        facilities: codes(&location["facilities"]),
        parking_restrictions: restrictions,
        parking_types: location["parking_type"].as_str().map(|t| vec![t.to_owned()]).unwrap_or_default(),
        time_zone: location["time_zone"].as_str().map(str::to_owned),
    };
    Ok((new, evses, lu(location).unwrap_or_default()))
}

async fn write(
    state: &OcpiState,
    caller: &Registered,
    ids: (&str, &str, &str),
    object: Object<'_>,
    patch: bool,
    body: &Bytes,
) -> Result<Response, OcpiError> {
    let (country, party, location_id) = ids;
    let owner = partner(state, caller, country, party).await?;
    let body: Value = serde_json::from_slice(body)
        .map_err(|_| OcpiError::new(StatusCode::BAD_REQUEST, INVALID, "the body is not JSON"))?;
    if !body.is_object() {
        return Err(OcpiError::invalid("the body is not an object"));
    }
    let stored = match owner {
        Partner::Owner(owner) => stored(state, owner, location_id).await?,
        Partner::FirstPush(_) => None,
    };
    let applied = if patch { apply_patch(stored, object, body)? } else { apply_put(stored, object, ids, body)? };
    let Applied::Location(location) = applied else { return Ok(ok_without_data(StatusCode::OK)) };
    let (new, evses, last_updated) = project(&location, country, party)?;
    let key = location_id.to_uppercase();
    let body = location.to_string();
    let owner = match &owner {
        Partner::Owner(id) => PartnerOwner::Existing(*id),
        Partner::FirstPush(name) => PartnerOwner::New { country, party, name },
    };
    let write = PartnerWrite { owner, key: &key, body: &body, last_updated, location: &new, evses: &evses };
    match state.store.save_partner_location(&write).await {
        Ok(PartnerSave::Created) => Ok(ok_without_data(StatusCode::CREATED)),
        Ok(PartnerSave::Replaced | PartnerSave::Outdated) => Ok(ok_without_data(StatusCode::OK)),
        // The party became one of our hosted owners meanwhile.
        Err(app::store::StoreError::NotFound(_)) => Err(unknown("location")),
        Err(app::store::StoreError::Conflict(what)) => {
            Err(OcpiError::invalid(format!("{what} is used by another EVSE on this platform")))
        }
        Err(e) => Err(e.into()),
    }
}

/// 1000 without `data` (the 2.2.1 answer to a push).
fn ok_without_data(status: StatusCode) -> Response {
    let body = json!({"status_code": SUCCESS, "timestamp": app::clock::rfc3339(app::clock::now_ms())});
    (status, Json(body)).into_response()
}

async fn read(
    state: &OcpiState,
    caller: &Registered,
    ids: (&str, &str, &str),
    object: Object<'_>,
) -> Result<Response, OcpiError> {
    let (country, party, location_id) = ids;
    let Partner::Owner(owner) = partner(state, caller, country, party).await? else {
        return Err(unknown("location"));
    };
    let mut location = stored(state, owner, location_id).await?.ok_or_else(|| unknown("location"))?;
    let found = match object {
        Object::Location => location,
        Object::Evse(uid) => find_mut(&mut location["evses"], "uid", uid).ok_or_else(|| unknown("EVSE"))?.take(),
        Object::Connector(uid, id) => {
            let evse = find_mut(&mut location["evses"], "uid", uid).ok_or_else(|| unknown("EVSE"))?;
            find_mut(&mut evse["connectors"], "id", id).ok_or_else(|| unknown("connector"))?.take()
        }
    };
    Ok(ok(found))
}

type LocationPath = Path<(String, String, String)>;
type EvsePath = Path<(String, String, String, String)>;
type ConnectorPath = Path<(String, String, String, String, String)>;

pub async fn get_location(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l)): LocationPath,
) -> Result<Response, OcpiError> {
    read(&state, &caller, (&c, &p, &l), Object::Location).await
}

pub async fn get_evse(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e)): EvsePath,
) -> Result<Response, OcpiError> {
    read(&state, &caller, (&c, &p, &l), Object::Evse(&e)).await
}

pub async fn get_connector(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e, k)): ConnectorPath,
) -> Result<Response, OcpiError> {
    read(&state, &caller, (&c, &p, &l), Object::Connector(&e, &k)).await
}

pub async fn put_location(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l)): LocationPath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Location, false, &body).await
}

pub async fn put_evse(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e)): EvsePath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Evse(&e), false, &body).await
}

pub async fn put_connector(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e, k)): ConnectorPath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Connector(&e, &k), false, &body).await
}

pub async fn patch_location(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l)): LocationPath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Location, true, &body).await
}

pub async fn patch_evse(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e)): EvsePath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Evse(&e), true, &body).await
}

pub async fn patch_connector(
    State(state): State<OcpiState>,
    caller: Registered,
    Path((c, p, l, e, k)): ConnectorPath,
    body: Bytes,
) -> Result<Response, OcpiError> {
    write(&state, &caller, (&c, &p, &l), Object::Connector(&e, &k), true, &body).await
}

/// POST and DELETE are not part of the Receiver (removal is status REMOVED).
pub async fn not_allowed() -> OcpiError {
    OcpiError::method_not_allowed("the Locations Receiver takes GET, PUT and PATCH (removal is status REMOVED)")
}
