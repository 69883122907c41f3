//! The Content-Security-Policy of portal pages. Hydration needs one inline script, allowed by the
//! per-response nonce that leptos puts on it; everything else must come from this origin.

/// Sends the policy as a header of the page being rendered (server only; a no-op in the browser).
pub fn send_policy() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        else {
            return;
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
             object-src 'none'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
