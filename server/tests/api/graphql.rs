//! GraphQL over HTTP, on SQLite and PostgreSQL: the contract's queries verbatim, filters and
//! paging, who sees what, mutations and their refusals, batching of nested data, hostile queries.

use crate::helpers::TestApp;
use app::domain::inputs::{NewConnector, NewEvse, NewLocation};
use app::services::locations;
use app::store::{LocationFilter, LocationSort, Viewer};
use serde_json::{json, Value};

/// The contract's "Query EVSEs", exactly as `emsp-api-v2.md` writes it.
const CONTRACT_EVSE_QUERY: &str = include_str!("../../contract/evse.graphql");

/// The contract's "Query Locations", exactly as `emsp-api-v2.md` writes it.
const CONTRACT_LOCATIONS_QUERY: &str = include_str!("../../contract/locations.graphql");

const PASSWORD: &str = "a strong password";

struct World {
    token: String,
    owner_a: i64,
    owner_b: i64,
    access_a: String,
    access_b: String,
    /// Published locations of A: Fisherman's Wharf, Fira Plaza, Amsterdam Centraal.
    published: Vec<i64>,
    /// A's unpublished draft "Fiesta Draft".
    draft: i64,
    /// B's published "Finsbury Yard".
    b_location: i64,
}

fn location(name: &str, city: &str, country: &str, publish: bool) -> NewLocation {
    NewLocation {
        name: name.into(),
        address: "Harbour Road 1".into(),
        address_lat: 37.8,
        address_lng: -122.4,
        city: city.into(),
        region: Some("Region".into()),
        postal_code: Some("94133".into()),
        country_code: country.into(),
        publish,
        facilities: vec!["CAFE".into(), "WIFI".into()],
        parking_restrictions: vec!["EV_ONLY".into()],
        parking_types: vec!["ON_STREET".into()],
        time_zone: None,
    }
}

fn evse(evse_id: &str, status: &str) -> NewEvse {
    NewEvse {
        evse_id: evse_id.into(),
        status: status.into(),
        capabilities: vec!["RFID_READER".into(), "RESERVABLE".into()],
        payment_types: vec!["APP".into()],
    }
}

fn connector(id: &str) -> NewConnector {
    NewConnector {
        connector_id: id.into(),
        standard: "IEC_62196_T2".into(),
        format: "SOCKET".into(),
        power_type: "AC_3_PHASE".into(),
        max_voltage: 230,
        max_amperage: 32,
        max_electric_power: Some(22_080),
        connector_type: Some("AC".into()),
        rate_setting: Some("STANDARD".into()),
        status: "AVAILABLE".into(),
    }
}

async fn world(app: &TestApp) -> World {
    let token = app.api_token().await;
    let owner_a = app.registered_owner(&token, "solarius", PASSWORD).await;
    let owner_b = app.registered_owner(&token, "voltway", PASSWORD).await;
    let access_a = app.login(&token, "solarius", PASSWORD).await["access_token"].as_str().expect("a").to_owned();
    let access_b = app.login(&token, "voltway", PASSWORD).await["access_token"].as_str().expect("b").to_owned();
    let mut published = Vec::new();
    for (i, (name, city, country)) in [
        ("Fisherman's Wharf", "San Francisco", "US"),
        ("Fira Plaza", "Fira", "GR"),
        ("Amsterdam Centraal", "Amsterdam", "NL"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = locations::create_location(&app.store, owner_a, location(name, city, country, true))
            .await
            .expect("location");
        for e in 0..2 {
            let uid = locations::create_evse(
                &app.store,
                owner_a,
                id,
                evse(&format!("US*SOL*E{i}{e}"), "AVAILABLE"),
                Vec::new(),
            )
            .await
            .expect("evse");
            for c in ["1", "2"] {
                locations::create_connector(&app.store, owner_a, &uid, connector(c)).await.expect("connector");
            }
        }
        published.push(id);
    }
    let draft = locations::create_location(&app.store, owner_a, location("Fiesta Draft", "Fira", "GR", false))
        .await
        .expect("draft");
    locations::create_evse(&app.store, owner_a, draft, evse("GR*SOL*DRAFT", "PLANNED"), Vec::new())
        .await
        .expect("draft evse");
    let b_location = locations::create_location(&app.store, owner_b, location("Finsbury Yard", "London", "GB", true))
        .await
        .expect("b");
    locations::create_evse(&app.store, owner_b, b_location, evse("GB*VOL*E1", "CHARGING"), Vec::new())
        .await
        .expect("b evse");
    World { token, owner_a, owner_b, access_a, access_b, published, draft, b_location }
}

async fn gql(app: &TestApp, bearer: &str, query: &str, variables: Value) -> (u16, Value) {
    app.gql(bearer, query, variables).await
}

/// The `data` of a successful response; fails on any GraphQL error.
async fn data(app: &TestApp, bearer: &str, query: &str, variables: Value) -> Value {
    let (status, body) = gql(app, bearer, query, variables).await;
    assert!(status == 200 && body.get("errors").is_none(), "{status} {body}");
    body["data"].clone()
}

/// The first error of a response that must fail, with the data it returned (must be null).
async fn error(app: &TestApp, bearer: &str, query: &str, variables: Value) -> Value {
    let (status, body) = gql(app, bearer, query, variables).await;
    assert!(status == 200 || status == 400, "{status} {body}");
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("sqlx") && !text.contains("select ") && !text.contains("syntax error at"), "{body}");
    body["errors"][0].clone()
}

fn names(list: &Value, path: &[&str]) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|item| path.iter().fold(item, |v, key| &v[*key]).as_str().expect("string").to_owned())
        .collect()
}

async fn the_contract_queries_run_verbatim(app: TestApp) {
    let w = world(&app).await;
    let evses = data(&app, &w.token, CONTRACT_EVSE_QUERY, json!({})).await["evse"].clone();
    let locations = names(&evses, &["locations", "name"]);
    assert_eq!(
        locations,
        ["Fisherman's Wharf", "Fisherman's Wharf", "Fira Plaza", "Fira Plaza", "Finsbury Yard"],
        "DESC by location name, published only"
    );
    let first = &evses[0];
    assert_eq!(first["connectors"].as_array().map(Vec::len), Some(2));
    assert_eq!(names(&first["capabilities"], &["code"]), ["RESERVABLE", "RFID_READER"]);
    assert_eq!(first["locations"]["facilities"][0]["code"], "CAFE");
    assert_eq!(first["locations"]["publish"], true);
    assert!(first["date_created"].as_str().expect("date").ends_with('Z'));

    let locations = data(&app, &w.token, CONTRACT_LOCATIONS_QUERY, json!({})).await["locations"].clone();
    assert_eq!(
        names(&locations, &["name"]),
        ["Fisherman's Wharf", "Fira Plaza", "Amsterdam Centraal", "Finsbury Yard"]
    );
    let wharf = &locations[0];
    assert_eq!(wharf["evses"].as_array().map(Vec::len), Some(2));
    assert_eq!(wharf["evses"][0]["connectors"][1]["connector_id"], "2");
    assert_eq!(wharf["evses"][0]["payment_types"][0]["code"], "APP");
    assert_eq!(wharf["parking_types"][0]["code"], "ON_STREET");
    assert_eq!(wharf["images"], json!([]));
    assert_eq!(w.published[0], wharf["id"].as_i64().expect("id"));
}

async fn filters_ordering_and_paging(app: TestApp) {
    let w = world(&app).await;
    let query = "query($order: String!, $by: String!, $limit: Int, $offset: Int) {
        evse(location_name: \"\", order_by: $by, order: $order, limit: $limit, offset: $offset) { uid evse_id locations { name } } }";
    let all =
        data(&app, &w.token, query, json!({ "order": "asc", "by": "location", "limit": 100 })).await["evse"].clone();
    assert_eq!(all.as_array().map(Vec::len), Some(7));
    let mut paged = Vec::new();
    for offset in (0..8).step_by(2) {
        let page =
            data(&app, &w.token, query, json!({ "order": "ASC", "by": "location", "limit": 2, "offset": offset }))
                .await;
        paged.extend(names(&page["evse"], &["uid"]));
    }
    assert_eq!(paged, names(&all, &["uid"]), "pages overlap or skip");
    let by_id =
        data(&app, &w.token, query, json!({ "order": "Desc", "by": "evse_id", "limit": 3 })).await["evse"].clone();
    assert_eq!(names(&by_id, &["evse_id"]), ["US*SOL*E21", "US*SOL*E20", "US*SOL*E11"]);

    let locations = "query($name: String, $city: String, $country: String, $since: String) {
        locations(name: $name, city: $city, country_code: $country, modified_since: $since) { name } }";
    let found = |vars: Value| {
        let app = &app;
        let token = w.token.clone();
        async move { names(&data(app, &token, locations, vars).await["locations"], &["name"]) }
    };
    assert_eq!(found(json!({ "name": "fi" })).await, ["Fisherman's Wharf", "Fira Plaza", "Finsbury Yard"]);
    assert_eq!(found(json!({ "city": "fira" })).await, ["Fira Plaza"]);
    assert_eq!(found(json!({ "country": "NL" })).await, ["Amsterdam Centraal"]);
    assert_eq!(found(json!({ "since": "2999-01-01T00:00:00Z" })).await, Vec::<String>::new());
    assert_eq!(found(json!({ "name": "100%" })).await, Vec::<String>::new(), "% must be literal");
}

/// The date filter finds rows through the minute of `date_modified` (migration 0015) but compares
/// the time itself: exact at a minute's edge and within a minute. The "recently updated" order
/// is by that minute, then newest location first.
async fn modification_times_are_exact_within_and_across_minutes(app: TestApp) {
    let w = world(&app).await;
    let [wharf, fira, amsterdam] = [w.published[0], w.published[1], w.published[2]];
    // 2027-01-01T00:00:00Z is a minute's first millisecond.
    let minute = 1_798_761_600_000_i64;
    for (id, at) in [(amsterdam, minute - 1), (wharf, minute + 900), (fira, minute + 500), (w.b_location, minute)] {
        app.set_location_modified(id, at).await;
    }
    let since = "query($since: String) { locations(modified_since: $since) { name } }";
    let found = |at: &'static str| {
        let (app, token) = (&app, w.token.clone());
        async move { names(&data(app, &token, since, json!({ "since": at })).await["locations"], &["name"]) }
    };
    assert_eq!(found("2026-12-31T23:59:59.999Z").await.len(), 4);
    assert_eq!(found("2027-01-01T00:00:00Z").await, ["Fisherman's Wharf", "Fira Plaza", "Finsbury Yard"]);
    assert_eq!(found("2027-01-01T00:00:00.001Z").await, ["Fisherman's Wharf", "Fira Plaza"]);
    assert_eq!(found("2027-01-01T00:00:00.501Z").await, ["Fisherman's Wharf"]);
    assert_eq!(found("2027-01-01T00:00:00.901Z").await, Vec::<String>::new());

    let filter = LocationFilter { sort: LocationSort::RecentlyModified, ..LocationFilter::default() };
    let page = app.store.locations_page(Viewer::Public, &filter, 4, 0).await.expect("page");
    assert_eq!(page.iter().map(|l| l.id).collect::<Vec<_>>(), [w.b_location, fira, wharf, amsterdam]);
    let second = app.store.locations_page(Viewer::Public, &filter, 2, 2).await.expect("page");
    assert_eq!(second.iter().map(|l| l.id).collect::<Vec<_>>(), [wharf, amsterdam]);
}

async fn each_caller_sees_only_what_it_may(app: TestApp) {
    let w = world(&app).await;
    let query = "{ locations(limit: 100) { name } evse(limit: 100) { evse_id locations { name } } }";
    let public = data(&app, &w.token, query, json!({})).await;
    assert!(!names(&public["locations"], &["name"]).contains(&"Fiesta Draft".to_owned()));
    assert!(!names(&public["evse"], &["evse_id"]).contains(&"GR*SOL*DRAFT".to_owned()));

    let owner_a = data(&app, &w.access_a, query, json!({})).await;
    assert!(names(&owner_a["locations"], &["name"]).contains(&"Fiesta Draft".to_owned()));
    assert!(names(&owner_a["evse"], &["evse_id"]).contains(&"GR*SOL*DRAFT".to_owned()));
    assert!(names(&owner_a["locations"], &["name"]).contains(&"Finsbury Yard".to_owned()), "others' published data");

    let owner_b = data(&app, &w.access_b, query, json!({})).await;
    assert!(!names(&owner_b["locations"], &["name"]).contains(&"Fiesta Draft".to_owned()));
    assert!(!names(&owner_b["evse"], &["evse_id"]).contains(&"GR*SOL*DRAFT".to_owned()));
    let by_name = data(&app, &w.access_b, "{ evse(location_name: \"Fiesta\") { uid } }", json!({})).await;
    assert_eq!(by_name["evse"], json!([]));

    let anonymous = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ locations { name } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(gql(&app, "emsp_forged", "{ locations { name } }", json!({})).await.0, 401);
    let get = app
        .http
        .get(app.url("/graphql?query=%7Blocations%7Bname%7D%7D"))
        .bearer_auth(&w.token)
        .send()
        .await
        .expect("get");
    assert_eq!(get.status(), 200);
    let _ = (w.owner_b, w.draft);
}

const CREATE_LOCATION: &str = "mutation($input: LocationInput!) { createLocation(input: $input) {
    id name publish time_zone date_modified facilities { code } parking_types { code } } }";

fn location_input(lat: f64, facility: &str) -> Value {
    json!({ "input": { "name": "New Place", "address": "Street 1", "address_lat": lat, "address_lng": 4.9, "city": "Utrecht",
        "country_code": "NL", "publish": true, "facilities": [facility], "parking_types": ["PARKING_LOT"] } })
}

async fn mutations_work_for_owners_and_refuse_everyone_else(app: TestApp) {
    let w = world(&app).await;
    let created =
        data(&app, &w.access_a, CREATE_LOCATION, location_input(52.09, "MALL")).await["createLocation"].clone();
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["facilities"][0]["code"], "MALL");
    assert_eq!(created["time_zone"], "Europe/Amsterdam", "no zone chosen: the zone at the coordinates");

    let mut chosen = location_input(52.09, "MALL");
    chosen["input"]["time_zone"] = json!("Europe/Brussels");
    let kept = data(&app, &w.access_a, CREATE_LOCATION, chosen.clone()).await["createLocation"].clone();
    assert_eq!(kept["time_zone"], "Europe/Brussels", "a chosen zone is kept");
    let locations_before = app.count("locations").await;
    chosen["input"]["time_zone"] = json!("Europe/Atlantis");
    let bad_zone = error(&app, &w.access_a, CREATE_LOCATION, chosen).await;
    assert_eq!(bad_zone["extensions"]["fields"], json!(["time_zone"]), "{bad_zone}");
    assert_eq!(app.count("locations").await, locations_before, "a refused location was stored");

    let bad_lat = error(&app, &w.access_a, CREATE_LOCATION, location_input(123.0, "MALL")).await;
    assert_eq!(bad_lat["extensions"]["fields"], json!(["address_lat"]), "{bad_lat}");
    let bad_code = error(&app, &w.access_a, CREATE_LOCATION, location_input(52.0, "SAUNA")).await;
    assert_eq!(bad_code["extensions"]["fields"], json!(["facilities"]), "{bad_code}");
    let as_client = error(&app, &w.token, CREATE_LOCATION, location_input(52.0, "MALL")).await;
    assert_eq!(as_client["extensions"]["code"], "FORBIDDEN");

    let create_evse = "mutation($loc: Int!, $id: String!) { createEvse(location_id: $loc, input: { evse_id: $id, status: \"AVAILABLE\", capabilities: [\"RFID_READER\"] }) { uid evse_id capabilities { code } } }";
    let evse =
        data(&app, &w.access_a, create_evse, json!({ "loc": id, "id": "NL*SOL*NEW1" })).await["createEvse"].clone();
    let uid = evse["uid"].as_str().expect("uid").to_owned();
    let duplicate = error(&app, &w.access_a, create_evse, json!({ "loc": id, "id": "NL*SOL*NEW1" })).await;
    assert_eq!(duplicate["extensions"]["code"], "CONFLICT");
    let foreign = error(&app, &w.access_b, create_evse, json!({ "loc": id, "id": "NL*VOL*X" })).await;
    assert_eq!(foreign["extensions"]["code"], "FORBIDDEN");

    let before: String = data(&app, &w.access_a, "{ locations(limit: 100) { id date_modified } }", json!({})).await
        ["locations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["id"] == id)
        .map(|l| l["date_modified"].as_str().expect("date").to_owned())
        .expect("created location listed");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let create_connector = "mutation($uid: String!, $input: ConnectorInput!) { createConnector(evse_uid: $uid, input: $input) { id connector_id max_voltage } }";
    let connector_input = |volts: i64| {
        json!({ "uid": uid, "input": { "connector_id": "1", "standard": "IEC_62196_T2_COMBO",
        "format": "CABLE", "power_type": "DC", "max_voltage": volts, "max_amperage": 200, "status": "AVAILABLE" } })
    };
    let connector = data(&app, &w.access_a, create_connector, connector_input(920)).await["createConnector"].clone();
    let bad_volts = error(&app, &w.access_a, create_connector, connector_input(-5)).await;
    assert_eq!(bad_volts["extensions"]["fields"], json!(["max_voltage"]));
    let after = app.store.locations_by_ids(&[id]).await.expect("reload")[0].date_modified;
    assert!(app::clock::rfc3339(after) > before, "connector change did not move the location's date_modified");

    let update_connector =
        "mutation($id: Int!, $input: ConnectorInput!) { updateConnector(id: $id, input: $input) { max_voltage } }";
    let mut update = connector_input(800);
    update["id"] = connector["id"].clone();
    assert_eq!(data(&app, &w.access_a, update_connector, update.clone()).await["updateConnector"]["max_voltage"], 800);
    assert_eq!(error(&app, &w.access_b, update_connector, update).await["extensions"]["code"], "FORBIDDEN");

    let update_location =
        "mutation($id: Int!, $input: LocationInput!) { updateLocation(id: $id, input: $input) { name } }";
    let mut other = location_input(51.5, "HOTEL");
    other["id"] = json!(w.b_location);
    assert_eq!(error(&app, &w.access_a, update_location, other).await["extensions"]["code"], "FORBIDDEN");
    let b_name = app.store.locations_by_ids(&[w.b_location]).await.expect("b")[0].name.clone();
    assert_eq!(b_name, "Finsbury Yard", "another CPO's location changed");

    let delete_b = format!("mutation {{ deleteLocation(id: {}) }}", w.b_location);
    assert_eq!(error(&app, &w.access_a, &delete_b, json!({})).await["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        error(&app, &w.access_a, "mutation { deleteLocation(id: 999999) }", json!({})).await["extensions"]["code"],
        "NOT_FOUND"
    );
    let delete_evse = "mutation($uid: String!) { deleteEvse(uid: $uid) }";
    assert_eq!(data(&app, &w.access_a, delete_evse, json!({ "uid": uid })).await["deleteEvse"], true);
    // The world's 12 connectors remain; the deleted EVSE's connector went with it.
    assert_eq!(app.count("connectors").await, 12, "connectors of the deleted EVSE remain");
    assert_eq!(
        data(&app, &w.access_a, &format!("mutation {{ deleteLocation(id: {id}) }}"), json!({})).await["deleteLocation"],
        true
    );
    assert_eq!(app.store.locations_by_ids(&[w.b_location]).await.expect("b").len(), 1);
    let _ = w.owner_a;
}

async fn photos_can_be_deleted_by_their_owner_only(app: TestApp) {
    let w = world(&app).await;
    let location = w.published[0];
    let form = reqwest::multipart::Form::new().text("location_id", location.to_string()).part(
        "location_photos",
        crate::helpers::fixtures::file_part(crate::helpers::fixtures::png(40, 30), "p.png", "image/png"),
    );
    let upload = app
        .http
        .post(app.url("/2.2/locations/photos/uploads"))
        .bearer_auth(&w.access_a)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 200);
    let query = "{ locations(limit: 100) { id images } }";
    let images = |data: Value| {
        data["locations"]
            .as_array()
            .expect("list")
            .iter()
            .find(|l| l["id"] == location)
            .map(|l| l["images"].clone())
            .expect("listed")
    };
    let listed = images(data(&app, &w.token, query, json!({})).await);
    let url = listed[0].as_str().expect("url").to_owned();
    assert_eq!(app.uploaded_files().len(), 2);

    let delete = "mutation($url: String!) { deleteLocationPhoto(url: $url) }";
    assert_eq!(error(&app, &w.access_b, delete, json!({ "url": url })).await["extensions"]["code"], "FORBIDDEN");
    assert_eq!(app.uploaded_files().len(), 2, "another CPO removed a file");
    assert_eq!(data(&app, &w.access_a, delete, json!({ "url": url })).await["deleteLocationPhoto"], true);
    assert_eq!(images(data(&app, &w.token, query, json!({})).await), json!([]));
    assert!(app.uploaded_files().is_empty(), "photo files left behind");
    assert_eq!(error(&app, &w.access_a, delete, json!({ "url": url })).await["extensions"]["code"], "NOT_FOUND");
}

async fn nested_data_is_loaded_in_batches(app: TestApp) {
    let w = world(&app).await;
    let count = |limit: u32| {
        let app = &app;
        let token = w.token.clone();
        async move {
            let before = app.store.statements_run();
            let query = CONTRACT_LOCATIONS_QUERY.replace("limit: 10", &format!("limit: {limit}"));
            let result = data(app, &token, &query, json!({})).await;
            assert!(!result["locations"].as_array().expect("list").is_empty());
            app.store.statements_run() - before
        }
    };
    let one = count(1).await;
    let hundred = count(100).await;
    assert_eq!(one, hundred, "statements grow with the page size");
    assert!(hundred <= 10, "{hundred} statements for one page");
}

/// Two-letter terms go through the bigram index; a rename moves the location in and out of results.
async fn name_search_follows_the_index_through_renames(app: TestApp) {
    let w = world(&app).await;
    let query = "query($q: String) { locations(name: $q) { name } evse(location_name: $q, order_by: \"location\") { locations { name } } }";
    let found = |term: &'static str| {
        let (app, token) = (&app, w.token.clone());
        async move {
            let result = data(app, &token, query, json!({ "q": term })).await;
            let mut locations = names(&result["locations"], &["name"]);
            locations.sort();
            let mut via_evses = names(&result["evse"], &["locations", "name"]);
            via_evses.dedup();
            (locations, via_evses)
        }
    };
    let published_fi = vec!["Finsbury Yard".to_owned(), "Fira Plaza".to_owned(), "Fisherman's Wharf".to_owned()];
    assert_eq!(found("fI").await.0, published_fi, "unpublished Fiesta Draft stays hidden");
    assert_eq!(found("Fi").await.1, published_fi, "EVSEs ordered by location name");
    assert_eq!(found("a P").await.0, vec!["Fira Plaza".to_owned()], "a space inside the term");
    assert!(found("zq").await.0.is_empty());

    let fira = w.published[1];
    let renamed = location("Harbour Plaza", "Fira", "GR", true);
    locations::update_location(&app.store, w.owner_a, fira, renamed).await.expect("rename");
    assert!(!found("Fi").await.0.contains(&"Fira Plaza".to_owned()));
    assert_eq!(found("bour").await.0, vec!["Harbour Plaza".to_owned()]);
    let stale: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM location_name_grams WHERE location_id = $1 AND gram = 'fi'")
            .bind(fira)
            .fetch_one(app.store.pool())
            .await
            .expect("count");
    assert_eq!(stale, 0, "the old name's bigrams were not removed");
}

/// The benchmark's ceiling serves the very document GraphQL answers, behind the same token check.
async fn the_passthrough_page_equals_the_graphql_page(app: TestApp) {
    let w = world(&app).await;
    for (limit, offset) in [(10, 0), (1, 1), (100, 0)] {
        let query =
            CONTRACT_LOCATIONS_QUERY.replace("limit: 10, offset: 0", &format!("limit: {limit}, offset: {offset}"));
        let expected = json!({ "data": data(&app, &w.token, &query, json!({})).await });
        let path = format!("/bench/locations?limit={limit}&offset={offset}");
        let response = app.http.get(app.url(&path)).bearer_auth(&w.token).send().await.expect("request");
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Value>().await.expect("json"), expected, "limit {limit} offset {offset}");
    }
    assert_eq!(app.get("/bench/locations").await.status(), 401);
    let refused =
        app.http.get(app.url("/bench/locations?limit=1000")).bearer_auth(&w.token).send().await.expect("request");
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<Value>().await.expect("json")["status"], 400);
}

async fn hostile_queries_are_refused_cleanly(app: TestApp) {
    let w = world(&app).await;
    let before = app.count("locations").await;

    let mut deep = String::from("{ locations { evses { locations { evses { locations { name } } } } } }");
    for _ in 0..10 {
        deep = deep.replacen("locations { name }", "locations { evses { locations { name } } }", 1);
    }
    assert!(error(&app, &w.token, &deep, json!({})).await["message"]
        .as_str()
        .expect("m")
        .to_lowercase()
        .contains("too deep"));

    let aliases: String = (0..1000).map(|i| format!("a{i}: locations(limit: 1) {{ name }} ")).collect();
    let many = error(&app, &w.token, &format!("{{ {aliases} }}"), json!({})).await;
    assert!(many["message"].as_str().expect("m").to_lowercase().contains("complex"), "{many}");

    let huge = format!("{{ locations {{ name }} }} # {}", "x".repeat(10 * 1024 * 1024));
    assert_eq!(gql(&app, &w.token, &huge, json!({})).await.0, 413);

    let injected = data(&app, &w.token, "{ evse(location_name: \"' OR 1=1 --\") { uid } }", json!({})).await;
    assert_eq!(injected["evse"], json!([]));
    let order = error(&app, &w.token, "{ evse(order_by: \"name; DROP TABLE locations\") { uid } }", json!({})).await;
    assert!(order["message"].as_str().expect("m").contains("location, evse_id, status, date_created"), "{order}");
    assert_eq!(
        error(&app, &w.token, "{ locations(limit: 1000000) { name } }", json!({})).await["extensions"]["fields"],
        json!(["limit"])
    );
    assert_eq!(
        error(&app, &w.token, "{ locations(limit: -1) { name } }", json!({})).await["extensions"]["fields"],
        json!(["limit"])
    );
    assert_eq!(
        error(&app, &w.token, "{ evse(offset: -1) { uid } }", json!({})).await["extensions"]["fields"],
        json!(["offset"])
    );
    assert!(error(&app, &w.token, "{ evse(order: \"SIDEWAYS\") { uid } }", json!({}))
        .await
        .to_string()
        .contains("order"));

    let batch = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&w.token)
        .json(&json!([{ "query": "{ locations { name } }" }, { "query": "{ locations { name } }" }]))
        .send()
        .await
        .expect("batch");
    assert_eq!(batch.status(), 400);
    let mutation_by_get = app
        .http
        .get(app.url("/graphql?query=mutation%7BdeleteLocation(id%3A1)%7D"))
        .bearer_auth(&w.access_a)
        .send()
        .await
        .expect("get");
    let body: Value = mutation_by_get.json().await.expect("json");
    assert!(body["errors"].is_array(), "{body}");

    assert_eq!(app.count("locations").await, before);
    let _ = w.published;
}

/// Fragments that spread each other twice: a few hundred bytes, a million fields once expanded.
/// Refused by the cheap pass before validation, naming the reason.
async fn fragment_bombs_are_refused_before_validation(app: TestApp) {
    let w = world(&app).await;
    let mut bomb = String::from("{ locations { ...F0 } }\n");
    for i in 0..20 {
        bomb.push_str(&format!("fragment F{i} on Location {{ ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    bomb.push_str("fragment F20 on Location { name }\n");
    assert!(bomb.len() < 1_000);
    let (status, body) = gql(&app, &w.token, &bomb, json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"][0]["message"].as_str().expect("message").contains("too complex"), "{body}");
    let cycle = "{ locations { ...A } } fragment A on Location { ...B } fragment B on Location { ...A }";
    assert_eq!(gql(&app, &w.token, cycle, json!({})).await.0, 400);
}

/// Every string argument has a documented maximum; beyond it the error names the argument.
async fn string_arguments_are_bounded(app: TestApp) {
    let w = world(&app).await;
    let long = "x".repeat(201);
    for (query, field) in [
        (format!("{{ locations(name: \"{long}\") {{ id }} }}"), "name"),
        (format!("{{ locations(city: \"{long}\") {{ id }} }}"), "city"),
        ("{ locations(country_code: \"ABCD\") { id } }".to_owned(), "country_code"),
        (format!("{{ locations(modified_since: \"{long}\") {{ id }} }}"), "modified_since"),
        (format!("{{ evse(location_name: \"{long}\") {{ uid }} }}"), "location_name"),
        (format!("{{ evse(order_by: \"{long}\") {{ uid }} }}"), "order_by"),
    ] {
        let refused = error(&app, &w.token, &query, json!({})).await;
        assert_eq!(refused["extensions"]["fields"], json!([field]), "{refused}");
    }
    let mut too_many = location_input(52.0, "MALL");
    too_many["input"]["facilities"] = json!(vec!["MALL"; 21]);
    let refused = error(&app, &w.access_a, CREATE_LOCATION, too_many).await;
    assert_eq!(refused["extensions"]["fields"], json!(["facilities"]), "{refused}");
    let url = format!("/uploads/photos/{}", "x".repeat(400));
    let delete = "mutation($url: String!) { deleteLocationPhoto(url: $url) }";
    let refused = error(&app, &w.access_a, delete, json!({ "url": url })).await;
    assert_eq!(refused["extensions"]["fields"], json!(["url"]), "{refused}");
}

async fn the_explorer_works_offline(app: TestApp) {
    let page = app.get("/graphiql").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("http"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(!html.contains("https://"), "explorer loads something from the internet");
    assert_eq!(app.get("/graphiql/explorer.js").await.status(), 200);
}

both_backends!(
    fragment_bombs_are_refused_before_validation,
    string_arguments_are_bounded,
    the_contract_queries_run_verbatim,
    filters_ordering_and_paging,
    modification_times_are_exact_within_and_across_minutes,
    each_caller_sees_only_what_it_may,
    mutations_work_for_owners_and_refuse_everyone_else,
    photos_can_be_deleted_by_their_owner_only,
    nested_data_is_loaded_in_batches,
    name_search_follows_the_index_through_renames,
    the_passthrough_page_equals_the_graphql_page,
    hostile_queries_are_refused_cleanly,
    the_explorer_works_offline,
);

#[test]
fn the_committed_schema_is_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let served = emsp::graphql::sdl();
    if std::env::var("EMSP_UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &served).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).expect("read server/schema.graphql");
    assert_eq!(
        committed, served,
        "server/schema.graphql is stale: run `EMSP_UPDATE_SCHEMA=1 cargo test -p emsp --test graphql`"
    );
}
