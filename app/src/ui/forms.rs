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

/// Field errors as one URL query value, `field~message|field~message`, so a plain HTML form post
/// can come back to its page with each error next to its field.
pub fn encode_field_errors(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}~{}", e.field, e.message.replace(['~', '|'], " "))).collect::<Vec<_>>().join("|")
}

pub fn decode_field_errors(text: &str) -> Vec<FieldError> {
    text.split('|')
        .filter_map(|pair| pair.split_once('~'))
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}

/// The error of `field` among `errors`, shown under its input.
pub fn error_of(errors: Signal<Vec<FieldError>>, field: &'static str) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| view! { <span class="field-error" role="alert">{e.message}</span> })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_survive_the_round_trip() {
        let errors = vec![
            FieldError::new("address_lat", "must be a latitude between -90 and 90"),
            FieldError::new("name", "a|b~c"),
        ];
        let decoded = decode_field_errors(&encode_field_errors(&errors));
        assert_eq!(decoded[0], errors[0]);
        assert_eq!(decoded[1].message, "a b c");
    }
}

/// A plain HTML form (works without JavaScript) whose button says `busy` while the post is on
/// its way, once hydrated.
#[component]
pub fn PostForm(
    action: String,
    submit: &'static str,
    busy: &'static str,
    #[prop(default = false)] multipart: bool,
    #[prop(default = "stack")] class: &'static str,
    #[prop(default = "")] button_class: &'static str,
    children: Children,
) -> impl IntoView {
    let (sending, set_sending) = signal(false);
    let enctype = multipart.then_some("multipart/form-data");
    view! {
        <form method="post" action=action enctype=enctype class=class on:submit=move |_| set_sending.set(true)>
            {children()}
            <button type="submit" class=button_class aria-busy=move || sending.get().to_string()>
                {move || if sending.get() { busy } else { submit }}
            </button>
        </form>
    }
}
