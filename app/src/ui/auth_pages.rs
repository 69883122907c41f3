//! Registration, sign-in and choosing a password from an invitation link.
use super::api::{RegisterOwner, SetPassword, SignIn};
use super::forms::{message, server_error, Field};
use crate::domain::validation as rule;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A client-side rule run on every keystroke once hydrated (the server checks again).
fn live(rule: fn(&str) -> Result<(), String>) -> (Signal<Option<String>>, Callback<String>) {
    let (error, set_error) = signal(None::<String>);
    (error.into(), Callback::new(move |value: String| set_error.set(rule(&value).err())))
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<RegisterOwner>::new();
    let outcome = action.value();
    let field_error = move |field: &'static str, client: Signal<Option<String>>| {
        Signal::derive(move || client.get().or_else(|| server_error(outcome.get(), field)))
    };
    let none = Signal::derive(|| None::<String>);
    let (username_error, on_username) = live(rule::username);
    let (email_error, on_email) = live(rule::email);
    let (phone_error, on_phone) = live(rule::phone);
    let (password_error, on_password) = live(rule::password);
    let failure = move || outcome.get().and_then(Result::err).map(|e| message(&e));
    view! {
        <Title text="Register your company" />
        <section class="panel narrow">
            <h1>"Register as a charge point operator"</h1>
            <p>"Create your company's account. You can add locations, EVSEs and photos once signed in."</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <Field label="Username" name="username" autocomplete="username" error=field_error("username", username_error) on_input=on_username />
                <Field label="Company (CPO owner) name" name="cpo_owner_name" autocomplete="organization" error=field_error("cpo_owner_name", none) />
                <Field label="Contact name" name="contact_name" autocomplete="name" error=field_error("contact_name", none) />
                <Field label="Contact number" name="contact_number" kind="tel" autocomplete="tel" error=field_error("contact_number", phone_error) on_input=on_phone />
                <Field label="Contact email" name="contact_email" kind="email" autocomplete="email" error=field_error("contact_email", email_error) on_input=on_email />
                <label class="check"><input type="checkbox" name="ocpp_ready" value="on" />" Our charge points are OCPP-ready"</label>
                <Field label="Password (at least 10 characters)" name="password" kind="password" autocomplete="new-password" error=field_error("password", password_error) on_input=on_password />
                <Field label="Confirm password" name="password_confirm" kind="password" autocomplete="new-password" error=field_error("password_confirm", none) />
                <p class="form-error" role="alert">{failure}</p>
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Registering…" } else { "Register" }}
                </button>
            </ActionForm>
            <p>"Already registered? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let notice = move || {
        let q = query.get();
        if q.get("registered").is_some() {
            Some("Your company is registered. Sign in to continue.")
        } else if q.get("password").is_some() {
            Some("Your password is set. Sign in to continue.")
        } else {
            None
        }
    };
    let failure = move || action.value().get().and_then(Result::err).map(|e| message(&e));
    view! {
        <Title text="Sign in" />
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <p class="notice" role="status">{notice}</p>
            <ActionForm action=action attr:class="stack">
                <Field label="Username" name="username" autocomplete="username" error=Signal::derive(|| None::<String>) />
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error=Signal::derive(|| None::<String>) />
                <p class="form-error" role="alert">{failure}</p>
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p>"New here? " <a href="/register">"Register your company"</a></p>
        </section>
    }
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let action = ServerAction::<SetPassword>::new();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    let outcome = action.value();
    let error_of = move |field: &'static str| Signal::derive(move || server_error(outcome.get(), field));
    let failure = move || outcome.get().and_then(Result::err).map(|e| message(&e));
    view! {
        <Title text="Choose your password" />
        <section class="panel narrow">
            <h1>"Choose your password"</h1>
            <ActionForm action=action attr:class="stack">
                <input type="hidden" name="token" value=token />
                <p class="form-error" role="alert">{move || server_error(outcome.get(), "token")}</p>
                <Field label="Password (at least 10 characters)" name="password" kind="password" autocomplete="new-password" error=error_of("password") />
                <Field label="Confirm password" name="password_confirm" kind="password" autocomplete="new-password" error=error_of("password_confirm") />
                <p class="form-error" role="alert">{failure}</p>
                <button type="submit">"Set password"</button>
            </ActionForm>
        </section>
    }
}
