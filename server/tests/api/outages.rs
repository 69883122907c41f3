//! When the database fails, every authentication path says "unavailable" (503), never
//! "unauthorized" (401): a client must not throw away good credentials because of our outage.
use crate::helpers::TestApp;
use serde_json::{json, Value};

const PASSWORD: &str = "a strong password";

async fn a_database_failure_during_authentication_is_never_unauthorized(app: TestApp) {
    let token = app.api_token().await;
    app.registered_owner(&token, "solarius", PASSWORD).await;
    let access = app.login(&token, "solarius", PASSWORD).await["access_token"].as_str().expect("access").to_owned();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let signed_in = browser
        .post(app.url("/_sf/sign_in"))
        .header("accept", "application/json")
        .form(&[("username", "solarius"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(signed_in.status().as_u16() < 400);

    // The server's pool is this pool: from now on every query fails.
    app.store.close().await;

    let login =
        app.post_json("/ocpi/cpo/api/auth/v1/login", &token, &json!({ "username": "solarius", "password": PASSWORD }));
    let login = login.await;
    assert_eq!(login.status(), 503, "API token check");
    let body: Value = login.json().await.expect("envelope");
    assert_eq!(body["status"], 503);
    assert!(body["message"].as_str().is_some_and(|m| !m.contains("sql")), "{body}");

    assert_eq!(app.post_bearer("/ocpi/cpo/api/auth/v1/logout", &access).await.status(), 503, "access token check");

    for bearer in [&token, &access] {
        let response = app
            .http
            .post(app.url("/graphql"))
            .bearer_auth(bearer)
            .json(&json!({ "query": "{ locations { id } }" }))
            .send()
            .await
            .expect("graphql");
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE", "{body}");
    }

    let form =
        browser.post(app.url("/portal/locations")).form(&[("name", "Fira Plaza")]).send().await.expect("portal post");
    assert_eq!(form.status(), 503, "a signed-in owner is not sent to sign in again");
}

both_backends!(a_database_failure_during_authentication_is_never_unauthorized);
