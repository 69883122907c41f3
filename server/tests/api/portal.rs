//! The portal's server side over HTTP: cross-site refusals, the shared sign-in throttle, sessions.

use crate::helpers::TestApp;
use serde_json::json;

const PASSWORD: &str = "a strong password";

async fn sign_in(app: &TestApp, client: &reqwest::Client, username: &str, password: &str) -> (u16, String) {
    let response = client
        .post(app.url("/_sf/sign_in"))
        .header("accept", "application/json")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("sign in");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

async fn cross_site_posts_are_refused(app: TestApp) {
    for (header, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let response = app.http.post(app.url("/_sf/sign_out")).header(header, value).send().await.expect("post");
        assert_eq!(response.status(), 403, "{header}: {value}");
        let upload = app.http.post(app.url("/portal/logo")).header(header, value).send().await.expect("post");
        assert_eq!(upload.status(), 403);
    }
    let same_site =
        app.http.post(app.url("/_sf/sign_out")).header("sec-fetch-site", "same-origin").send().await.expect("post");
    assert_ne!(same_site.status(), 403);
}

async fn portal_sign_in_shares_the_rest_throttle_and_keeps_a_session(app: TestApp) {
    let token = app.api_token().await;
    app.registered_owner(&token, "solarius", PASSWORD).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    let (status, _) = sign_in(&app, &browser, "solarius", PASSWORD).await;
    assert!(status < 400, "sign-in failed: {status}");
    let stored: i64 = app.count("web_sessions").await;
    assert_eq!(stored, 1, "the session lives in the database");
    let dashboard = browser.get(app.url("/dashboard")).send().await.expect("dashboard");
    assert_eq!(dashboard.status(), 200);
    assert!(dashboard.text().await.expect("html").contains("Solarius"));

    let wrong = json!({ "username": "solarius", "password": "wrong password" });
    for _ in 0..app::auth::service::ACCOUNT_FAILURE_LIMIT {
        app.post_json("/ocpi/cpo/api/auth/v1/login", &token, &wrong).await;
    }
    let (_, body) = sign_in(&app, &reqwest::Client::new(), "solarius", PASSWORD).await;
    assert!(body.contains("Too many failed sign-ins"), "{body}");
}

both_backends!(cross_site_posts_are_refused, portal_sign_in_shares_the_rest_throttle_and_keeps_a_session);
