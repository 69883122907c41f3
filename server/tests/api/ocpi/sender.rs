//! The Locations Sender interface: which locations, paging, filters, headers and objects, and
//! the 2.2.1 validity of everything we emit.
use super::{call_with, get, ocpi_config, registered_peer};
use crate::helpers::fixtures::{connector, location, png, registration};
use crate::helpers::TestApp;
use app::domain::inputs::NewEvse;
use app::services::{locations, media};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;

/// A CPO owner called `username`, with the party `party` when given.
async fn owner(app: &TestApp, username: &str, party: Option<(&str, &str)>) -> i64 {
    let token = app.api_token().await;
    let response = app.post_json("/ocpi/cpo/2.2/register", &token, &registration(username)).await;
    assert_eq!(response.status(), 200);
    let id = app.store.user_by_username(username).await.expect("user").and_then(|u| u.cpo_owner_id).expect("owner");
    if let Some(party) = party {
        app.store.set_party(id, Some(party)).await.expect("party");
    }
    id
}

/// A published location `name` with one EVSE and one connector; returns (id, EVSE uid).
async fn site(app: &TestApp, owner: i64, name: &str, publish: bool) -> (i64, String) {
    let mut new = location(name);
    new.publish = publish;
    let id = locations::create_location(&app.store, owner, new).await.expect("location");
    let evse = NewEvse { evse_id: format!("GR*SOL*E{id}"), status: "AVAILABLE".into(), ..Default::default() };
    let uid = locations::create_evse(&app.store, owner, id, evse, vec![connector()]).await.expect("evse");
    (id, uid)
}

fn ids(answer: &super::Answer) -> Vec<String> {
    answer.body["data"].as_array().expect("a list").iter().map(|l| l["id"].as_str().expect("id").to_owned()).collect()
}

/// `<url>; rel="next"` → url
fn next_link(answer: &super::Answer) -> Option<String> {
    let link = answer.header("link")?;
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    Some(link.trim_start_matches('<').split('>').next().expect("url").to_owned())
}

async fn only_published_locations_of_parties_are_listed(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let with_party = owner(&app, "alpha", Some(("gr", "abc"))).await;
    let without = owner(&app, "beta", None).await;
    let (shown, uid) = site(&app, with_party, "Shown", true).await;
    site(&app, with_party, "Draft", false).await;
    site(&app, without, "No party", true).await;
    let uploads = app::uploads::UploadDir::new(&app.data_dir);
    media::add_location_photos(&app.store, &uploads, with_party, shown, vec![png(64, 48)]).await.expect("photo");
    media::replace_logo(&app.store, &uploads, with_party, png(32, 16)).await.expect("logo");
    let answer = get(&app, "/ocpi/2.2.1/cpo/locations", &token).await;
    assert_eq!((answer.status, answer.code()), (200, 1000));
    assert_eq!(ids(&answer), [shown.to_string()]);
    assert_eq!(answer.header("x-total-count"), Some("1"));
    assert_eq!(answer.header("x-limit"), Some("100"));
    assert_eq!(answer.header("link"), None, "one page only");
    let location = &answer.body["data"][0];
    assert_eq!((location["country_code"].as_str(), location["party_id"].as_str()), (Some("GR"), Some("ABC")));
    assert_eq!(location["country"], "GRC");
    assert_eq!(location["time_zone"], "Europe/Athens");
    assert_eq!(location["coordinates"]["latitude"], "36.410000");
    assert_eq!(location["evses"][0]["uid"], uid.as_str());
    assert_eq!(location["evses"][0]["connectors"][0]["id"], "1");
    assert!(location["evses"][0]["connectors"][0].get("status").is_none(), "no connector status in 2.2.1");
    assert_eq!(location["operator"]["name"], "Solarius");
    let photo = &location["images"][0];
    assert_eq!((photo["category"].as_str(), photo["type"].as_str()), (Some("LOCATION"), Some("png")));
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(64), Some(48)));
    let logo = &location["operator"]["logo"];
    assert_eq!(
        (logo["category"].as_str(), logo["width"].as_u64(), logo["height"].as_u64()),
        (Some("OPERATOR"), Some(32), Some(16))
    );
    assert!(reqwest::get(photo["url"].as_str().expect("url")).await.expect("photo").status().is_success());
    assert!(emsp::ocpi::location_problems(location).is_empty(), "{:?}", emsp::ocpi::location_problems(location));
    // Objects: the object itself, not a list; unknown or unpublished → 404 with 2003.
    let object = get(&app, &format!("/ocpi/2.2.1/cpo/locations/{shown}"), &token).await;
    assert_eq!(object.body["data"]["id"], shown.to_string());
    let evse = get(&app, &format!("/ocpi/2.2.1/cpo/locations/{shown}/{uid}"), &token).await;
    assert_eq!(evse.body["data"]["uid"], uid.as_str());
    let connector = get(&app, &format!("/ocpi/2.2.1/cpo/locations/{shown}/{uid}/1"), &token).await;
    assert_eq!(connector.body["data"]["standard"], "IEC_62196_T2");
    for path in [
        "/ocpi/2.2.1/cpo/locations/999999".to_owned(),
        "/ocpi/2.2.1/cpo/locations/not-a-number".to_owned(),
        format!("/ocpi/2.2.1/cpo/locations/{shown}/nope"),
        format!("/ocpi/2.2.1/cpo/locations/{shown}/{uid}/9"),
        format!("/ocpi/2.2.1/cpo/locations/{}", shown + 1),
    ] {
        let answer = get(&app, &path, &token).await;
        assert_eq!((answer.status, answer.code()), (404, 2003), "{path}");
    }
}

async fn pages_follow_the_link_in_creation_order(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let owner = owner(&app, "alpha", Some(("GR", "ABC"))).await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(site(&app, owner, &format!("Site {i}"), true).await.0);
    }
    // Newest changes first in time, so an order by last_updated would differ from creation order.
    for (i, id) in created.iter().enumerate() {
        app.set_location_modified(*id, 1_800_000_000_000 - i64::try_from(i).expect("small") * 1000).await;
    }
    let mut seen = Vec::new();
    let mut url = app.url("/ocpi/2.2.1/cpo/locations?limit=3&date_from=2020-01-01T00:00:00Z");
    let mut pages = 0;
    loop {
        let answer = get(&app, &url, &token).await;
        assert_eq!(answer.header("x-total-count"), Some("7"));
        assert_eq!(answer.header("x-limit"), Some("100"));
        seen.extend(ids(&answer));
        pages += 1;
        // A change during the crawl does not shift the next pages.
        if pages == 1 {
            app.set_location_modified(created[0], 1_900_000_000_000).await;
        }
        match next_link(&answer) {
            Some(next) => {
                assert!(next.starts_with(&app.url("/ocpi/2.2.1/cpo/locations?")), "absolute: {next}");
                assert!(next.contains("date_from=2020-01-01T00%3A00%3A00Z"), "filters kept: {next}");
                assert!(next.contains("limit=3"));
                url = next;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = created.iter().map(ToString::to_string).collect();
    assert_eq!(seen, expected);
    // A plain offset works as well; a limit above ours is capped.
    let offset = get(&app, "/ocpi/2.2.1/cpo/locations?offset=5&limit=3", &token).await;
    assert_eq!(ids(&offset), expected[5..].to_vec());
    assert_eq!(offset.header("link"), None);
    let capped = get(&app, "/ocpi/2.2.1/cpo/locations?limit=2000", &token).await;
    assert_eq!(ids(&capped).len(), 7);
    assert_eq!(capped.header("x-limit"), Some("100"));
    let bad = get(&app, "/ocpi/2.2.1/cpo/locations?limit=-1", &token).await;
    assert_eq!(bad.code(), 2001);
}

async fn date_from_is_inclusive_and_date_to_exclusive(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let owner = owner(&app, "alpha", Some(("GR", "ABC"))).await;
    let (before, _) = site(&app, owner, "Before", true).await;
    let (early, _) = site(&app, owner, "Early", true).await;
    let (late, _) = site(&app, owner, "Late", true).await;
    // The last millisecond of 2026 (another minute: the index bound, see migration 0015),
    // 2027-01-01T00:00:00Z and one second later.
    app.set_location_modified(before, 1_798_761_599_999).await;
    app.set_location_modified(early, 1_798_761_600_000).await;
    app.set_location_modified(late, 1_798_761_601_000).await;
    let from = get(&app, "/ocpi/2.2.1/cpo/locations?date_from=2027-01-01T00:00:00Z", &token).await;
    assert_eq!(ids(&from), [early.to_string(), late.to_string()]);
    let to = get(&app, "/ocpi/2.2.1/cpo/locations?date_to=2027-01-01T00:00:01Z", &token).await;
    assert_eq!(ids(&to), [before.to_string(), early.to_string()]);
    assert_eq!(to.header("x-total-count"), Some("2"));
    let to = get(&app, "/ocpi/2.2.1/cpo/locations?date_to=2027-01-01T00:00:00Z", &token).await;
    assert_eq!(ids(&to), [before.to_string()]);
    // Without a zone designator (UTC) and with fractions.
    let bare = get(&app, "/ocpi/2.2.1/cpo/locations?date_from=2027-01-01T00:00:00.5", &token).await;
    assert_eq!(ids(&bare), [late.to_string()]);
    let bad = get(&app, "/ocpi/2.2.1/cpo/locations?date_from=yesterday", &token).await;
    assert_eq!(bad.code(), 2001);
}

async fn requests_addressed_to_one_party_see_only_its_locations(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let a = owner(&app, "alpha", Some(("GR", "AAA"))).await;
    let b = owner(&app, "beta", Some(("GR", "BBB"))).await;
    let (of_a, _) = site(&app, a, "A", true).await;
    let (of_b, _) = site(&app, b, "B", true).await;
    let authorization = Some(format!("Token {}", STANDARD.encode(&token)));
    let to_b = [
        ("OCPI-to-country-code", "GR"),
        ("OCPI-to-party-id", "bbb"),
        ("OCPI-from-country-code", "DE"),
        ("OCPI-from-party-id", "PEE"),
    ];
    let answer = call_with(&app, Method::GET, "/ocpi/2.2.1/cpo/locations", authorization.clone(), None, &to_b).await;
    assert_eq!(ids(&answer), [of_b.to_string()]);
    assert_eq!(answer.header("ocpi-from-party-id"), Some("BBB"));
    assert_eq!(answer.header("ocpi-to-party-id"), Some("PEE"));
    let path = format!("/ocpi/2.2.1/cpo/locations/{of_a}");
    let hidden = call_with(&app, Method::GET, &path, authorization.clone(), None, &to_b).await;
    assert_eq!(hidden.status, 404);
    let all = get(&app, "/ocpi/2.2.1/cpo/locations", &token).await;
    assert_eq!(ids(&all), [of_a.to_string(), of_b.to_string()]);
    let unknown = [("OCPI-to-country-code", "FR"), ("OCPI-to-party-id", "ZZZ")];
    let answer = call_with(&app, Method::GET, "/ocpi/2.2.1/cpo/locations", authorization, None, &unknown).await;
    assert_eq!(answer.code(), 2001);
}

async fn the_demo_set_is_valid_ocpi(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    app::services::demo::load(&app.store).await.expect("demo data");
    let owners: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM cpo_owners ORDER BY id").fetch_all(app.store.pool()).await.expect("owners");
    for (i, id) in owners.iter().enumerate() {
        app.store.set_party(*id, Some(("NL", &format!("D{i:02}")))).await.expect("party");
    }
    let mut url = app.url("/ocpi/2.2.1/cpo/locations?limit=10");
    let mut checked = 0i64;
    loop {
        let answer = get(&app, &url, &token).await;
        for location in answer.body["data"].as_array().expect("list") {
            let problems = emsp::ocpi::location_problems(location);
            assert!(problems.is_empty(), "location {}: {problems:?}", location["id"]);
            checked += 1;
        }
        match next_link(&answer) {
            Some(next) => url = next,
            None => break,
        }
    }
    let published: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM locations WHERE publish = 1")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert!(published > 30, "the demo set publishes most of its locations");
    assert_eq!(checked, published, "every published demo location was listed once");
}

both_backends_with!(
    super::ocpi_config,
    only_published_locations_of_parties_are_listed,
    pages_follow_the_link_in_creation_order,
    date_from_is_inclusive_and_date_to_exclusive,
    requests_addressed_to_one_party_see_only_its_locations,
    the_demo_set_is_valid_ocpi,
);
