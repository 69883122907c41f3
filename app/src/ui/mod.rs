//! Pages and components of the portal.
pub mod api;
mod auth_pages;
pub mod browse;
pub mod chargers;
mod csp;
mod dashboard;
pub mod forms;
mod home;
pub mod live;
pub mod my_locations;

use api::{current_user, SignOut};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

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
            <SiteHeader />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::InOrder />
                    <Route path=path!("/register") view=auth_pages::RegisterPage ssr=SsrMode::InOrder />
                    <Route path=path!("/sign-in") view=auth_pages::SignInPage ssr=SsrMode::InOrder />
                    <Route path=path!("/set-password") view=auth_pages::SetPasswordPage ssr=SsrMode::InOrder />
                    <Route path=path!("/dashboard") view=dashboard::DashboardPage ssr=SsrMode::InOrder />
                    <Route path=path!("/locations") view=my_locations::MyLocationsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/locations/:id") view=my_locations::EditLocationPage ssr=SsrMode::Async />
                    <Route path=path!("/browse") view=browse::BrowsePage ssr=SsrMode::InOrder />
                    <Route path=path!("/browse/:id") view=browse::PublicLocationPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">"EMSP platform · OCPI 2.2.1 data for charge point operators"</footer>
        </Router>
    }
}

// Every route streams in order: the HTML arrives complete (data included) so pages and their
// forms work without JavaScript; hydration then takes over. Detail pages render fully before the
// headers go out, so an unknown id can still answer 404.

/// The navigation: what a visitor can do, or what a signed-in owner can.
#[component]
fn SiteHeader() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"⚡ EMSP"</a>
            <nav aria-label="Main">
                <a href="/browse">"Browse"</a>
                <Suspense fallback=|| ()>
                    {move || me.get().map(|me| match me {
                        Ok(Some(_)) => view! {
                            <a href="/dashboard">"Dashboard"</a>
                            <a href="/locations">"My locations"</a>
                            <ActionForm action=sign_out attr:class="inline">
                                <button type="submit" class="link">"Sign out"</button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <a href="/register">"Register"</a>
                            <a href="/sign-in">"Sign in"</a>
                        }.into_any(),
                    })}
                </Suspense>
            </nav>
        </header>
    }
}

/// A page whose data could not be loaded: the reason, and a 500 status for the browser.
#[component]
pub fn ServerError(message: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    view! {
        <Title text="Something went wrong" />
        <section class="panel">
            <h1>"Something went wrong"</h1>
            <p class="form-error" role="alert">{message}</p>
            <p>"Please try again in a moment. " <a href="/">"Go to the home page"</a> "."</p>
        </section>
    }
}

/// Unknown paths: a real page with a 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
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
