//! The contract's REST endpoints over HTTP, on SQLite and PostgreSQL: the happy path and what a
//! hostile client tries, each answered in the envelope with nothing changed.

use crate::helpers::fixtures::{file_part, png, png_claiming, registration};
use crate::helpers::TestApp;
use reqwest::multipart::Form;
use serde_json::{json, Value};

const REGISTER: &str = "/ocpi/cpo/2.2/register";
const LOGIN: &str = "/ocpi/cpo/api/auth/v1/login";
const REFRESH: &str = "/ocpi/cpo/api/auth/v1/refresh";
const LOGOUT: &str = "/ocpi/cpo/api/auth/v1/logout";
const LOGO: &str = "/ocpi/cpo/2.2/cpo/upload";
const PHOTOS: &str = "/2.2/locations/photos/uploads";
const PASSWORD: &str = "a strong password";

async fn location_of(app: &TestApp, owner_id: i64) -> i64 {
    let location = crate::helpers::fixtures::location("Fira Plaza");
    app::services::locations::create_location(&app.store, owner_id, location).await.expect("location")
}

/// Status and parsed envelope; fails unless the body is the contract's envelope with that status.
async fn envelope(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON envelope");
    assert_eq!(body["status"], status, "{body}");
    assert!(body.get("data").is_some() && body["message"].is_string(), "{body}");
    (status, body)
}

async fn photos(app: &TestApp, access: &str, location_id: &str, count: usize) -> reqwest::Response {
    let mut form = Form::new().text("location_id", location_id.to_owned());
    for i in 0..count {
        form = form.part("location_photos", file_part(png(64 + i as u32, 48), &format!("photo{i}.png"), "image/png"));
    }
    app.http.post(app.url(PHOTOS)).bearer_auth(access).multipart(form).send().await.expect("upload")
}

async fn the_whole_journey_works_as_documented(app: TestApp) {
    let token = app.api_token().await;
    let response = app.post_json(REGISTER, &token, &registration("solarius")).await;
    let (_, body) = envelope(response).await;
    assert_eq!(body, json!({ "status": 200, "data": "SUCCESS", "message": "Success" }));

    let invitation = app.invitation_from_outbox();
    app::services::registration::accept_invitation(&app.store, &invitation, PASSWORD).await.expect("set password");
    assert!(
        app::services::registration::accept_invitation(&app.store, &invitation, PASSWORD).await.is_err(),
        "invitation reusable"
    );

    let response = app.post_json(LOGIN, &token, &json!({ "username": "solarius", "password": PASSWORD })).await;
    let (_, body) = envelope(response).await;
    assert_eq!(body["message"], "SUCCESS");
    let data = &body["data"];
    assert_eq!(data["role"], "CPO_OWNER");
    let (access_exp, refresh_exp) =
        (data["access_expires_in"].as_i64().expect("exp"), data["refresh_expires_in"].as_i64().expect("exp"));
    assert_eq!(refresh_exp - access_exp, 30 * 24 * 3600 - 15 * 60);
    let access = data["access_token"].as_str().expect("access").to_owned();
    let refresh = data["refresh_token"].as_str().expect("refresh").to_owned();

    let logo = Form::new().part("cpo_logo", file_part(png(200, 100), "logo.png", "image/png"));
    let (status, body) =
        envelope(app.http.post(app.url(LOGO)).bearer_auth(&access).multipart(logo).send().await.expect("logo")).await;
    assert_eq!((status, body["message"].as_str()), (200, Some("Success")));
    let logo_url = body["data"][0].as_str().expect("logo url").to_owned();
    let served = app.get(&logo_url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert!(served.headers()["cache-control"].to_str().expect("cc").contains("immutable"));

    let owner =
        app.store.user_by_username("solarius").await.expect("user").and_then(|u| u.cpo_owner_id).expect("owner");
    let location = location_of(&app, owner).await;
    let (status, body) = envelope(photos(&app, &access, &location.to_string(), 2).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.store.photo_count(location).await.expect("count"), 2);
    // Two photos and one logo, each with its thumbnail.
    assert_eq!(app.uploaded_files().len(), 6);

    let (status, body) = envelope(app.post_bearer(REFRESH, &refresh).await).await;
    assert_eq!((status, body["message"].as_str()), (200, Some("SUCCESS")));
    let rotated = body["data"]["refresh_token"].as_str().expect("rotated").to_owned();
    assert_ne!(rotated, refresh);

    // Reusing the retired refresh token is theft: 403, and the whole family dies with it.
    assert_eq!(envelope(app.post_bearer(REFRESH, &refresh).await).await.0, 403);
    assert_eq!(envelope(app.post_bearer(REFRESH, &rotated).await).await.0, 401);
    assert_eq!(envelope(app.post_bearer(LOGOUT, &access).await).await.0, 401);

    let fresh = app.login(&token, "solarius", PASSWORD).await;
    let access = fresh["access_token"].as_str().expect("access");
    let (status, body) = envelope(app.post_bearer(LOGOUT, access).await).await;
    assert_eq!(body, json!({ "status": 200, "data": [], "message": "Logged out successfully" }), "{status}");
    assert_eq!(envelope(app.post_bearer(LOGOUT, access).await).await.0, 401);
    assert_eq!(envelope(app.post_bearer(REFRESH, fresh["refresh_token"].as_str().expect("r")).await).await.0, 401);
}

async fn tokens_are_never_interchangeable(app: TestApp) {
    let token = app.api_token().await;
    app.registered_owner(&token, "solarius", PASSWORD).await;
    let pair = app.login(&token, "solarius", PASSWORD).await;
    let (access, refresh) = (pair["access_token"].as_str().expect("a"), pair["refresh_token"].as_str().expect("r"));
    let login_body = json!({ "username": "solarius", "password": PASSWORD });

    let no_token = app.http.post(app.url(LOGIN)).json(&login_body).send().await.expect("request");
    assert_eq!(envelope(no_token).await.0, 401);
    assert_eq!(envelope(app.post_json(LOGIN, "emsp_unknown", &login_body).await).await.0, 401);
    assert_eq!(
        envelope(app.post_json(LOGIN, access, &login_body).await).await.0,
        401,
        "access token accepted as TOKEN"
    );
    let revoked = app.api_token().await;
    sqlx::query("UPDATE api_tokens SET revoked_at = 1 WHERE token_hash = $1")
        .bind(app::secret::digest(&revoked))
        .execute(app.store.pool())
        .await
        .expect("revoke");
    assert_eq!(envelope(app.post_json(REGISTER, &revoked, &registration("other")).await).await.0, 401);

    assert_eq!(envelope(app.post_bearer(REFRESH, access).await).await.0, 401, "access token refreshed");
    assert_eq!(envelope(app.post_bearer(LOGOUT, refresh).await).await.0, 401, "refresh token used as access");
    assert_eq!(envelope(app.post_bearer(LOGOUT, &token).await).await.0, 401, "TOKEN used as access");

    // Forged JWTs: no algorithm, another algorithm, tampered payload, wrong audience, expired.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let parts: Vec<&str> = access.split('.').collect();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("claims");
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let secret = b"test-secret-test-secret-test-secret!";
    let sign = |alg, claims: &Value| {
        jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), claims, &jsonwebtoken::EncodingKey::from_secret(secret))
            .expect("sign")
    };
    let hs512 = sign(jsonwebtoken::Algorithm::HS512, &payload);
    let mut admin = payload.clone();
    admin["role"] = json!("ADMIN");
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(admin.to_string()), parts[2]);
    let mut wrong_aud = payload.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut expired = payload.clone();
    expired["exp"] = json!(payload["iat"].as_i64().expect("iat") - 1);
    for (what, forged) in [
        ("alg none", none),
        ("HS512", hs512),
        ("tampered", tampered),
        ("wrong aud", sign(jsonwebtoken::Algorithm::HS256, &wrong_aud)),
        ("expired", sign(jsonwebtoken::Algorithm::HS256, &expired)),
    ] {
        assert_eq!(envelope(app.post_bearer(LOGOUT, &forged).await).await.0, 401, "{what} accepted");
    }
    // The genuine token still works after all that.
    assert_eq!(envelope(app.post_bearer(LOGOUT, access).await).await.0, 200);
}

async fn bad_registrations_change_nothing(app: TestApp) {
    let token = app.api_token().await;
    let send = |body: Value| app.post_json(REGISTER, &token, &body);
    let mut missing = registration("solarius");
    missing.as_object_mut().expect("object").remove("contact_email");
    let (status, body) = envelope(send(missing).await).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().expect("msg").contains("contact_email"), "{body}");

    let mut bad_email = registration("solarius");
    bad_email["contact_email"] = json!("not-an-email");
    let (status, body) = envelope(send(bad_email).await).await;
    assert_eq!((status, body["data"][0]["field"].as_str()), (400, Some("contact_email")));

    let (status, body) = envelope(send(registration(&"a".repeat(10_000))).await).await;
    assert_eq!((status, body["data"][0]["field"].as_str()), (400, Some("username")));

    let mut escalate = registration("solarius");
    escalate["role"] = json!("ADMIN");
    let (status, body) = envelope(send(escalate).await).await;
    assert!(status == 400 && body["message"].as_str().expect("msg").contains("role"), "{body}");

    let mut wrong_type = registration("solarius");
    wrong_type["ocpp_ready"] = json!("yes");
    assert_eq!(envelope(send(wrong_type).await).await.0, 400);

    let raw = |content_type: &'static str, body: String| {
        app.http.post(app.url(REGISTER)).bearer_auth(&token).header("content-type", content_type).body(body).send()
    };
    assert_eq!(envelope(raw("application/json", "{\"username\": ".into()).await.expect("send")).await.0, 400);
    assert_eq!(envelope(raw("text/plain", registration("solarius").to_string()).await.expect("send")).await.0, 415);
    let huge = json!({ "username": "x".repeat(3 * 1024 * 1024) }).to_string();
    assert_eq!(envelope(raw("application/json", huge).await.expect("send")).await.0, 413);

    assert_eq!(app.count("cpo_owners").await, 0);
    assert_eq!(app.count("users").await, 0);
    assert!(
        !app.data_dir.join("outbox").exists()
            || std::fs::read_dir(app.data_dir.join("outbox")).expect("outbox").next().is_none()
    );

    assert_eq!(envelope(send(registration("solarius")).await).await.0, 200);
    let mut same_name = registration("solarius");
    same_name["contact_email"] = json!("other@example.com");
    let (status, body) = envelope(send(same_name).await).await;
    assert!(status == 409 && body["message"].as_str().expect("msg").contains("username"), "{body}");
    let mut same_email = registration("another");
    same_email["contact_email"] = json!("solarius@example.com");
    let (status, body) = envelope(send(same_email).await).await;
    assert!(status == 409 && body["message"].as_str().expect("msg").contains("contact_email"), "{body}");
    assert_eq!(app.count("cpo_owners").await, 1);

    // Two registrations of one username racing: exactly one wins.
    let racers = (0..2).map(|i| {
        let mut body = registration("racer");
        body["contact_email"] = json!(format!("racer{i}@example.com"));
        app.post_json(REGISTER, &token, &body)
    });
    let mut statuses: Vec<u16> = futures::future::join_all(racers).await.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(app.count("cpo_owners").await, 2);
}

async fn hostile_uploads_store_nothing(app: TestApp) {
    let token = app.api_token().await;
    let owner = app.registered_owner(&token, "solarius", PASSWORD).await;
    let other = app.registered_owner(&token, "voltway", PASSWORD).await;
    let access = app.login(&token, "solarius", PASSWORD).await["access_token"].as_str().expect("a").to_owned();
    let mine = location_of(&app, owner).await;
    let theirs = location_of(&app, other).await;
    let mine_id = mine.to_string();

    assert_eq!(envelope(photos(&app, &access, &mine_id, 6).await).await.0, 400, "six photos accepted");
    assert_eq!(envelope(photos(&app, &access, &theirs.to_string(), 1).await).await.0, 403);
    assert_eq!(envelope(photos(&app, &access, "999999", 1).await).await.0, 404);
    assert_eq!(envelope(photos(&app, &access, "not-a-number", 1).await).await.0, 400);

    let upload_one = |bytes: Vec<u8>, name: &'static str, mime: &'static str| {
        let form =
            Form::new().text("location_id", mine_id.clone()).part("location_photos", file_part(bytes, name, mime));
        app.http.post(app.url(PHOTOS)).bearer_auth(&access).multipart(form).send()
    };
    let text = upload_one(b"hello, I am text".to_vec(), "notes.png", "image/png").await.expect("send");
    assert_eq!(envelope(text).await.0, 415);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"#.to_vec();
    assert_eq!(envelope(upload_one(svg, "cute.png", "image/png").await.expect("send")).await.0, 415);
    let started = std::time::Instant::now();
    let (status, body) =
        envelope(upload_one(png_claiming(100_000), "bomb.png", "image/png").await.expect("send")).await;
    assert_eq!(status, 400, "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "decompression bomb took {:?}", started.elapsed());
    let too_big = upload_one(vec![0x89; 5 * 1024 * 1024 + 1], "big.png", "image/png").await.expect("send");
    assert_eq!(envelope(too_big).await.0, 413);

    assert_eq!(app.count("location_photos").await, 0);
    assert!(app.uploaded_files().is_empty(), "{:?}", app.uploaded_files());

    // A traversal file name is irrelevant: the server names files itself.
    let (status, body) = envelope(upload_one(png(10, 10), "../../etc/passwd", "image/png").await.expect("send")).await;
    assert_eq!(status, 200, "{body}");
    let url = body["data"][0].as_str().expect("url");
    assert!(url.starts_with("/uploads/photos/") && !url.contains("passwd") && !url.contains(".."), "{url}");

    assert_eq!(envelope(photos(&app, &access, &mine_id, 4).await).await.0, 200);
    let files_before = app.uploaded_files().len();
    let (status, body) = envelope(photos(&app, &access, &mine_id, 1).await).await;
    assert!(status == 400 && body["message"].as_str().expect("m").contains("at most 5"), "{body}");
    assert_eq!(app.store.photo_count(mine).await.expect("count"), 5);
    assert_eq!(app.uploaded_files().len(), files_before);

    // Logo: not an image, or no file at all.
    let form = Form::new().part("cpo_logo", file_part(b"GIF89a....".to_vec(), "logo.gif", "image/gif"));
    assert_eq!(
        envelope(app.http.post(app.url(LOGO)).bearer_auth(&access).multipart(form).send().await.expect("send")).await.0,
        415
    );
    let form = Form::new().text("something", "else");
    assert_eq!(
        envelope(app.http.post(app.url(LOGO)).bearer_auth(&access).multipart(form).send().await.expect("send")).await.0,
        400
    );
    let not_multipart = app.http.post(app.url(LOGO)).bearer_auth(&access).json(&json!({})).send().await.expect("send");
    assert_eq!(envelope(not_multipart).await.0, 415);
    assert_eq!(app.store.logo_of(owner).await.expect("logo"), None);
}

async fn a_client_that_disconnects_mid_upload_leaves_nothing(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    let token = app.api_token().await;
    let owner = app.registered_owner(&token, "solarius", PASSWORD).await;
    let access = app.login(&token, "solarius", PASSWORD).await["access_token"].as_str().expect("a").to_owned();
    let location = location_of(&app, owner).await;

    let boundary = "XyZboundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"location_id\"\r\n\r\n{location}\r\n")
            .into_bytes();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"location_photos\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(&png(50, 50)[..40]);
    let head = format!(
        "POST {PHOTOS} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {access}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len() + 100_000
    );
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&body).await.expect("partial body");
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.count("location_photos").await, 0);
    assert!(app.uploaded_files().is_empty());
}

async fn failed_sign_ins_are_throttled_but_the_owner_gets_back_in(app: TestApp) {
    let token = app.api_token().await;
    app.registered_owner(&token, "solarius", PASSWORD).await;
    let wrong = json!({ "username": "solarius", "password": "wrong password" });
    let unknown = json!({ "username": "nobody", "password": "wrong password" });
    let (status_wrong, body_wrong) = envelope(app.post_json(LOGIN, &token, &wrong).await).await;
    let (status_unknown, body_unknown) = envelope(app.post_json(LOGIN, &token, &unknown).await).await;
    assert_eq!((status_wrong, &body_wrong), (status_unknown, &body_unknown), "unknown user distinguishable");
    assert_eq!(status_wrong, 401);

    let mut first_throttled = None;
    for attempt in 2..=200 {
        let response = app.post_json(LOGIN, &token, &wrong).await;
        if response.status() == 429 {
            let retry: u64 = response.headers()["retry-after"].to_str().expect("header").parse().expect("seconds");
            assert!(retry > 0 && retry <= 900, "Retry-After {retry}");
            first_throttled.get_or_insert(attempt);
        } else {
            assert!(first_throttled.is_none(), "attempt {attempt} not throttled after throttling began");
        }
    }
    assert_eq!(first_throttled, Some(app::auth::service::ACCOUNT_FAILURE_LIMIT + 1));
    // Even the right password waits while the account is throttled...
    let right = json!({ "username": "solarius", "password": PASSWORD });
    assert_eq!(app.post_json(LOGIN, &token, &right).await.status(), 429);
    // ...and works once the window has passed.
    sqlx::query("UPDATE login_failures SET at = at - $1")
        .bind(app::auth::service::WINDOW_MS)
        .execute(app.store.pool())
        .await
        .expect("age");
    assert_eq!(app.post_json(LOGIN, &token, &right).await.status(), 200);
}

async fn parallel_refreshes_with_one_token_succeed_once(app: TestApp) {
    let token = app.api_token().await;
    app.registered_owner(&token, "solarius", PASSWORD).await;
    let refresh = app.login(&token, "solarius", PASSWORD).await["refresh_token"].as_str().expect("r").to_owned();
    let attempts = (0..4).map(|_| app.post_bearer(REFRESH, &refresh));
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    // The first loser is reuse (403, family revoked); later ones find the family already dead (401).
    assert!(statuses.contains(&403) && statuses.iter().all(|s| [200, 401, 403].contains(s)), "{statuses:?}");
}

async fn the_openapi_document_matches_the_router(app: TestApp) {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 6);
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            assert_eq!(method, "post");
            let response = app.http.post(app.url(path)).send().await.expect("request");
            let (status, _) = envelope(response).await;
            assert!(
                operations["post"]["responses"].get(status.to_string()).is_some(),
                "{path} answered {status}, undocumented"
            );
        }
    }
}

both_backends!(
    the_whole_journey_works_as_documented,
    tokens_are_never_interchangeable,
    bad_registrations_change_nothing,
    hostile_uploads_store_nothing,
    a_client_that_disconnects_mid_upload_leaves_nothing,
    failed_sign_ins_are_throttled_but_the_owner_gets_back_in,
    parallel_refreshes_with_one_token_succeed_once,
    the_openapi_document_matches_the_router,
);
