//! GraphQL over HTTP at `/graphql` (POST, and GET for queries), with an explorer at `/graphiql`
//! that needs no CDN. Guarded by depth, complexity and body-size limits and a time limit.
mod chargers;
mod errors;
mod guard;
mod loaders;
mod mutation;
mod owners;
mod prefetch;
mod query;
mod subscription;
mod types;

use crate::auth::{AuthRejection, AuthState, Caller};
use app::error::ServiceError;
use app::store::Store;
use app::uploads::UploadDir;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::ParseRequestError;
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;

/// The contract's queries beside the charger queries, as one root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(query::LocationQuery, chargers::ChargerQuery);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::LocationMutation,
    chargers::ChargerMutation,
    chargers::CommandMutation,
    owners::OwnerMutation,
);

pub const BODY_LIMIT: usize = 1024 * 1024;
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
/// The contract's queries are depth 4; nothing legitimate needs more than a few levels beyond.
pub const DEPTH_LIMIT: usize = 10;
/// Roughly the number of fields a query selects (each alias counts): the contract's locations
/// query is about 70.
pub const COMPLEXITY_LIMIT: usize = 500;

pub type FullSchema = Schema<QueryRoot, MutationRoot, subscription::SubscriptionRoot>;
/// Served for GET, where mutations must not be reachable (GraphQL over HTTP: GET is safe).
pub type ReadSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

#[derive(Clone)]
pub struct Schemas {
    pub full: FullSchema,
    pub read: ReadSchema,
}

/// What the GraphQL handlers need of the application's state.
#[derive(Clone)]
pub struct GraphqlState {
    pub schemas: Schemas,
    /// Where commands to chargers go (the OCPP gateway on this node).
    pub control: std::sync::Arc<dyn app::services::charger_commands::ChargerControl>,
    /// Changes of EVSEs, for subscriptions.
    pub events: crate::events::EvseEvents,
    /// Open subscription sockets (they leave the accept loop's connection count once upgraded).
    pub sockets: std::sync::Arc<tokio::sync::Semaphore>,
    pub store: Store,
    pub uploads: UploadDir,
}

pub fn schemas() -> Schemas {
    Schemas {
        full: Schema::build(QueryRoot::default(), MutationRoot::default(), subscription::SubscriptionRoot)
            .extension(guard::GuardExtension)
            .limit_depth(DEPTH_LIMIT)
            .limit_complexity(COMPLEXITY_LIMIT)
            .limit_directives(10)
            .finish(),
        read: Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
            .limit_depth(DEPTH_LIMIT)
            .limit_complexity(COMPLEXITY_LIMIT)
            .limit_directives(10)
            .finish(),
    }
}

/// The schema as SDL (what `server/schema.graphql` holds).
pub fn sdl() -> String {
    schemas().full.sdl()
}

/// A GraphQL-style error body with an HTTP status, for failures before execution.
fn http_error(status: StatusCode, message: &str) -> Response {
    http_error_with_code(status, message, None)
}

fn http_error_with_code(status: StatusCode, message: &str, code: Option<&str>) -> Response {
    let error = match code {
        Some(code) => json!({ "message": message, "extensions": { "code": code } }),
        None => json!({ "message": message }),
    };
    let mut response = (status, axum::Json(json!({ "errors": [error] }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Request-parsing failures (malformed JSON, batches, too large) as GraphQL errors.
pub struct Rejection(ParseRequestError);

impl From<ParseRequestError> for Rejection {
    fn from(e: ParseRequestError) -> Self {
        Rejection(e)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self.0 {
            ParseRequestError::PayloadTooLarge => {
                http_error(StatusCode::PAYLOAD_TOO_LARGE, "the request body exceeds 1 MiB")
            }
            ParseRequestError::UnsupportedBatch => {
                http_error(StatusCode::BAD_REQUEST, "batched requests are not supported")
            }
            ParseRequestError::Io(e) if e.to_string().contains("length limit") => {
                http_error(StatusCode::PAYLOAD_TOO_LARGE, "the request body exceeds 1 MiB")
            }
            _ => http_error(StatusCode::BAD_REQUEST, "the request is not a valid GraphQL request"),
        }
    }
}

/// An authentication refusal before execution: 401, or 503 (code `UNAVAILABLE`) when the
/// credentials could not be checked, so the client keeps its token and tries again.
fn refused(rejection: AuthRejection) -> Response {
    let error = rejection.0;
    if let Some(cause) = error.failure_chain() {
        tracing::error!(%cause, "graphql authentication failed");
    }
    match error {
        ServiceError::Unavailable(_) => {
            http_error_with_code(StatusCode::SERVICE_UNAVAILABLE, "try again later", Some("UNAVAILABLE"))
        }
        ServiceError::Internal(_) => {
            http_error_with_code(StatusCode::INTERNAL_SERVER_ERROR, "internal error", Some("INTERNAL"))
        }
        _ => http_error(StatusCode::UNAUTHORIZED, "a valid API token or access token is required"),
    }
}

fn prepare(state: &GraphqlState, caller: Caller, request: async_graphql::Request) -> async_graphql::Request {
    let loader = prefetch::loader(state.store.clone());
    request.data(caller).data(state.control.clone()).data(state.store.clone()).data(state.uploads.clone()).data(loader)
}

async fn run<F>(execution: F) -> Response
where
    F: std::future::Future<Output = async_graphql::Response>,
{
    match tokio::time::timeout(TIME_LIMIT, execution).await {
        Ok(response) => GraphQLResponse::from(response).into_response(),
        Err(_) => http_error(StatusCode::SERVICE_UNAVAILABLE, "the query exceeded the 10 s time limit"),
    }
}

/// Parses, checks, authenticates and runs one request; `read_only` serves GET, which must not
/// mutate.
async fn serve(
    state: GraphqlState,
    auth: AuthState,
    headers: HeaderMap,
    request: Result<GraphQLRequest<Rejection>, Rejection>,
    read_only: bool,
) -> Response {
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return rejection.into_response(),
    };
    // The cheap pass comes first, before the database is asked who is calling: a flood of hostile
    // documents costs CPU only, and validation's cost (which grows with what fragments expand to)
    // is bounded before async-graphql starts it.
    if let Err(refusal) = guard::check(&request.query) {
        tokio::time::sleep(guard::REFUSAL_DELAY).await;
        return http_error_with_code(StatusCode::BAD_REQUEST, &refusal.0, Some("BAD_USER_INPUT"));
    }
    let caller = match Caller::authenticate(&auth, &headers).await {
        Ok(caller) => caller,
        Err(rejection) => return refused(rejection),
    };
    let request = prepare(&state, caller, request);
    if read_only {
        run(state.schemas.read.execute(request)).await
    } else {
        run(state.schemas.full.execute(request)).await
    }
}

async fn post(
    State(state): State<GraphqlState>,
    State(auth): State<AuthState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest<Rejection>, Rejection>,
) -> Response {
    serve(state, auth, headers, request, false).await
}

/// GET: a query, or (with a WebSocket upgrade) a subscription socket.
async fn get_query(
    State(state): State<GraphqlState>,
    State(auth): State<AuthState>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    protocol: Result<GraphQLProtocol, StatusCode>,
    request: Result<GraphQLRequest<Rejection>, Rejection>,
) -> Response {
    match (upgrade, protocol) {
        (Ok(upgrade), Ok(protocol)) => subscribe(state, auth, upgrade, protocol),
        (Ok(_), Err(status)) => http_error(status, "unknown WebSocket subprotocol: use graphql-transport-ws"),
        (Err(_), _) => serve(state, auth, headers, request, true).await,
    }
}

/// The token of a subscription socket: `Authorization` in `connection_init`'s payload.
fn headers_from_init(payload: &serde_json::Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = payload.as_object().and_then(|fields| {
        fields.iter().find(|(key, _)| key.eq_ignore_ascii_case("authorization")).and_then(|(_, v)| v.as_str())
    });
    if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(header::AUTHORIZATION, value);
    }
    headers
}

fn subscribe(state: GraphqlState, auth: AuthState, upgrade: WebSocketUpgrade, protocol: GraphQLProtocol) -> Response {
    let Ok(permit) = state.sockets.clone().try_acquire_owned() else {
        return http_error(StatusCode::SERVICE_UNAVAILABLE, "too many subscription sockets; try again later");
    };
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).max_message_size(BODY_LIMIT).on_upgrade(move |socket| async move {
        let _permit = permit;
        // Each message must show the EVSE as it is now: nothing is cached across messages.
        let loader = prefetch::loader(state.store.clone());
        loader.enable_all_cache(false);
        let mut data = async_graphql::Data::default();
        data.insert(state.store.clone());
        data.insert(state.events.clone());
        data.insert(state.control.clone());
        data.insert(state.uploads.clone());
        data.insert(loader);
        GraphQLWebSocket::new(socket, state.schemas.full.clone(), protocol)
            .with_data(data)
            .on_connection_init(move |payload| async move {
                let caller =
                    Caller::authenticate(&auth, &headers_from_init(&payload)).await.map_err(
                        |rejection| match rejection.0 {
                            ServiceError::Unavailable(_) => {
                                async_graphql::Error::new("the service is unavailable; try again later")
                            }
                            _ => async_graphql::Error::new("a valid API token or access token is required"),
                        },
                    )?;
                let mut data = async_graphql::Data::default();
                data.insert(caller);
                Ok(data)
            })
            .serve()
            .await;
    })
}

/// The body-limit layer answers 413 in plain text; clients of this route expect a GraphQL error.
async fn too_large_as_graphql_error(response: Response) -> Response {
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return http_error(StatusCode::PAYLOAD_TOO_LARGE, "the request body exceeds 1 MiB");
    }
    response
}

const EXPLORER_HTML: &str = include_str!("explorer.html");
const EXPLORER_JS: &str = include_str!("explorer.js");
const EXPLORER_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CONTENT_SECURITY_POLICY, EXPLORER_CSP)], body).into_response()
}

/// The routes of `/graphql` and the explorer, for any application state GraphQL and
/// authentication can take their own state from.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    GraphqlState: FromRef<S>,
    AuthState: FromRef<S>,
{
    Router::new()
        .route("/graphql", get(get_query).post(post))
        // async-graphql reads the body as a stream, so DefaultBodyLimit alone would not apply.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(too_large_as_graphql_error))
        .route("/graphiql", get(|| async { asset("text/html; charset=utf-8", EXPLORER_HTML) }))
        .route("/graphiql/explorer.js", get(|| async { asset("text/javascript; charset=utf-8", EXPLORER_JS) }))
        .route(
            "/graphiql/explorer.css",
            get(|| async { asset("text/css; charset=utf-8", include_str!("explorer.css")) }),
        )
        .route(
            "/graphql/schema.graphql",
            get(|| async { asset("text/plain; charset=utf-8", include_str!("../../schema.graphql")) }),
        )
}
