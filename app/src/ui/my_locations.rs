//! "My locations": a CPO owner's locations, created and edited with plain HTML forms (they work
//! without JavaScript) posted to `/portal/...` handlers that share the API's services.
use super::api::Me;
use super::browse::details_view;
use super::dashboard::OwnerOnly;
use super::forms::{decode_field_errors, error_of, message, PostForm};
use crate::domain::codes::{self, Code};
use crate::domain::ocpi_limits;
use crate::domain::validation::FieldError;
use crate::domain::views::{LocationDetails, LocationSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(prefix = "/_sf", endpoint = "my_locations")]
pub async fn my_locations() -> Result<Vec<LocationSummary>, ServerFnError> {
    use crate::store::{LocationFilter, Viewer};
    let owner = super::api::server::owner_id().await?;
    let filter = LocationFilter { owner_id: Some(owner), ..LocationFilter::default() };
    super::api::server::store()?
        .location_summaries(Viewer::Owner(owner), &filter, 500, 0)
        .await
        .map_err(super::api::server::internal)
}

#[server(prefix = "/_sf", endpoint = "my_location")]
pub async fn my_location(id: i64) -> Result<Option<LocationDetails>, ServerFnError> {
    use crate::store::Viewer;
    let owner = super::api::server::owner_id().await?;
    let details = super::api::server::store()?
        .location_details(Viewer::Owner(owner), id)
        .await
        .map_err(super::api::server::internal)?;
    Ok(details.filter(|d| d.location.cpo_owner_id == owner))
}

/// The IANA time zone at a point: the portal pre-fills a location's zone from its coordinates.
#[server(prefix = "/_sf", endpoint = "time_zone_at")]
pub async fn time_zone_at(lat: f64, lng: f64) -> Result<String, ServerFnError> {
    super::api::server::owner_id().await?;
    Ok(crate::domain::time_zones::at(lat, lng))
}

#[server(prefix = "/_sf", endpoint = "set_published")]
pub async fn set_published(id: i64, publish: bool) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::set_publish(&server::store()?, owner, id, publish).await.map_err(server::refusal)?;
    // Without JavaScript the form post lands here: back to the page it came from.
    leptos_axum::redirect(&format!("/locations/{id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_location")]
pub async fn delete_my_location(id: i64) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::delete_location(&server::store()?, &server::uploads()?, owner, id)
        .await
        .map_err(server::refusal)?;
    leptos_axum::redirect("/locations");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_photo")]
pub async fn delete_my_photo(location_id: i64, url: String) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::delete_location_photo(&server::store()?, &server::uploads()?, owner, &url)
        .await
        .map_err(server::refusal)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "set_evse_status")]
pub async fn set_evse_status(location_id: i64, uid: String, status: String) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::set_evse_status(&server::store()?, owner, &uid, &status)
        .await
        .map_err(server::refusal)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_evse")]
pub async fn delete_my_evse(location_id: i64, uid: String) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::delete_evse(&server::store()?, owner, &uid).await.map_err(server::refusal)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_connector")]
pub async fn delete_my_connector(location_id: i64, id: i64) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::locations::delete_connector(&server::store()?, owner, id).await.map_err(server::refusal)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

/// Checkboxes for a reference list, labelled by description.
fn code_choices(legend: &'static str, name: &'static str, list: &'static [Code], chosen: Vec<String>) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {list.iter().map(|(code, description)| {
                let checked = chosen.iter().any(|c| c == code);
                view! { <label class="check"><input type="checkbox" name=name value=*code checked=checked />" " {*description}</label> }
            }).collect_view()}
        </fieldset>
    }
}

fn code_select(label: &'static str, name: &'static str, list: &'static [Code], selected: &str) -> impl IntoView {
    let selected = selected.to_owned();
    view! {
        <label>{label}
            <select name=name required=true>
                {list.iter().map(|(code, description)| view! { <option value=*code selected=selected == *code>{*description}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The fields of one connector row (used to add and to edit connectors).
fn connector_fields(
    n: usize,
    current: Option<&crate::domain::views::ConnectorRow>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let text = |f: fn(&crate::domain::views::ConnectorRow) -> String| current.map(f).unwrap_or_default();
    view! {
        <div class="field-row">
            {code_select("Standard", "standard", codes::CONNECTOR_STANDARDS, &text(|c| c.standard.clone()))}
            {code_select("Format", "format", codes::CONNECTOR_FORMATS, &text(|c| c.format.clone()))}
            {code_select("Power type", "power_type", codes::POWER_TYPES, &text(|c| c.power_type.clone()))}
            <label>"Max voltage (V)" <input name="max_voltage" type="number" min="1" required=n == 1 value=text(|c| c.max_voltage.to_string()) />
                {error_of(errors, "max_voltage")}</label>
            <label>"Max amperage (A)" <input name="max_amperage" type="number" min="1" required=n == 1 value=text(|c| c.max_amperage.to_string()) />
                {error_of(errors, "max_amperage")}</label>
        </div>
    }
}

/// A text input whose value roaming partners see cut (OCPI 2.2.1 lengths) carries a warning under
/// it: from the start for a stored value, and while the owner types.
fn text_input(name: &'static str, value: String, required: bool) -> impl IntoView {
    let (current, set_current) = signal(value.clone());
    view! {
        <input name=name required=required maxlength="200" value=value on:input=move |ev| set_current.set(event_target_value(&ev)) />
        <span class="field-warning" role="status">{move || ocpi_limits::cut_warning(name, &current.get())}</span>
    }
}

/// The time zone input: the stored zone, or (until the owner types one) the zone at the
/// coordinates, asked of the server whenever they change. Left empty, the server fills it.
fn time_zone_input(zone: String, lat: ReadSignal<String>, lng: ReadSignal<String>) -> impl IntoView {
    let (shown, set_shown) = signal(zone.clone());
    let (typed, set_typed) = signal(false);
    let suggest = Action::new(|(lat, lng): &(f64, f64)| time_zone_at(*lat, *lng));
    Effect::new(move |first_run_done: Option<()>| {
        let (lat, lng) = (lat.get(), lng.get());
        // The first run sees the stored coordinates, whose zone is the one shown.
        if first_run_done.is_none() {
            return;
        }
        if let (Ok(lat), Ok(lng)) = (lat.trim().parse::<f64>(), lng.trim().parse::<f64>()) {
            if !typed.get_untracked() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) {
                suggest.dispatch((lat, lng));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(zone)) = suggest.value().get() {
            if !typed.get_untracked() {
                set_shown.set(zone);
            }
        }
    });
    view! {
        <label>"Time zone"
            <input name="time_zone" maxlength="64" value=zone prop:value=move || shown.get()
                placeholder="From the coordinates, e.g. Europe/Amsterdam"
                on:input=move |ev| { set_typed.set(true); set_shown.set(event_target_value(&ev)); } />
        </label>
    }
}

/// The location form, empty for a new location or filled with `current` to edit it.
fn location_form(
    action: String,
    submit: &'static str,
    current: Option<&LocationDetails>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    // Everything the form shows, owned: the form's children outlive this function.
    let l = current.map(|d| d.location.clone());
    let text = |f: fn(&crate::domain::views::LocationRow) -> String| l.as_ref().map(f).unwrap_or_default();
    let chosen = |pick: fn(&LocationDetails) -> &Vec<crate::domain::views::CodeRow>| -> Vec<String> {
        current.map(|d| pick(d).iter().map(|c| c.code.clone()).collect()).unwrap_or_default()
    };
    let (name, address, city) = (text(|l| l.name.clone()), text(|l| l.address.clone()), text(|l| l.city.clone()));
    let region = text(|l| l.region.clone().unwrap_or_default());
    let postal_code = text(|l| l.postal_code.clone().unwrap_or_default());
    let country_code = text(|l| l.country_code.clone());
    let (lat, lng) = (text(|l| l.address_lat.to_string()), text(|l| l.address_lng.to_string()));
    let time_zone = text(|l| l.time_zone.clone());
    // What the coordinate inputs hold now: the time zone suggestion follows them (on change, not
    // on every keystroke).
    let ((lat_now, set_lat_now), (lng_now, set_lng_now)) = (signal(lat.clone()), signal(lng.clone()));
    let (facilities, parking_types, restrictions) =
        (chosen(|d| &d.facilities), chosen(|d| &d.parking_types), chosen(|d| &d.parking_restrictions));
    let published = l.as_ref().is_some_and(|l| l.publish);
    view! {
        <PostForm action=action submit=submit busy="Saving…">
            <div class="field-row">
                <label>"Name" {text_input("name", name, true)} {error_of(errors, "name")}</label>
                <label>"Address" {text_input("address", address, true)} {error_of(errors, "address")}</label>
            </div>
            <div class="field-row">
                <label>"City" {text_input("city", city, true)} {error_of(errors, "city")}</label>
                <label>"Region" {text_input("region", region, false)}</label>
                <label>"Postal code" {text_input("postal_code", postal_code, false)}</label>
                <label>"Country code" <input name="country_code" required=true maxlength="2" placeholder="NL" value=country_code /> {error_of(errors, "country_code")}</label>
            </div>
            <div class="field-row">
                <label>"Latitude" <input name="address_lat" type="number" step="any" min="-90" max="90" required=true value=lat
                    on:change=move |ev| set_lat_now.set(event_target_value(&ev)) /> {error_of(errors, "address_lat")}</label>
                <label>"Longitude" <input name="address_lng" type="number" step="any" min="-180" max="180" required=true value=lng
                    on:change=move |ev| set_lng_now.set(event_target_value(&ev)) /> {error_of(errors, "address_lng")}</label>
                {time_zone_input(time_zone, lat_now, lng_now)}
            </div>
            {error_of(errors, "time_zone")}
            {code_choices("Facilities", "facilities", codes::FACILITIES, facilities)}
            {error_of(errors, "facilities")}
            {code_choices("Parking types", "parking_types", codes::PARKING_TYPES, parking_types)}
            {code_choices("Parking restrictions", "parking_restrictions", codes::PARKING_RESTRICTIONS, restrictions)}
            <label class="check"><input type="checkbox" name="publish" value="on" checked=published />" Published (visible to everyone)"</label>
        </PostForm>
    }
}

/// What a form post came back with (in the URL): a message, a confirmation, errors by field.
struct Feedback {
    error: Signal<Option<String>>,
    done: Signal<Option<String>>,
    fields: Signal<Vec<FieldError>>,
}

fn query_messages() -> Feedback {
    let query = use_query_map();
    Feedback {
        error: Signal::derive(move || {
            query
                .get()
                .get("error")
                .or_else(|| query.get().get("errors").map(|_| "Please correct the fields marked below.".to_owned()))
        }),
        done: Signal::derive(move || query.get().get("done")),
        fields: Signal::derive(move || query.get().get("errors").map(|e| decode_field_errors(&e)).unwrap_or_default()),
    }
}

#[component]
pub fn MyLocationsPage() -> impl IntoView {
    let live = super::live::provide_live(None);
    let list = Resource::new(move || live.version.get(), |_| my_locations());
    view! { <OwnerOnly page=move |me| my_locations_page(me, list) /> }
}

fn my_locations_page(_me: Me, list: Resource<Result<Vec<LocationSummary>, ServerFnError>>) -> AnyView {
    let Feedback { error, done, fields: field_errors } = query_messages();
    view! {
        <Title text="My locations" />
        <h1>"My locations"</h1>
        <p class="notice" role="status">{done}</p>
        <p class="form-error" role="alert">{error}</p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Err(e) => view! { <super::ServerError message=message(&e) /> }.into_any(),
                Ok(items) if items.is_empty() => view! { <p class="panel">"No locations yet: add your first one below."</p> }.into_any(),
                Ok(items) => view! {
                    <ul class="cards" data-testid="my-locations">
                        {items.into_iter().map(|s| {
                            let l = s.location;
                            view! {
                                <li class="card">
                                    <div>
                                        <h2><a href=format!("/locations/{}", l.id)>{l.name.clone()}</a></h2>
                                        <p class="muted">{format!("{}, {}", l.city, l.country_code)} " · " {format!("{} EVSEs", s.evse_count)}</p>
                                        <span class=if l.publish { "badge available" } else { "badge" }>{if l.publish { "Published" } else { "Draft" }}</span>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
        <section class="panel" aria-labelledby="new-location">
            <h2 id="new-location">"Add a location"</h2>
            {location_form("/portal/locations".to_owned(), "Add location", None, field_errors)}
        </section>
    }
    .into_any()
}

/// One EVSE on the owner's page: quick status change, full edit of the EVSE and each connector,
/// and deletion.
fn evse_manager(
    location_id: i64,
    details: crate::domain::views::EvseDetails,
    evse_status: ServerAction<SetEvseStatus>,
    delete_evse: ServerAction<DeleteMyEvse>,
    delete_connector: ServerAction<DeleteMyConnector>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let evse = details.evse;
    let (uid, evse_id, status) = (evse.uid.clone(), evse.evse_id.clone(), evse.status.clone());
    let chosen = |codes: &[crate::domain::views::CodeRow]| codes.iter().map(|c| c.code.clone()).collect::<Vec<_>>();
    let (capabilities, payment_types) = (chosen(&details.capabilities), chosen(&details.payment_types));
    let delete_label = format!("Delete {evse_id}");
    let (uid_for_status, uid_for_delete) = (uid.clone(), uid.clone());
    let connectors = details.connectors;
    let status_for_connectors = status.clone();
    view! {
        <li>
            <strong>{evse_id.clone()}</strong>
            <ActionForm action=evse_status attr:class="inline">
                <input type="hidden" name="location_id" value=location_id />
                <input type="hidden" name="uid" value=uid_for_status />
                <label class="inline-label">"Status "
                    <select name="status">
                        {codes::STATUSES.iter().map(|(code, description)| view! {
                            <option value=*code selected=status == *code>{*description}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="secondary">"Save status"</button>
            </ActionForm>
            <ActionForm action=delete_evse attr:class="inline">
                <input type="hidden" name="location_id" value=location_id />
                <input type="hidden" name="uid" value=uid_for_delete />
                <button type="submit" class="link">{delete_label}</button>
            </ActionForm>
            <details class="edit-evse">
                <summary>{format!("Edit {evse_id} and its connectors")}</summary>
                <form method="post" action=format!("/portal/evses/{uid}") class="stack">
                    <input type="hidden" name="location_id" value=location_id />
                    <div class="field-row">
                        <label>"EVSE ID" <input name="evse_id" required=true value=evse.evse_id.clone() /></label>
                        {code_select("Status", "status", codes::STATUSES, &evse.status)}
                        <p class="muted">"Serial number "{evse.serial_number.clone().unwrap_or_else(|| "–".into())}
                            ", meter type "{evse.meter_type.clone().unwrap_or_else(|| "–".into())}
                            ": reported by the EVSE's charger over OCPP."</p>
                    </div>
                    {code_choices("Capabilities", "capabilities", codes::CAPABILITIES, capabilities)}
                    {code_choices("Payment types", "payment_types", codes::PAYMENT_TYPES, payment_types)}
                    <button type="submit">"Save EVSE"</button>
                </form>
                {connectors.into_iter().map(|c| view! {
                    <form method="post" action=format!("/portal/connectors/{}", c.id) class="stack connector">
                        <input type="hidden" name="location_id" value=location_id />
                        <input type="hidden" name="status" value=status_for_connectors.clone() />
                        <input type="hidden" name="connector_id" value=c.connector_id.clone() />
                        <strong>{format!("Connector {}", c.connector_id)}</strong>
                        {connector_fields(1, Some(&c), errors)}
                        <button type="submit" class="secondary">"Save connector"</button>
                    </form>
                    <ActionForm action=delete_connector attr:class="inline">
                        <input type="hidden" name="location_id" value=location_id />
                        <input type="hidden" name="id" value=c.id />
                        <button type="submit" class="link">{format!("Delete connector {}", c.connector_id)}</button>
                    </ActionForm>
                }).collect_view()}
            </details>
        </li>
    }
}

/// What the owner's location page acts with and reads, created at the component's top level.
#[derive(Clone, Copy)]
struct LocationPage {
    publish: ServerAction<SetPublished>,
    delete: ServerAction<DeleteMyLocation>,
    delete_photo: ServerAction<DeleteMyPhoto>,
    evse_status: ServerAction<SetEvseStatus>,
    delete_evse: ServerAction<DeleteMyEvse>,
    delete_connector: ServerAction<DeleteMyConnector>,
    details: Resource<Result<Option<LocationDetails>, ServerFnError>>,
    chargers: super::chargers::ChargersState,
}

#[component]
pub fn EditLocationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(-1);
    let publish = ServerAction::<SetPublished>::new();
    let delete = ServerAction::<DeleteMyLocation>::new();
    let delete_photo = ServerAction::<DeleteMyPhoto>::new();
    let evse_status = ServerAction::<SetEvseStatus>::new();
    let delete_evse = ServerAction::<DeleteMyEvse>::new();
    let delete_connector = ServerAction::<DeleteMyConnector>::new();
    let live = super::live::provide_live(params.get_untracked().get("id").and_then(|id| id.parse::<i64>().ok()));
    let chargers = super::chargers::ChargersState::new(id, live);
    // Reload after each change made on this page.
    let details = Resource::new(
        move || {
            (
                id(),
                publish.version().get(),
                delete_photo.version().get(),
                evse_status.version().get(),
                delete_evse.version().get(),
                delete_connector.version().get(),
            )
        },
        |(id, ..)| my_location(id),
    );
    let page =
        LocationPage { publish, delete, delete_photo, evse_status, delete_evse, delete_connector, details, chargers };
    view! { <OwnerOnly page=move |me| edit_location_page(me, page) /> }
}

fn edit_location_page(_me: Me, page: LocationPage) -> AnyView {
    let LocationPage { publish, delete, delete_photo, evse_status, delete_evse, delete_connector, details, chargers } =
        page;
    let Feedback { error, done, fields: field_errors } = query_messages();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || details.get().map(|result| match result {
                Err(e) => view! { <super::ServerError message=message(&e) /> }.into_any(),
                Ok(None) => view! { <super::NotFound /> }.into_any(),
                Ok(Some(d)) => {
                    let l = d.location.clone();
                    let photo_count = d.photos.len();
                    let photos = d.photos.clone();
                    let edit_form = location_form(format!("/portal/locations/{}", l.id), "Save changes", Some(&d), field_errors);
                    let evses = d.evses.clone();
                    let charger_section = super::chargers::chargers_section(l.id, d.evses.clone(), chargers);
                    view! {
                        <Title text=l.name.clone() />
                        <p><a href="/locations">"← My locations"</a></p>
                        <h1>{l.name.clone()} " " {if l.publish { view! { <span class="badge available">"Published"</span> } } else { view! { <span class="badge">"Draft"</span> } }}</h1>
                        <p class="notice" role="status">{done}</p>
                        <p class="form-error" role="alert" data-testid="page-error">{error}</p>
                        <div class="actions">
                            <ActionForm action=publish attr:class="inline">
                                <input type="hidden" name="id" value=l.id />
                                <input type="hidden" name="publish" value=(!l.publish).to_string() />
                                <button type="submit">{if l.publish { "Unpublish" } else { "Publish" }}</button>
                            </ActionForm>
                            <ActionForm action=delete attr:class="inline" on:submit=|ev| {
                                let confirmed = window().confirm_with_message("Delete this location with all its EVSEs and photos?").unwrap_or(false);
                                if !confirmed { ev.prevent_default(); }
                            }>
                                <input type="hidden" name="id" value=l.id />
                                <button type="submit" class="danger">"Delete location"</button>
                            </ActionForm>
                        </div>
                        {details_view(d)}
                        <section class="panel" aria-labelledby="photos-title">
                            <h2 id="photos-title">{format!("Photos ({photo_count} of 5)")}</h2>
                            <ul class="gallery editable">
                                {photos.into_iter().map(|(full, thumb)| view! {
                                    <li>
                                        <img src=thumb alt="Photo of the location" />
                                        <ActionForm action=delete_photo attr:class="inline">
                                            <input type="hidden" name="location_id" value=l.id />
                                            <input type="hidden" name="url" value=full />
                                            <button type="submit" class="link">"Delete photo"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <PostForm action=format!("/portal/locations/{}/photos", l.id) multipart=true submit="Upload photos" busy="Uploading…">
                                <label>"Add photos (PNG, JPEG or WebP, up to 5 per location)"
                                    <input type="file" name="location_photos" multiple=true accept="image/png,image/jpeg,image/webp" required=true /> {error_of(field_errors, "location_photos")}
                                </label>
                                </PostForm>
                        </section>
                        <section class="panel" aria-labelledby="manage-evses">
                            <h2 id="manage-evses">"Manage EVSEs"</h2>
                            <ul class="manage">
                                {evses.into_iter().map(|e| evse_manager(l.id, e, evse_status, delete_evse, delete_connector, field_errors)).collect_view()}
                            </ul>
                        </section>
                        {charger_section}
                        <section class="panel" aria-labelledby="edit-title">
                            <h2 id="edit-title">"Edit details"</h2>
                            {edit_form}
                        </section>
                        <section class="panel" aria-labelledby="evse-title">
                            <h2 id="evse-title">"Add an EVSE"</h2>
                            <PostForm action=format!("/portal/locations/{}/evses", l.id) submit="Add EVSE" busy="Adding…">
                                <div class="field-row">
                                    <label>"EVSE ID" <input name="evse_id" required=true placeholder="NL*ABC*E12345" /> {error_of(field_errors, "evse_id")}</label>
                                    {code_select("Status", "status", codes::STATUSES, "AVAILABLE")}
                                </div>
                                {code_choices("Capabilities", "capabilities", codes::CAPABILITIES, Vec::new())}
                                {code_choices("Payment types", "payment_types", codes::PAYMENT_TYPES, Vec::new())}
                                {(1..=2).map(|n| view! {
                                    <fieldset class="connector">
                                        <legend>{format!("Connector {n}")}{if n > 1 { " (optional)" } else { "" }}</legend>
                                        {connector_fields(n, None, field_errors)}
                                    </fieldset>
                                }).collect_view()}
                                </PostForm>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
    .into_any()
}
