//! Pages and components of the portal.
mod csp;
mod home;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    csp::send_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/emsp.css" />
        <Title formatter=|page: String| format!("{page} · EMSP") />
        <Router>
            <header class="site-header">
                <a class="brand" href="/">"⚡ EMSP"</a>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=home::HomePage />
                </Routes>
            </main>
            <footer class="site-footer">"EMSP platform · OCPI 2.2.1 data for charge point operators"</footer>
        </Router>
    }
}

/// Unknown paths: a real page with a 404 status.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to the home page"</a> "."</p>
        </section>
    }
}
