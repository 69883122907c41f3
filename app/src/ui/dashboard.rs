//! The CPO owner's dashboard: profile, contact details and logo.
use super::api::{current_user, Me, UpdateParty, UpdateProfile};
use super::forms::{message, server_error, Field};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// Renders `page` for a signed-in CPO owner, or sends the browser to the sign-in page.
/// Resources a page reads must be created before this (at its component's top level), not inside
/// `page`: created inside this Suspense, a resource does not line up with its server-rendered data
/// when the page hydrates.
#[component]
pub fn OwnerOnly(#[prop(into)] page: Callback<Me, AnyView>) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || me.get().map(|result| match result {
                Ok(Some(user)) if user.owner.is_some() => page.run(user),
                _ => view! { <Redirect path="/sign-in" /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! { <OwnerOnly page=dashboard /> }
}

fn dashboard(me: Me) -> AnyView {
    let Some(owner) = me.owner else { return ().into_any() };
    let query = use_query_map();
    let upload_notice = move || query.get().get("logo").map(|_| "Your logo is updated.".to_owned());
    let upload_error = move || query.get().get("error");
    let action = ServerAction::<UpdateProfile>::new();
    let outcome = action.value();
    let error_of = move |field: &'static str| Signal::derive(move || server_error(outcome.get(), field));
    let saved =
        move || matches!(outcome.get(), Some(Ok(ref errors)) if errors.is_empty()).then_some("Contact details saved.");
    let failure = move || outcome.get().and_then(Result::err).map(|e| message(&e));
    let (preview, set_preview) = signal(None::<String>);
    let (uploading, set_uploading) = signal(false);
    let show_preview = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|files| files.get(0));
        set_preview.set(file.and_then(|f| web_sys::Url::create_object_url_with_blob(&f).ok()));
    };
    view! {
        <Title text="Dashboard" />
        <h1>{owner.cpo_owner_name.clone()}</h1>
        <p class="muted">"Signed in as " <strong>{me.username}</strong> " · " <a href="/locations">"Manage your locations"</a></p>
        <div class="columns">
            <section class="panel" aria-labelledby="logo-title">
                <h2 id="logo-title">"Logo"</h2>
                {match owner.logo_thumbnail_url.clone() {
                    Some(url) => view! { <img class="logo" src=url alt="Your company logo" data-testid="logo" /> }.into_any(),
                    None => view! { <p class="muted">"No logo yet."</p> }.into_any(),
                }}
                <p class="notice" role="status">{upload_notice}</p>
                <p class="form-error" role="alert">{upload_error}</p>
                <form method="post" action="/portal/logo" enctype="multipart/form-data" class="stack" on:submit=move |_| set_uploading.set(true)>
                    <label for="cpo_logo">"PNG, JPEG or WebP, at most 5 MiB"
                        <input id="cpo_logo" type="file" name="cpo_logo" accept="image/png,image/jpeg,image/webp" required on:change=show_preview />
                    </label>
                    {move || preview.get().map(|src| view! { <img class="logo" src=src alt="Preview of the new logo" data-testid="logo-preview" /> })}
                    <button type="submit">{move || if uploading.get() { "Uploading…" } else { "Upload logo" }}</button>
                </form>
            </section>
            <section class="panel" aria-labelledby="contact-title">
                <h2 id="contact-title">"Contact details"</h2>
                <ActionForm action=action attr:class="stack">
                    <Field label="Contact name" name="contact_name" value=owner.contact_name.clone() error=error_of("contact_name") />
                    <Field label="Contact number" name="contact_number" kind="tel" value=owner.contact_number.clone() error=error_of("contact_number") />
                    <Field label="Contact email" name="contact_email" kind="email" value=owner.contact_email.clone() error=error_of("contact_email") />
                    <p class="notice" role="status">{saved}</p>
                    <p class="form-error" role="alert">{failure}</p>
                    <button type="submit" disabled=move || action.pending().get()>"Save contact details"</button>
                </ActionForm>
                <p class="muted">{if owner.ocpp_ready { "OCPP-ready" } else { "Not OCPP-ready yet" }}</p>
            </section>
            <RoamingPanel country=owner.party_country_code.clone() party=owner.party_id.clone() />
        </div>
    }
    .into_any()
}

/// The owner's OCPI party: with one, its published locations are offered to roaming partners.
#[component]
fn RoamingPanel(country: Option<String>, party: Option<String>) -> impl IntoView {
    let action = ServerAction::<UpdateParty>::new();
    let outcome = action.value();
    let error_of = move |field: &'static str| Signal::derive(move || server_error(outcome.get(), field));
    let saved =
        move || matches!(outcome.get(), Some(Ok(ref errors)) if errors.is_empty()).then_some("Roaming party saved.");
    let failure = move || outcome.get().and_then(Result::err).map(|e| message(&e));
    let state = if party.is_some() {
        "Your published locations are offered to roaming partners over OCPI 2.2.1."
    } else {
        "Set your OCPI party to offer your published locations to roaming partners."
    };
    view! {
        <section class="panel" aria-labelledby="roaming-title">
            <h2 id="roaming-title">"Roaming (OCPI)"</h2>
            <p class="muted">{state}</p>
            <ActionForm action=action attr:class="stack">
                <Field label="Party country code" name="party_country_code" value=country.unwrap_or_default() error=error_of("party_country_code") required=false />
                <Field label="Party id" name="party_id" value=party.unwrap_or_default() error=error_of("party_id") required=false />
                <p class="notice" role="status">{saved}</p>
                <p class="form-error" role="alert">{failure}</p>
                <button type="submit" disabled=move || action.pending().get()>"Save roaming party"</button>
            </ActionForm>
        </section>
    }
}
