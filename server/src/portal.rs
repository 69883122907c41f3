//! The portal's server side: cookie sessions, the same-origin check for state-changing requests,
//! and the plain HTML form handlers (uploads and multi-value forms) that share the APIs' services.
use crate::multipart::{read_logo, read_photos};
use crate::state::AppState;
use app::domain::inputs::{NewConnector, NewEvse, NewLocation};
use app::error::ServiceError;
use app::services::{locations, media};
use app::store::Store;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub const USER_KEY: &str = "user_id";

/// Cookie sessions stored in the database; `Secure` unless served over plain http.
pub fn session_layer(store: Store, public_url: &str) -> SessionManagerLayer<Store> {
    SessionManagerLayer::new(store)
        .with_name("emsp_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(public_url.starts_with("https://"))
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(7)))
}

/// Refuses cross-site state-changing requests to the portal (server functions and form posts):
/// `Sec-Fetch-Site` when the browser sends it, otherwise `Origin` against `Host`.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let guarded = path.starts_with("/_sf/") || path.starts_with("/portal/");
    if guarded && !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !same_origin(&request) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(request).await
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        // Non-browser clients send no Origin; browsers always do on cross-site POSTs.
        (None, _) => true,
        _ => false,
    }
}

/// The signed-in CPO owner of a portal form post; anyone else is sent to the sign-in page.
struct PortalOwner(i64);

impl axum::extract::FromRequestParts<AppState> for PortalOwner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Response> {
        let sign_in = || Redirect::to("/sign-in").into_response();
        // The session or the user cannot be read: the person is not signed out, the service is down.
        let unavailable = |e: &(dyn std::error::Error + 'static)| {
            tracing::error!(cause = %app::error::chain(e), "portal session lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable. Please try again in a moment.")
                .into_response()
        };
        let session = Session::from_request_parts(parts, state).await.map_err(|_| sign_in())?;
        let user_id: Option<i64> = session.get(USER_KEY).await.map_err(|e| unavailable(&e))?;
        let user = state.store.user_by_id(user_id.ok_or_else(sign_in)?).await.map_err(|e| unavailable(&e))?;
        user.and_then(|u| u.cpo_owner_id).map(PortalOwner).ok_or_else(sign_in)
    }
}

/// Back to `page` with a message for the person (percent-encoded into the query).
fn back(page: &str, key: &str, text: &str) -> Response {
    let encoded: String = text
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Redirect::to(&format!("{page}?{key}={encoded}")).into_response()
}

/// Back to `page` with `done(value)` as confirmation, or with what went wrong.
fn finish<T>(page: &str, result: Result<T, ServiceError>, done: impl FnOnce(T) -> String) -> Response {
    match result {
        Ok(value) => back(page, "done", &done(value)),
        Err(error) => failed(page, error),
    }
}

fn failed(page: &str, error: ServiceError) -> Response {
    if let Some(cause) = error.failure_chain() {
        tracing::error!(%cause, "portal form failed");
        return back(page, "error", "Something went wrong on our side. Please try again.");
    }
    match &error {
        // Field errors travel to the form, which shows each next to its field.
        ServiceError::Invalid(fields) => back(page, "errors", &app::ui::forms::encode_field_errors(fields)),
        ServiceError::Conflict(field) => back(
            page,
            "errors",
            &app::ui::forms::encode_field_errors(&[app::domain::validation::FieldError::new(
                field,
                "is already taken",
            )]),
        ),
        _ => back(page, "error", &error.to_string()),
    }
}

async fn upload_logo(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let result = match read_logo(multipart).await {
        Ok(bytes) => media::replace_logo(&state.store, &state.uploads, owner, bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => back("/dashboard", "logo", "updated"),
        Err(e) => failed("/dashboard", e),
    }
}

async fn upload_photos(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(location_id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = format!("/locations/{location_id}");
    // The location comes from the path; the form carries only the files.
    let result = match read_photos(multipart).await {
        Ok((files, _)) => media::add_location_photos(&state.store, &state.uploads, owner, location_id, files).await,
        Err(e) => Err(e),
    };
    finish(&page, result, |urls| format!("{} photos added", urls.len()))
}

/// All values of a repeated form field.
fn all(form: &[(String, String)], key: &str) -> Vec<String> {
    form.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty()).collect()
}

fn one(form: &[(String, String)], key: &str) -> String {
    all(form, key).into_iter().next().unwrap_or_default()
}

fn optional(form: &[(String, String)], key: &str) -> Option<String> {
    Some(one(form, key)).filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, ServiceError> {
    text.trim().parse().map_err(|_| ServiceError::invalid(field, "must be a number"))
}

/// A location from the portal's form (the write path checks it).
fn location_from(form: &[(String, String)]) -> Result<NewLocation, ServiceError> {
    Ok(NewLocation {
        name: one(form, "name"),
        address: one(form, "address"),
        address_lat: number("address_lat", &one(form, "address_lat"))?,
        address_lng: number("address_lng", &one(form, "address_lng"))?,
        city: one(form, "city"),
        region: optional(form, "region"),
        postal_code: optional(form, "postal_code"),
        country_code: one(form, "country_code").to_uppercase(),
        publish: !one(form, "publish").is_empty(),
        facilities: all(form, "facilities"),
        parking_restrictions: all(form, "parking_restrictions"),
        parking_types: all(form, "parking_types"),
        time_zone: optional(form, "time_zone"),
    })
}

async fn create_location(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let created = async { locations::create_location(&state.store, owner, location_from(&form)?).await };
    match created.await {
        Ok(id) => back(&format!("/locations/{id}"), "done", "Location created"),
        Err(e) => failed("/locations", e),
    }
}

async fn update_location(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let page = format!("/locations/{id}");
    let updated = async { locations::update_location(&state.store, owner, id, location_from(&form)?).await };
    finish(&page, updated.await, |()| "Changes saved".into())
}

/// An EVSE from the portal's form (the write path checks it).
fn evse_from(form: &[(String, String)]) -> NewEvse {
    NewEvse {
        evse_id: one(form, "evse_id"),
        status: one(form, "status"),
        capabilities: all(form, "capabilities"),
        payment_types: all(form, "payment_types"),
    }
}

/// The connector rows of a form (parallel lists; a row left without voltage is skipped, except
/// the first), numbered 1, 2, … and with the EVSE's status.
fn connectors_from(form: &[(String, String)], status: &str) -> Result<Vec<NewConnector>, ServiceError> {
    let pick = |key: &str| form.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
    let (standards, formats, powers, volts, amps) =
        (pick("standard"), pick("format"), pick("power_type"), pick("max_voltage"), pick("max_amperage"));
    let mut connectors = Vec::new();
    for (i, standard) in standards.iter().enumerate() {
        let voltage = volts.get(i).cloned().unwrap_or_default();
        if voltage.is_empty() && i > 0 {
            continue;
        }
        let connector = NewConnector {
            connector_id: optional(form, "connector_id").unwrap_or_else(|| (connectors.len() + 1).to_string()),
            standard: standard.clone(),
            format: formats.get(i).cloned().unwrap_or_default(),
            power_type: powers.get(i).cloned().unwrap_or_default(),
            max_voltage: number("max_voltage", &voltage)?,
            max_amperage: number("max_amperage", &amps.get(i).cloned().unwrap_or_default())?,
            max_electric_power: None,
            connector_type: None,
            rate_setting: None,
            status: status.to_owned(),
        };
        connectors.push(connector);
    }
    Ok(connectors)
}

type FormFields = axum::Form<Vec<(String, String)>>;

async fn create_evse(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(location_id): Path<i64>,
    axum::Form(form): FormFields,
) -> Response {
    let page = format!("/locations/{location_id}");
    let created = async {
        let evse = evse_from(&form);
        let connectors = connectors_from(&form, &evse.status)?;
        let count = connectors.len();
        locations::create_evse(&state.store, owner, location_id, evse, connectors).await?;
        Ok::<_, ServiceError>(count)
    };
    finish(&page, created.await, |n| format!("EVSE added with {n} connectors"))
}

async fn create_charger(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(location_id): Path<i64>,
    axum::Form(form): FormFields,
) -> Response {
    let page = format!("/locations/{location_id}");
    let charge_point_id = one(&form, "charge_point_id");
    let evses = all(&form, "evse_uids");
    let created = app::services::chargers::create_charger(&state.store, owner, location_id, &charge_point_id, &evses);
    finish(&page, created.await, |_| format!("Charger {charge_point_id} added: give it a key with \"New key\""))
}

async fn update_evse(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(uid): Path<String>,
    axum::Form(form): FormFields,
) -> Response {
    let page = format!("/locations/{}", one(&form, "location_id"));
    let updated = locations::update_evse(&state.store, owner, &uid, evse_from(&form));
    finish(&page, updated.await, |_| "EVSE saved".into())
}

async fn update_connector(
    State(state): State<AppState>,
    PortalOwner(owner): PortalOwner,
    Path(id): Path<i64>,
    axum::Form(form): FormFields,
) -> Response {
    let page = format!("/locations/{}", one(&form, "location_id"));
    let updated = async {
        let connector = connectors_from(&form, &one(&form, "status"))?
            .pop()
            .ok_or_else(|| ServiceError::invalid("max_voltage", "is required"))?;
        locations::update_connector(&state.store, owner, id, connector).await
    };
    finish(&page, updated.await, |_| "Connector saved".into())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/logo", post(upload_logo))
        .route("/portal/locations/{id}/photos", post(upload_photos))
        .layer(DefaultBodyLimit::max(crate::multipart::BODY_LIMIT))
        .route("/portal/locations", post(create_location))
        .route("/portal/locations/{id}", post(update_location))
        .route("/portal/locations/{id}/evses", post(create_evse))
        .route("/portal/evses/{uid}", post(update_evse))
        .route("/portal/connectors/{id}", post(update_connector))
        .route("/portal/live", axum::routing::get(live))
        .route("/portal/locations/{id}/chargers", post(create_charger))
}

/// Server-sent events for the portal's live badges: one `evse` event per change of an EVSE the
/// visitor may see (all of them, or those at `location_id`), as tab-separated
/// `uid, status, connected (1/0), energy Wh, power W` (no JSON parser needed in the browser).
/// Plain HTTP/1.1 streaming, so it passes any reverse proxy; a comment every 15 s keeps idle
/// proxies from closing it.
async fn live(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Query(query): axum::extract::Query<LiveQuery>,
) -> Response {
    use app::store::Viewer;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let user_id: Option<i64> = session.get(USER_KEY).await.ok().flatten();
    let owner = match user_id {
        Some(id) => state.store.user_by_id(id).await.ok().flatten().and_then(|u| u.cpo_owner_id),
        None => None,
    };
    let viewer = owner.map_or(Viewer::Public, Viewer::Owner);
    let Ok(permit) = state.sockets.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many live streams; try again later").into_response();
    };
    let (changes, store) = (state.events.subscribe(), state.store.clone());
    let events = async_graphql::futures_util::stream::unfold(
        (changes, store, permit),
        move |(mut changes, store, permit)| async move {
            loop {
                let change = match changes.recv().await {
                    Ok(change) => change,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                };
                if query.location_id.is_some_and(|wanted| wanted != change.location_id) {
                    continue;
                }
                let Ok(Some(evse)) = store.visible_evse(viewer, &change.evse_uid).await else { continue };
                let readings = store.readings(&evse.uid).await.unwrap_or_default();
                let number = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_default();
                let data = format!(
                    "{}\t{}\t{}\t{}\t{}",
                    evse.uid,
                    evse.status,
                    u8::from(evse.current_ws_connection_id.is_some()),
                    number(readings.energy_wh),
                    number(readings.power_w)
                );
                let event = Event::default().event("evse").data(data);
                return Some((Ok::<_, std::convert::Infallible>(event), (changes, store, permit)));
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))).into_response()
}

#[derive(serde::Deserialize)]
struct LiveQuery {
    location_id: Option<i64>,
}
