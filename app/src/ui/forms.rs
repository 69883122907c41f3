//! Form pieces shared by the pages: labelled inputs with their error next to them.
use crate::domain::validation::FieldError;
use leptos::prelude::*;
use server_fn::error::ServerFnError;

/// The message of a server function error, without the framework's prefix.
pub fn message(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

/// The server's error for `field` in a form outcome, if any.
pub fn server_error(outcome: Option<Result<Vec<FieldError>, ServerFnError>>, field: &str) -> Option<String> {
    outcome?.ok()?.into_iter().find(|e| e.field == field).map(|e| e.message)
}

/// A labelled input; `error` is shown under it and linked for screen readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] on_input: Option<Callback<String>>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let label_for = id.clone();
    view! {
        <label for=label_for>
            {label}
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
                on:input=move |ev| {
                    if let Some(callback) = on_input {
                        callback.run(event_target_value(&ev));
                    }
                }
            />
            <span class="field-error" id=error_id role="alert">{move || error.get()}</span>
        </label>
    }
}
